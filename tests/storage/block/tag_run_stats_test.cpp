// compute_tag_run_stats: runs of equal tag values (NULL a value of its own), each
// run's statistics of the value column as stats_of gives them for those rows, and
// no runs at all where they are short; checked against values worked out by hand.
#include "storage/block/tag_run_stats.h"

#include <gtest/gtest.h>

namespace tessera::storage {
namespace {

Column tag_column(std::vector<uint32_t> codes, std::vector<uint8_t> valid = {}) {
  Column tag;
  tag.type = ColumnType::kString;
  tag.codes = std::move(codes);
  tag.dictionary = {"x", "y", "z"};
  tag.valid = std::move(valid);
  return tag;
}

TEST(TagRunStatsTest, SplitsRowsIntoRunsWithTheirStatistics) {
  // Runs: x x | NULL | y y y | x (x again, a run of its own).
  const Column tag = tag_column({0, 0, 2, 1, 1, 1, 0}, {1, 1, 0, 1, 1, 1, 1});
  Column value;
  value.type = ColumnType::kFloat64;
  value.floats = {1.5, 2.25, 9, -1, 0, 4, 7};
  value.valid = {1, 1, 1, 1, 0, 1, 1};
  auto r = compute_tag_run_stats(tag, &value, 1);
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  ASSERT_TRUE(r->has_value());
  const TagRunStats& runs = **r;
  EXPECT_EQ(runs.run_starts, (std::vector<uint32_t>{0, 2, 3, 6, 7}));
  EXPECT_EQ(runs.codes, (std::vector<uint32_t>{0, TagRunStats::kNullCode, 1, 0}));
  EXPECT_EQ(runs.dictionary, tag.dictionary);
  ASSERT_EQ(runs.runs.size(), 4u);
  EXPECT_EQ(runs.runs[0].sum_float, 3.75);
  EXPECT_EQ(runs.runs[0].min_float, 1.5);
  EXPECT_EQ(runs.runs[0].max_float, 2.25);
  EXPECT_EQ(runs.runs[1].sum_float, 9);
  // y y y: -1, NULL, 4.
  EXPECT_EQ(runs.runs[2].null_count, 1u);
  EXPECT_EQ(runs.runs[2].sum_float, 3);
  EXPECT_EQ(runs.runs[2].min_float, -1);
  EXPECT_EQ(runs.runs[2].max_float, 4);
  EXPECT_EQ(runs.runs[3].sum_float, 7);
  // The same counts of values and sums, packed.
  EXPECT_EQ(runs.value_counts, (std::vector<uint32_t>{2, 1, 2, 1}));
  EXPECT_EQ(runs.float_sums, (std::vector<double>{3.75, 9, 3, 7}));
  EXPECT_TRUE(runs.int_sums_exact);
  EXPECT_GT(runs.memory_bytes(), sizeof(TagRunStats));
}

TEST(TagRunStatsTest, RunsAloneWithoutAValueColumn) {
  auto r = compute_tag_run_stats(tag_column({1, 1, 1, 2}), nullptr, 1);
  ASSERT_TRUE(r.is_ok());
  ASSERT_TRUE(r->has_value());
  EXPECT_EQ((*r)->run_starts, (std::vector<uint32_t>{0, 3, 4}));
  EXPECT_EQ((*r)->codes, (std::vector<uint32_t>{1, 2}));
  EXPECT_TRUE((*r)->runs.empty());
  EXPECT_TRUE((*r)->value_counts.empty());
  EXPECT_TRUE((*r)->float_sums.empty());
}

TEST(TagRunStatsTest, IntegerRunsKeepExactSumsAndFlagOverflow) {
  const Column tag = tag_column({0, 0, 1, 1});
  Column value;
  value.type = ColumnType::kInt64;
  value.ints = {INT64_MIN, 5, INT64_MAX, 1};
  auto r = compute_tag_run_stats(tag, &value, 1);
  ASSERT_TRUE(r.is_ok());
  ASSERT_TRUE(r->has_value());
  EXPECT_TRUE((*r)->runs[0].sum_int_exact);
  EXPECT_EQ((*r)->runs[0].sum_int, INT64_MIN + 5);
  EXPECT_FALSE((*r)->runs[1].sum_int_exact);  // INT64_MAX + 1
  EXPECT_FALSE((*r)->int_sums_exact);
  // Integer runs pack their counts of values; their sums stay in `runs`.
  EXPECT_EQ((*r)->value_counts, (std::vector<uint32_t>{2, 2}));
  EXPECT_TRUE((*r)->float_sums.empty());
}

TEST(TagRunStatsTest, ShortRunsGiveNone) {
  // Four runs in eight rows: an average of 2. At least 2 passes, 3 does not.
  const Column tag = tag_column({0, 0, 1, 1, 0, 0, 2, 2});
  auto two = compute_tag_run_stats(tag, nullptr, 2);
  ASSERT_TRUE(two.is_ok());
  EXPECT_TRUE(two->has_value());
  auto three = compute_tag_run_stats(tag, nullptr, 3);
  ASSERT_TRUE(three.is_ok());
  EXPECT_FALSE(three->has_value());
}

TEST(TagRunStatsTest, MismatchedColumnsAndCodesAreCorruption) {
  Column value;
  value.type = ColumnType::kInt64;
  value.ints = {1, 2};
  auto lengths = compute_tag_run_stats(tag_column({0, 0, 0}), &value, 1);
  ASSERT_FALSE(lengths.is_ok());
  EXPECT_EQ(lengths.error().code, ErrorCode::kCorruption);
  auto code = compute_tag_run_stats(tag_column({0, 3}), nullptr, 1);
  ASSERT_FALSE(code.is_ok());
  EXPECT_EQ(code.error().code, ErrorCode::kCorruption);
  Column not_a_tag = value;
  auto type = compute_tag_run_stats(not_a_tag, nullptr, 1);
  ASSERT_FALSE(type.is_ok());
  EXPECT_EQ(type.error().code, ErrorCode::kCorruption);
}

}  // namespace
}  // namespace tessera::storage
