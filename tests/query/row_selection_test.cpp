// keep_rows_equal and select_rows_equal, the filters behind the tenant scope and
// `column = 'value'` conjuncts, and evaluate_truth, which FILTER and count_if read:
// against row-by-row references over random blocks (NULLs, dictionaries that lack
// or repeat the value, partial selections), and on damaged columns.
#include "query/row_selection.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <optional>
#include <random>

#include "query/vector_kernels.h"

namespace tessera::query::detail {
namespace {

using storage::Block;
using storage::Column;
using storage::ColumnType;
using Kind = BoundExpr::Kind;

engine::LoadedBlock loaded(Column tag, size_t rows) {
  auto block = std::make_shared<Block>();
  block->time_ns.assign(rows, 0);
  block->column_names = {"tag"};
  block->columns = {std::move(tag)};
  const std::string names[] = {"tag"};
  return engine::LoadedBlock::project(block, names);
}

// A tag column of `rows` rows over 1..max_dictionary entries drawn from v0..v3
// (so entries may repeat), with NULLs in about every other column.
Column random_tag(std::mt19937& rng, size_t rows, size_t max_dictionary) {
  Column tag;
  tag.type = ColumnType::kString;
  const size_t dict = 1 + rng() % max_dictionary;
  for (size_t c = 0; c < dict; ++c) tag.dictionary.push_back("v" + std::to_string(rng() % 4));
  const bool has_nulls = rng() % 2 == 0;
  for (size_t r = 0; r < rows; ++r) {
    tag.codes.push_back(static_cast<uint32_t>(rng() % dict));
    if (has_nulls) tag.valid.push_back(rng() % 4 != 0);
  }
  return tag;
}

// About two thirds of the rows 0..rows-1, ascending.
std::vector<uint32_t> random_selection(std::mt19937& rng, size_t rows) {
  std::vector<uint32_t> sel;
  for (uint32_t r = 0; r < rows; ++r) {
    if (rng() % 3 != 0) sel.push_back(r);
  }
  return sel;
}

TEST(RowSelectionTest, KeepRowsEqualMatchesRowByRowComparison) {
  std::mt19937 rng(7);
  for (int round = 0; round < 300; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    const size_t rows = 1 + rng() % 200;
    const Column tag = random_tag(rng, rows, 5);
    std::vector<uint32_t> sel = random_selection(rng, rows);
    const std::string value = "v" + std::to_string(rng() % 5);  // "v4" is never present
    std::vector<uint32_t> expected;
    for (uint32_t r : sel) {
      if (tag.is_valid(r) && tag.string_at(r) == value) expected.push_back(r);
    }
    ASSERT_TRUE(keep_rows_equal(loaded(tag, rows), "tag", value, sel).is_ok());
    EXPECT_EQ(sel, expected);
  }
}

// Every row selected and no NULLs: the vector path, on codes in runs (a sorted
// block, where groups of eight match in none or all rows) and scattered.
TEST(RowSelectionTest, KeepRowsEqualOverEveryRowMatchesRowByRowComparison) {
  std::mt19937 rng(11);
  for (int round = 0; round < 300; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    const size_t rows = rng() % 300;
    Column tag;
    tag.type = ColumnType::kString;
    tag.dictionary = {"v0", "v1", "v2", "v3"};
    const bool in_runs = round % 2 == 0;
    uint32_t code = 0;
    for (size_t r = 0; r < rows; ++r) {
      if (!in_runs || rng() % 20 == 0) code = static_cast<uint32_t>(rng() % 4);
      tag.codes.push_back(code);
    }
    const std::string value = "v" + std::to_string(rng() % 5);  // "v4" is never present
    std::vector<uint32_t> sel(rows), expected;
    for (uint32_t r = 0; r < rows; ++r) {
      sel[r] = r;
      if (tag.string_at(r) == value) expected.push_back(r);
    }
    ASSERT_TRUE(keep_rows_equal(loaded(tag, rows), "tag", value, sel).is_ok());
    EXPECT_EQ(sel, expected);
  }
}

// select_rows_equal writes the rows of a whole block whose tag is the value,
// whatever `sel` held before: compared row by row, on codes in runs and scattered,
// with NULLs and repeated dictionary entries, and with stale contents of every size.
TEST(RowSelectionTest, SelectRowsEqualMatchesRowByRowComparison) {
  std::mt19937 rng(13);
  std::vector<uint32_t> sel;  // reused from round to round, as the scan reuses it
  for (int round = 0; round < 400; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    const size_t rows = rng() % 300;
    Column tag;
    if (round % 3 == 0) {
      tag = random_tag(rng, rows, 5);
    } else {
      tag.type = ColumnType::kString;
      tag.dictionary = {"v0", "v1", "v2", "v3"};
      uint32_t code = 0;
      for (size_t r = 0; r < rows; ++r) {
        if (round % 3 == 2 || rng() % 20 == 0) code = static_cast<uint32_t>(rng() % 4);
        tag.codes.push_back(code);
      }
    }
    const std::string value = "v" + std::to_string(rng() % 5);  // "v4" is never present
    std::vector<uint32_t> expected;
    for (uint32_t r = 0; r < rows; ++r) {
      if (tag.is_valid(r) && tag.string_at(r) == value) expected.push_back(r);
    }
    ASSERT_TRUE(select_rows_equal(loaded(tag, rows), "tag", value, sel).is_ok());
    EXPECT_EQ(sel, expected);
  }
  // A missing column keeps no row; a code past the dictionary is corruption.
  Column ints;
  ints.type = ColumnType::kInt64;
  ints.ints = {1, 2};
  sel = {0, 1};
  ASSERT_TRUE(select_rows_equal(loaded(ints, 2), "tag", "1", sel).is_ok());
  EXPECT_TRUE(sel.empty());
  Column bad;
  bad.type = ColumnType::kString;
  bad.dictionary = {"a", "b"};
  bad.codes.assign(18, 0);
  bad.codes[9] = 2;
  EXPECT_EQ(select_rows_equal(loaded(bad, 18), "tag", "a", sel).code(), ErrorCode::kCorruption);
  bad.codes.resize(17);  // shorter than its block
  EXPECT_EQ(select_rows_equal(loaded(bad, 18), "tag", "a", sel).code(), ErrorCode::kCorruption);
}

TEST(RowSelectionTest, KeepRowsEqualDropsEveryRowOfAMissingOrNonStringColumn) {
  Column ints;
  ints.type = ColumnType::kInt64;
  ints.ints = {1, 2};
  std::vector<uint32_t> sel = {0, 1};
  ASSERT_TRUE(keep_rows_equal(loaded(ints, 2), "tag", "1", sel).is_ok());
  EXPECT_TRUE(sel.empty());
  sel = {0, 1};
  ASSERT_TRUE(keep_rows_equal(loaded(ints, 2), "other", "1", sel).is_ok());
  EXPECT_TRUE(sel.empty());
}

TEST(RowSelectionTest, KeepRowsEqualReportsAColumnShorterThanTheSelection) {
  Column tag;
  tag.type = ColumnType::kString;
  tag.dictionary = {"a"};
  tag.codes = {0, 0};
  std::vector<uint32_t> sel = {0, 1, 2};
  const Status status = keep_rows_equal(loaded(tag, 3), "tag", "a", sel);
  EXPECT_EQ(status.code(), ErrorCode::kCorruption) << status.to_string();
  tag.valid = {1};
  sel = {0, 1};
  EXPECT_EQ(keep_rows_equal(loaded(tag, 2), "tag", "a", sel).code(), ErrorCode::kCorruption);
}

TEST(RowSelectionTest, KeepRowsEqualReportsACodePastTheDictionaryUnlessTheRowIsNull) {
  Column tag;
  tag.type = ColumnType::kString;
  tag.dictionary = {"a", "b"};
  tag.codes = {0, 5, 1};
  for (const bool with_validity : {false, true}) {
    if (with_validity) tag.valid = {1, 1, 1};
    std::vector<uint32_t> sel = {0, 1, 2};
    EXPECT_EQ(keep_rows_equal(loaded(tag, 3), "tag", "a", sel).code(), ErrorCode::kCorruption);
  }
  // Past eight rows, every row selected: a bad code in a group of eight, and after.
  for (const size_t bad_row : {size_t{3}, size_t{9}, size_t{17}}) {
    Column many = tag;
    many.valid.clear();
    many.codes.assign(18, 0);
    many.codes[bad_row] = 2;
    std::vector<uint32_t> sel(18);
    for (uint32_t r = 0; r < 18; ++r) sel[r] = r;
    EXPECT_EQ(keep_rows_equal(loaded(many, 18), "tag", "b", sel).code(), ErrorCode::kCorruption)
        << bad_row;
  }
  tag.valid = {1, 0, 1};  // a NULL row's code is not read
  std::vector<uint32_t> sel = {0, 1, 2};
  ASSERT_TRUE(keep_rows_equal(loaded(tag, 3), "tag", "b", sel).is_ok());
  EXPECT_EQ(sel, std::vector<uint32_t>{2});
}

BoundExpr tag_column() {
  BoundExpr e;
  e.kind = Kind::kColumn;
  e.name = "tag";
  e.type = ValueType::kString;
  e.text = "tag";
  return e;
}

// tag = 'v1' or tag <> 'v1'.
BoundExpr tag_compared(BinaryOp op) {
  BoundExpr value;
  value.kind = Kind::kConstant;
  value.constant = Value{std::string("v1")};
  value.type = ValueType::kString;
  value.text = "'v1'";
  BoundExpr e;
  e.kind = Kind::kBinary;
  e.binary_op = op;
  e.type = ValueType::kBool;
  e.text = op == BinaryOp::kEqual ? "tag = 'v1'" : "tag <> 'v1'";
  e.children = {tag_column(), std::move(value)};
  return e;
}

// tag [NOT] IN ('v1', 'v3'), or 'v1' = tag: the shapes evaluated straight from the
// dictionary, beside tag_compared's.
BoundExpr tag_in(bool negated) {
  BoundExpr e;
  e.kind = Kind::kIn;
  e.is_negated = negated;
  e.type = ValueType::kBool;
  e.text = negated ? "tag NOT IN ('v1', 'v3')" : "tag IN ('v1', 'v3')";
  e.children = {tag_column()};
  for (const char* v : {"v1", "v3"}) {
    BoundExpr value;
    value.kind = Kind::kConstant;
    value.constant = Value{std::string(v)};
    value.type = ValueType::kString;
    value.text = std::string("'") + v + "'";
    e.children.push_back(std::move(value));
  }
  return e;
}

BoundExpr constant_equals_tag() {
  BoundExpr e = tag_compared(BinaryOp::kEqual);
  std::swap(e.children[0], e.children[1]);
  e.text = "'v1' = tag";
  return e;
}

BoundExpr tag_is_null() {
  BoundExpr e;
  e.kind = Kind::kIsNull;
  e.type = ValueType::kBool;
  e.text = "tag IS NULL";
  e.children = {tag_column()};
  return e;
}

Result<std::vector<uint8_t>> truth_of(const BoundExpr& cond, const engine::LoadedBlock& block,
                                      const std::vector<uint32_t>& sel) {
  LeafResolver leaves = [&](const BoundExpr& leaf) { return gather_column(block, leaf, sel); };
  return evaluate_truth(cond, block, sel, leaves);
}

TEST(RowSelectionTest, EvaluateTruthMatchesRowByRowComparison) {
  std::mt19937 rng(11);
  for (int round = 0; round < 300; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    const size_t rows = 1 + rng() % 40;
    // Up to 12 entries: sometimes as many as the rows selected, which takes the
    // row-by-row path instead of the per-entry one.
    const Column tag = random_tag(rng, rows, 12);
    const std::vector<uint32_t> sel = random_selection(rng, rows);
    const engine::LoadedBlock block = loaded(tag, rows);
    for (const BinaryOp op : {BinaryOp::kEqual, BinaryOp::kNotEqual}) {
      std::vector<uint8_t> expected;
      for (uint32_t r : sel) {
        // NULL compares unknown: not true.
        expected.push_back(tag.is_valid(r) &&
                           (tag.string_at(r) == "v1") == (op == BinaryOp::kEqual));
      }
      auto truth = truth_of(tag_compared(op), block, sel);
      ASSERT_TRUE(truth.is_ok()) << truth.error().message;
      EXPECT_EQ(*truth, expected);
    }
    for (const bool negated : {false, true}) {
      std::vector<uint8_t> expected;
      for (uint32_t r : sel) {
        const bool listed =
            tag.is_valid(r) && (tag.string_at(r) == "v1" || tag.string_at(r) == "v3");
        expected.push_back(tag.is_valid(r) && listed != negated);  // NULL [NOT] IN: unknown
      }
      auto truth = truth_of(tag_in(negated), block, sel);
      ASSERT_TRUE(truth.is_ok()) << truth.error().message;
      EXPECT_EQ(*truth, expected) << (negated ? "NOT IN" : "IN");
    }
    std::vector<uint8_t> expected_equal;
    for (uint32_t r : sel) expected_equal.push_back(tag.is_valid(r) && tag.string_at(r) == "v1");
    auto equal = truth_of(constant_equals_tag(), block, sel);
    ASSERT_TRUE(equal.is_ok()) << equal.error().message;
    EXPECT_EQ(*equal, expected_equal);
    std::vector<uint8_t> expected;
    for (uint32_t r : sel) expected.push_back(!tag.is_valid(r));
    auto truth = truth_of(tag_is_null(), block, sel);
    ASSERT_TRUE(truth.is_ok()) << truth.error().message;
    EXPECT_EQ(*truth, expected);
  }
}

TEST(RowSelectionTest, EvaluateTruthReportsACodePastTheDictionary) {
  Column tag;
  tag.type = ColumnType::kString;
  tag.dictionary = {"v1"};
  tag.codes = {0, 3, 0, 0};
  const std::vector<uint32_t> sel = {0, 1, 2, 3};
  auto truth = truth_of(tag_compared(BinaryOp::kEqual), loaded(tag, 4), sel);
  ASSERT_FALSE(truth.is_ok());
  EXPECT_EQ(truth.error().code, ErrorCode::kCorruption) << truth.error().message;
  tag.valid = {1, 0, 1, 1};  // a NULL row's code is not read
  truth = truth_of(tag_compared(BinaryOp::kEqual), loaded(tag, 4), sel);
  ASSERT_TRUE(truth.is_ok()) << truth.error().message;
  EXPECT_EQ(*truth, (std::vector<uint8_t>{1, 0, 1, 1}));
}

// truth_ranges reads tag conditions from the runs of the tag's codes: the ranges
// must be those of evaluate_truth's bytes (NULL runs included), and it declines
// partial selections, other conditions and runs of another block.
TEST(RowSelectionTest, TruthRangesFromTagRunsMatchTheTruthBytes) {
  std::mt19937 rng(13);
  int from_runs = 0, declined = 0;
  for (int round = 0; round < 300; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    const size_t rows = 20 + rng() % 400;
    Column tag = random_tag(rng, rows, 6);
    // Sorted codes in runs, as a block sorted by series holds them.
    std::sort(tag.codes.begin(), tag.codes.end());
    const auto runs = storage::compute_tag_run_stats(tag, nullptr, 1);
    ASSERT_TRUE(runs.is_ok() && runs.value().has_value());
    const bool partial = rng() % 4 == 0;
    std::vector<uint32_t> sel(rows);
    for (uint32_t r = 0; r < rows; ++r) sel[r] = r;
    if (partial) sel = random_selection(rng, rows);
    if (sel.empty()) continue;
    const engine::LoadedBlock block = loaded(tag, rows);
    for (const BoundExpr& cond :
         {tag_compared(BinaryOp::kEqual), tag_compared(BinaryOp::kNotEqual), tag_in(false),
          tag_in(true), constant_equals_tag(), tag_is_null()}) {
      SCOPED_TRACE(cond.text);
      ASSERT_NE(condition_tag(cond), nullptr);
      EXPECT_EQ(*condition_tag(cond), "tag");
      std::vector<uint32_t> ranges;
      auto found = truth_ranges(cond, block, sel, **runs, &ranges);
      ASSERT_TRUE(found.is_ok()) << found.error().message;
      EXPECT_EQ(*found, !partial && tag.dictionary.size() < rows);
      if (!*found) {
        ++declined;
        continue;
      }
      ++from_runs;
      auto truth = truth_of(cond, block, sel);
      ASSERT_TRUE(truth.is_ok()) << truth.error().message;
      EXPECT_EQ(std::optional<std::vector<uint32_t>>(ranges), kept_ranges(*truth, rows));
    }
    // The runs of a block with one row more do not fit this one.
    Column longer = tag;
    longer.codes.push_back(longer.codes.back());
    if (!longer.valid.empty()) longer.valid.push_back(1);
    const auto other = storage::compute_tag_run_stats(longer, nullptr, 1);
    std::vector<uint32_t> ranges;
    auto found = truth_ranges(tag_compared(BinaryOp::kEqual), block, sel, **other, &ranges);
    ASSERT_TRUE(found.is_ok());
    EXPECT_FALSE(*found);
  }
  EXPECT_GT(from_runs, 800);
  EXPECT_GT(declined, 200);
}

TEST(RowSelectionTest, TruthRangesReportARunCodePastTheDictionary) {
  Column tag;
  tag.type = ColumnType::kString;
  tag.dictionary = {"v1", "v2"};
  tag.codes = {0, 0, 1, 1};
  storage::TagRunStats runs;
  runs.dictionary = tag.dictionary;
  runs.run_starts = {0, 2, 4};
  runs.codes = {0, 5};  // damaged: no entry 5
  std::vector<uint32_t> ranges;
  auto found =
      truth_ranges(tag_compared(BinaryOp::kEqual), loaded(tag, 4), {0, 1, 2, 3}, runs, &ranges);
  ASSERT_FALSE(found.is_ok());
  EXPECT_EQ(found.error().code, ErrorCode::kCorruption) << found.error().message;
}

}  // namespace
}  // namespace tessera::query::detail
