// BlockBuilder's fast path (each string column's last value) and its column slots
// must give the block a plain name lookup would. Expected rows are
// written out by hand and read back from the block column by column.
#include "engine/block_builder.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <random>
#include <string>
#include <vector>

namespace tessera::engine {
namespace {

using storage::Block;
using storage::Column;
using storage::ColumnType;
using ::testing::ElementsAre;

// "time col=value ..." for every column of the block in block order, NULL for
// rows without a value; strings read through the dictionary.
std::vector<std::string> render_rows(const Block& block) {
  std::vector<std::string> rows;
  for (size_t row = 0; row < block.row_count(); ++row) {
    std::string out = std::to_string(block.time_ns[row]);
    for (size_t c = 0; c < block.columns.size(); ++c) {
      const Column& column = block.columns[c];
      EXPECT_EQ(column.size(), block.row_count()) << block.column_names[c];
      out += " " + block.column_names[c] + "=";
      if (!column.is_valid(row)) {
        out += "NULL";
        continue;
      }
      switch (column.type) {
        case ColumnType::kInt64:
          out += std::to_string(column.ints[row]) + "i";
          break;
        case ColumnType::kFloat64: {
          char text[32];
          std::snprintf(text, sizeof(text), "%g", column.floats[row]);
          out += text;
          break;
        }
        case ColumnType::kBool:
          out += column.bools[row] ? "true" : "false";
          break;
        case ColumnType::kString:
          out += "\"" + std::string(column.string_at(row)) + "\"";
          break;
      }
    }
    rows.push_back(out);
  }
  return rows;
}

// Distinct values of a string column's dictionary, NULL placeholder included.
size_t dictionary_size(const Block& block, const std::string& name) {
  const Column* column = block.find(name);
  return column == nullptr ? 0 : column->dictionary.size();
}

TEST(BlockBuilderTest, RowsWithChangingColumnOrderAndSetsLandInTheirColumns) {
  BlockBuilder builder;
  builder.begin_row(1);
  builder.set_string("host", "a");
  builder.set_float("cpu", 0.5);
  builder.set_int("n", 1);
  builder.begin_row(2);  // same columns, same order
  builder.set_string("host", "b");
  builder.set_float("cpu", 1.5);
  builder.set_int("n", 2);
  builder.begin_row(3);  // reordered
  builder.set_int("n", 3);
  builder.set_string("host", "c");
  builder.set_float("cpu", 2.5);
  builder.begin_row(4);  // a column left out, a new one mid-block
  builder.set_string("host", "d");
  builder.set_bool("up", true);
  builder.set_int("n", 4);
  builder.begin_row(5);  // fewer columns than the row before
  builder.set_float("cpu", 3.5);
  builder.begin_row(6);  // nothing but the time
  builder.begin_row(7);  // back to the first shape
  builder.set_string("host", "a");
  builder.set_float("cpu", 4.5);
  builder.set_int("n", 7);
  EXPECT_THAT(
      render_rows(builder.snapshot()),
      ElementsAre("1 host=\"a\" cpu=0.5 n=1i up=NULL", "2 host=\"b\" cpu=1.5 n=2i up=NULL",
                  "3 host=\"c\" cpu=2.5 n=3i up=NULL", "4 host=\"d\" cpu=NULL n=4i up=true",
                  "5 host=NULL cpu=3.5 n=NULL up=NULL", "6 host=NULL cpu=NULL n=NULL up=NULL",
                  "7 host=\"a\" cpu=4.5 n=7i up=NULL"));
}

TEST(BlockBuilderTest, SlotsFillTheirColumnsAlongsideSettersByName) {
  BlockBuilder builder;
  builder.begin_row(1);
  builder.set_string("host", "a");
  const size_t host = builder.slot_of("host", ColumnType::kString);
  const size_t cpu = builder.slot_of("cpu", ColumnType::kFloat64);  // new: NULL in row 1
  EXPECT_EQ(builder.slot_of("host", ColumnType::kString), host);
  builder.begin_row(2);
  builder.set_float_at(cpu, 0.5);
  builder.set_string_at(host, "b");
  builder.begin_row(3);  // a slot left out, then one taken mid-block
  const size_t n = builder.slot_of("n", ColumnType::kInt64);
  const size_t up = builder.slot_of("up", ColumnType::kBool);
  builder.set_int_at(n, 3);
  builder.set_bool_at(up, false);
  builder.set_string("host", "a");
  builder.begin_row(4);  // nothing set
  EXPECT_THAT(
      render_rows(builder.take()),
      ElementsAre("1 host=\"a\" cpu=NULL n=NULL up=NULL", "2 host=\"b\" cpu=0.5 n=NULL up=NULL",
                  "3 host=\"a\" cpu=NULL n=3i up=false", "4 host=NULL cpu=NULL n=NULL up=NULL"));
}

TEST(BlockBuilderTest, RepeatedAndChangingStringValuesShareDictionaryCodes) {
  BlockBuilder builder;
  const char* values[] = {"x", "x", "y", "x", "y", "y", "z", "", "", "x"};
  int64_t t = 0;
  for (const char* value : values) {
    builder.begin_row(++t);
    builder.set_string("tag", value);
    builder.set_string("other", "same");
  }
  Block block = builder.take();
  EXPECT_THAT(render_rows(block),
              ElementsAre("1 tag=\"x\" other=\"same\"", "2 tag=\"x\" other=\"same\"",
                          "3 tag=\"y\" other=\"same\"", "4 tag=\"x\" other=\"same\"",
                          "5 tag=\"y\" other=\"same\"", "6 tag=\"y\" other=\"same\"",
                          "7 tag=\"z\" other=\"same\"", "8 tag=\"\" other=\"same\"",
                          "9 tag=\"\" other=\"same\"", "10 tag=\"x\" other=\"same\""));
  EXPECT_EQ(dictionary_size(block, "tag"), 4u);  // x, y, z, ""
  EXPECT_EQ(dictionary_size(block, "other"), 1u);
}

TEST(BlockBuilderTest, LastValueSurvivesNullRowsAndTheNullPlaceholder) {
  BlockBuilder builder;
  builder.begin_row(1);
  builder.set_float("v", 1);  // "tag" starts NULL: its code 0 is the placeholder
  builder.begin_row(2);
  builder.set_string("tag", "");  // equal to the placeholder's bytes, still a value
  builder.begin_row(3);
  builder.set_float("v", 3);
  builder.begin_row(4);
  builder.set_string("tag", "");
  builder.set_string("tag2", "q");
  builder.begin_row(5);
  builder.set_string("tag", "w");
  Block block = builder.snapshot();
  EXPECT_THAT(render_rows(block),
              ElementsAre("1 v=1 tag=NULL tag2=NULL", "2 v=NULL tag=\"\" tag2=NULL",
                          "3 v=3 tag=NULL tag2=NULL", "4 v=NULL tag=\"\" tag2=\"q\"",
                          "5 v=NULL tag=\"w\" tag2=NULL"));
}

TEST(BlockBuilderTest, TakeStartsAFreshBlockWhoseColumnsFollowItsOwnRows) {
  BlockBuilder builder;
  builder.begin_row(1);
  builder.set_string("a", "1");
  builder.set_int("b", 1);
  Block first = builder.take();
  EXPECT_THAT(render_rows(first), ElementsAre("1 a=\"1\" b=1i"));
  builder.begin_row(2);
  builder.set_int("b", 2);  // position 0 was "a" before take(); the new block starts with b
  builder.set_string("a", "1");
  Block second = builder.take();
  EXPECT_THAT(render_rows(second), ElementsAre("2 b=2i a=\"1\""));
  EXPECT_EQ(dictionary_size(second, "a"), 1u);
}

TEST(BlockBuilderTest, AppendedRowsLandAsIfSetOneByOne) {
  BlockBuilder batch;  // rows 10-13, as a write batch builds them
  batch.begin_row(10);
  batch.set_string("host", "b");
  batch.set_float("cpu", 1);
  batch.begin_row(11);
  batch.set_string("host", "c");
  batch.set_string("note", "only here");  // NULL in every row of the second range
  batch.begin_row(12);
  batch.set_string("host", "a");
  batch.set_float("cpu", 3);
  batch.set_bool("up", false);
  batch.begin_row(13);
  batch.set_int("n", 13);
  const Block rows = batch.take();

  BlockBuilder head;
  head.begin_row(1);
  head.set_string("host", "a");
  head.set_int("n", 1);
  head.append_rows(rows, 0, 2);
  head.begin_row(2);  // set one by one again after an append
  head.set_string("host", "a");
  head.append_rows(rows, 2, 4);
  head.append_rows(rows, 4, 4);  // nothing
  Block block = head.take();
  EXPECT_THAT(render_rows(block),
              ElementsAre("1 host=\"a\" n=1i cpu=NULL note=NULL up=NULL",
                          "10 host=\"b\" n=NULL cpu=1 note=NULL up=NULL",
                          "11 host=\"c\" n=NULL cpu=NULL note=\"only here\" up=NULL",
                          "2 host=\"a\" n=NULL cpu=NULL note=NULL up=NULL",
                          "12 host=\"a\" n=NULL cpu=3 note=NULL up=false",
                          "13 host=NULL n=13i cpu=NULL note=NULL up=NULL"));
  EXPECT_EQ(dictionary_size(block, "host"), 3u);  // a, b, c: codes reused across appends

  BlockBuilder tail;  // the second range alone: "note" is NULL throughout, so absent
  tail.append_rows(rows, 2, 4);
  Block second = tail.take();
  EXPECT_THAT(second.column_names, ElementsAre("host", "cpu", "up", "n"));
  EXPECT_EQ(dictionary_size(second, "host"), 1u);  // only "a": b and c are not in its rows
}

// Equal rows, and per column (found by name: a column new to the head comes in the
// batch's column order, not necessarily in the order rows set it) equal values,
// validity, dictionary and codes.
void expect_same_block(const Block& got, const Block& want) {
  ASSERT_EQ(got.time_ns, want.time_ns);
  ASSERT_EQ(got.columns.size(), want.columns.size());
  for (size_t c = 0; c < want.columns.size(); ++c) {
    SCOPED_TRACE(want.column_names[c]);
    const Column* g = got.find(want.column_names[c]);
    ASSERT_NE(g, nullptr);
    const Column& w = want.columns[c];
    EXPECT_EQ(g->type, w.type);
    EXPECT_EQ(g->ints, w.ints);
    EXPECT_EQ(g->floats, w.floats);
    EXPECT_EQ(g->bools, w.bools);
    EXPECT_EQ(g->codes, w.codes);
    EXPECT_EQ(g->dictionary, w.dictionary);
    EXPECT_EQ(g->valid, w.valid);
  }
}

TEST(BlockBuilderTest, RandomBatchesAppendedInRandomPiecesEqualRowByRowBuilding) {
  std::mt19937_64 rng(20261206);
  const char* names[] = {"s1", "s2", "i", "f", "b"};
  for (int trial = 0; trial < 200; ++trial) {
    // Each row sets a random subset of the columns, in a random order, with values
    // from small alphabets (so runs, repeats and NULL-only stretches all occur).
    const size_t row_count = rng() % 40;
    const int presence = static_cast<int>(rng() % 100);  // percent of values present
    BlockBuilder one_by_one;
    BlockBuilder batch;
    auto set_row = [&](BlockBuilder& b, int64_t t, const std::vector<std::pair<int, int>>& values) {
      b.begin_row(t);
      for (auto [column, value] : values) {
        switch (column) {
          case 0:
          case 1:
            b.set_string(names[column], std::string(1, static_cast<char>('a' + value % 4)));
            break;
          case 2:
            b.set_int(names[column], value);
            break;
          case 3:
            b.set_float(names[column], value * 0.25);
            break;
          case 4:
            b.set_bool(names[column], value % 2 == 0);
            break;
        }
      }
    };
    // A head that already holds rows before the batch arrives, half the time.
    const size_t head_rows = rng() % 2 == 0 ? rng() % 5 : 0;
    std::vector<std::vector<std::pair<int, int>>> all_rows;
    for (size_t r = 0; r < head_rows + row_count; ++r) {
      std::vector<std::pair<int, int>> values;
      std::vector<int> order = {0, 1, 2, 3, 4};
      std::shuffle(order.begin(), order.end(), rng);
      for (int column : order) {
        if (static_cast<int>(rng() % 100) < presence) {
          values.push_back({column, static_cast<int>(rng() % 7)});
        }
      }
      all_rows.push_back(values);
    }
    BlockBuilder head;
    for (size_t r = 0; r < all_rows.size(); ++r) {
      set_row(one_by_one, static_cast<int64_t>(r), all_rows[r]);
      set_row(r < head_rows ? head : batch, static_cast<int64_t>(r), all_rows[r]);
    }
    const Block rows = batch.take();
    // Appended in random pieces, the head taken (as a seal would) at random cuts too.
    std::vector<Block> appended;
    std::vector<Block> expected;
    BlockBuilder reference;
    for (size_t r = 0; r < head_rows; ++r) set_row(reference, static_cast<int64_t>(r), all_rows[r]);
    for (size_t at = 0; at < row_count;) {
      const size_t piece = std::min<size_t>(1 + rng() % 12, row_count - at);
      head.append_rows(rows, at, at + piece);
      for (size_t r = at; r < at + piece; ++r) {
        set_row(reference, static_cast<int64_t>(head_rows + r), all_rows[head_rows + r]);
      }
      at += piece;
      if (rng() % 3 == 0) {
        appended.push_back(head.take());
        expected.push_back(reference.take());
      }
    }
    appended.push_back(head.take());
    expected.push_back(reference.take());
    SCOPED_TRACE("trial " + std::to_string(trial));
    ASSERT_EQ(appended.size(), expected.size());
    for (size_t i = 0; i < expected.size(); ++i) expect_same_block(appended[i], expected[i]);
    if (expected.size() == 1) expect_same_block(appended[0], one_by_one.take());
  }
}

}  // namespace
}  // namespace tessera::engine
