// keep_rows_equal, the filter behind the tenant scope and `column = 'value'`
// conjuncts: against a row-by-row reference over random blocks (NULLs, dictionaries
// that lack or repeat the value, partial selections), and on damaged columns.
#include "query/row_selection.h"

#include <gtest/gtest.h>

#include <random>

namespace tessera::query::detail {
namespace {

using storage::Block;
using storage::Column;
using storage::ColumnType;

engine::LoadedBlock loaded(Column tag, size_t rows) {
  auto block = std::make_shared<Block>();
  block->time_ns.assign(rows, 0);
  block->column_names = {"tag"};
  block->columns = {std::move(tag)};
  const std::string names[] = {"tag"};
  return engine::LoadedBlock::project(block, names);
}

TEST(RowSelectionTest, KeepRowsEqualMatchesRowByRowComparison) {
  std::mt19937 rng(7);
  for (int round = 0; round < 300; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    const size_t rows = 1 + rng() % 200;
    Column tag;
    tag.type = ColumnType::kString;
    const size_t dict = 1 + rng() % 5;
    for (size_t c = 0; c < dict; ++c) tag.dictionary.push_back("v" + std::to_string(rng() % 4));
    const bool has_nulls = rng() % 2 == 0;
    for (size_t r = 0; r < rows; ++r) {
      tag.codes.push_back(static_cast<uint32_t>(rng() % dict));
      if (has_nulls) tag.valid.push_back(rng() % 4 != 0);
    }
    std::vector<uint32_t> sel;
    for (uint32_t r = 0; r < rows; ++r) {
      if (rng() % 3 != 0) sel.push_back(r);
    }
    const std::string value = "v" + std::to_string(rng() % 5);  // "v4" is never present
    std::vector<uint32_t> expected;
    for (uint32_t r : sel) {
      if (tag.is_valid(r) && tag.string_at(r) == value) expected.push_back(r);
    }
    ASSERT_TRUE(keep_rows_equal(loaded(tag, rows), "tag", value, sel).is_ok());
    EXPECT_EQ(sel, expected);
  }
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
  tag.valid = {1, 0, 1};  // a NULL row's code is not read
  std::vector<uint32_t> sel = {0, 1, 2};
  ASSERT_TRUE(keep_rows_equal(loaded(tag, 3), "tag", "b", sel).is_ok());
  EXPECT_EQ(sel, std::vector<uint32_t>{2});
}

}  // namespace
}  // namespace tessera::query::detail
