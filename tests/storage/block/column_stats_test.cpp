#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>

#include "storage/block/column.h"

namespace tessera::storage {
namespace {

Block one_column_block(Column column) {
  Block block;
  block.time_ns.assign(column.size(), 0);
  block.column_names = {"v"};
  block.columns.push_back(std::move(column));
  return block;
}

TEST(ColumnStatsTest, SumsIntegersSkippingNulls) {
  Column column;
  column.type = ColumnType::kInt64;
  column.ints = {5, 100, -7, 0};
  column.valid = {1, 0, 1, 1};
  ColumnStats stats = compute_stats(one_column_block(column)).columns[0];
  EXPECT_TRUE(stats.sum_int_exact);
  EXPECT_EQ(stats.sum_int, -2);
  EXPECT_EQ(stats.null_count, 1u);
}

TEST(ColumnStatsTest, MarksAnOverflowedIntegerSumInexact) {
  Column column;
  column.type = ColumnType::kInt64;
  column.ints = {std::numeric_limits<int64_t>::max(), 1, -5};
  ColumnStats stats = compute_stats(one_column_block(column)).columns[0];
  EXPECT_FALSE(stats.sum_int_exact);
}

TEST(ColumnStatsTest, SumsBooleansAsCountsOfTrue) {
  Column column;
  column.type = ColumnType::kBool;
  column.bools = {1, 0, 1, 1};
  ColumnStats stats = compute_stats(one_column_block(column)).columns[0];
  EXPECT_TRUE(stats.sum_int_exact);
  EXPECT_EQ(stats.sum_int, 3);
}

TEST(ColumnStatsTest, SumsFloatsAndPropagatesNaN) {
  Column column;
  column.type = ColumnType::kFloat64;
  column.floats = {1.25, 2.5, 99.0};
  column.valid = {1, 1, 0};
  EXPECT_DOUBLE_EQ(compute_stats(one_column_block(column)).columns[0].sum_float, 3.75);

  column.floats = {1.0, std::nan(""), 2.0};
  column.valid.clear();
  ColumnStats with_nan = compute_stats(one_column_block(column)).columns[0];
  EXPECT_TRUE(std::isnan(with_nan.sum_float));
  EXPECT_EQ(with_nan.min_float, 1.0);  // min/max skip NaN
  EXPECT_EQ(with_nan.max_float, 2.0);
}

// Bounds by bytes over the values of valid rows only: a NULL row's code and a
// dictionary entry no row uses do not count.
TEST(ColumnStatsTest, StringBoundsComeFromTheValuesOfValidRows) {
  Column column;
  column.type = ColumnType::kString;
  column.dictionary = {"", "m", "B", "zz", "a", "~unused"};
  column.codes = {0, 1, 2, 3, 4, 3};
  column.valid = {0, 1, 1, 0, 1, 1};  // row 0 points at "" and row 3 at "zz": both NULL
  ColumnStats stats = compute_stats(one_column_block(column)).columns[0];
  EXPECT_TRUE(stats.has_min_max);
  EXPECT_EQ(stats.min_string, "B");   // 'B' (0x42) sorts before 'a'
  EXPECT_EQ(stats.max_string, "zz");  // row 5 is valid
  EXPECT_EQ(stats.null_count, 2u);

  column.valid = {0, 0, 0, 0, 0, 0};
  ColumnStats all_null = compute_stats(one_column_block(column)).columns[0];
  EXPECT_FALSE(all_null.has_min_max);
  EXPECT_EQ(all_null.null_count, 6u);

  column.valid.clear();
  column.codes = {1, 1, 1, 1, 1, 1};
  ColumnStats one_value = compute_stats(one_column_block(column)).columns[0];
  EXPECT_EQ(one_value.min_string, "m");
  EXPECT_EQ(one_value.max_string, "m");
}

// Dedup's live rows: what rows a mask drops count for nothing, not even as NULLs,
// and a string seen only in dropped rows bounds nothing. Worked by hand.
TEST(ColumnStatsTest, LiveRowStatisticsLeaveReplacedRowsOut) {
  Column ints;
  ints.type = ColumnType::kInt64;
  ints.ints = {5, 100, -7, 0, 9};
  ints.valid = {1, 0, 1, 1, 1};
  const std::vector<uint8_t> int_live = {1, 1, 0, 1, 1};  // 5, NULL, 0, 9
  ColumnStats stats = stats_of_live(ints, int_live);
  EXPECT_EQ(stats.sum_int, 14);
  EXPECT_TRUE(stats.sum_int_exact);
  EXPECT_EQ(stats.null_count, 1u);
  EXPECT_EQ(stats.min_int, 0);
  EXPECT_EQ(stats.max_int, 9);

  Column floats;
  floats.type = ColumnType::kFloat64;
  floats.floats = {1.5, std::nan(""), 2.5, -1.0};
  stats = stats_of_live(floats, std::vector<uint8_t>{1, 0, 1, 1});
  EXPECT_EQ(stats.sum_float, 3.0);
  EXPECT_EQ(stats.min_float, -1.0);
  EXPECT_EQ(stats.max_float, 2.5);
  EXPECT_EQ(stats.null_count, 0u);

  Column strings;
  strings.type = ColumnType::kString;
  strings.dictionary = {"b", "a", "c"};
  strings.codes = {0, 1, 2, 1};
  stats = stats_of_live(strings, std::vector<uint8_t>{1, 0, 1, 0});
  EXPECT_EQ(stats.min_string, "b");
  EXPECT_EQ(stats.max_string, "c");

  stats = stats_of_live(ints, std::vector<uint8_t>{0, 0, 0, 0, 0});
  EXPECT_FALSE(stats.has_min_max);
  EXPECT_EQ(stats.sum_int, 0);
  EXPECT_EQ(stats.null_count, 0u);
}

}  // namespace
}  // namespace tessera::storage
