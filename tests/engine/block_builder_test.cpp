// BlockBuilder's fast paths (the previous row's column slots, each string column's
// last value) must give the block a plain name lookup would. Expected rows are
// written out by hand and read back from the block column by column.
#include "engine/block_builder.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdio>
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
  builder.begin_row(2);  // same columns, same order: the cached slots
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
  builder.begin_row(5);  // fewer columns than the cached row
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
  builder.set_int("b", 2);  // the cached slot of position 0 was "a": gone with take()
  builder.set_string("a", "1");
  Block second = builder.take();
  EXPECT_THAT(render_rows(second), ElementsAre("2 b=2i a=\"1\""));
  EXPECT_EQ(dictionary_size(second, "a"), 1u);
}

}  // namespace
}  // namespace tessera::engine
