// storage::total_of: the statistics of several blocks together equal those
// compute_stats gives for their rows concatenated (float sums: the blocks' sums
// added in block order), over random blocks that lack columns, hold NULLs and NaN.
#include "storage/block/stats_total.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "tests/support/memory_engine.h"

namespace tessera::storage {
namespace {

using tessera::testing::bool_column;
using tessera::testing::float_column;
using tessera::testing::int_column;
using tessera::testing::string_column;

// One block's rows, column by column; a column left empty is absent from the block.
struct Rows {
  std::vector<int64_t> time;
  std::vector<std::optional<int64_t>> i;
  std::vector<std::optional<double>> f;
  std::vector<std::optional<std::string>> s;
  std::vector<std::optional<bool>> b;
};

Block block_of(const Rows& rows) {
  Block block;
  block.time_ns = rows.time;
  auto add = [&](const char* name, Column column) {
    block.column_names.push_back(name);
    block.columns.push_back(std::move(column));
  };
  if (!rows.i.empty()) add("i", int_column(rows.i));
  if (!rows.f.empty()) add("f", float_column(rows.f));
  if (!rows.s.empty()) add("s", string_column(rows.s));
  if (!rows.b.empty()) add("b", bool_column(rows.b));
  return block;
}

// Appends `from`'s rows to `into`, a column absent from `from` as NULLs.
void append(const Rows& from, Rows& into) {
  const size_t n = from.time.size();
  into.time.insert(into.time.end(), from.time.begin(), from.time.end());
  auto extend = [n](const auto& src, auto& dst) {
    if (src.empty()) {
      dst.resize(dst.size() + n);
    } else {
      dst.insert(dst.end(), src.begin(), src.end());
    }
  };
  extend(from.i, into.i);
  extend(from.f, into.f);
  extend(from.s, into.s);
  extend(from.b, into.b);
}

Rows random_rows(std::mt19937_64& rng, size_t n, int64_t day) {
  Rows rows;
  const bool has_f = rng() % 4 != 0;
  for (size_t r = 0; r < n; ++r) {
    rows.time.push_back(day * 86'400'000'000'000 +
                        static_cast<int64_t>(rng() % 86'400) * 1'000'000'000);
    rows.i.push_back(rng() % 5 == 0
                         ? std::nullopt
                         : std::optional<int64_t>(static_cast<int64_t>(rng() % 2001) - 1000));
    if (has_f) {
      const uint64_t pick = rng() % 50;
      rows.f.push_back(pick == 0 ? std::nullopt
                       : pick == 1
                           ? std::optional<double>(-0.0)
                           : std::optional<double>(static_cast<double>(rng() % 100'000) / 100));
    }
    rows.s.push_back(rng() % 7 == 0 ? std::nullopt
                                    : std::optional<std::string>("v" + std::to_string(rng() % 40)));
    rows.b.push_back(std::optional<bool>(rng() % 2 == 0));
  }
  return rows;
}

void expect_column_equal(const BlockStats& want, const BlockStats& got, const std::string& name) {
  const int w = want.find(name);
  const int g = got.find(name);
  ASSERT_GE(w, 0) << name;
  ASSERT_GE(g, 0) << name;
  const ColumnStats& a = want.columns[static_cast<size_t>(w)];
  const ColumnStats& b = got.columns[static_cast<size_t>(g)];
  EXPECT_EQ(want.column_types[static_cast<size_t>(w)], got.column_types[static_cast<size_t>(g)]);
  EXPECT_EQ(a.null_count, b.null_count) << name;
  EXPECT_EQ(a.has_min_max, b.has_min_max) << name;
  EXPECT_EQ(a.min_int, b.min_int) << name;
  EXPECT_EQ(a.max_int, b.max_int) << name;
  EXPECT_EQ(a.min_float, b.min_float) << name;
  EXPECT_EQ(a.max_float, b.max_float) << name;
  EXPECT_EQ(a.min_string, b.min_string) << name;
  EXPECT_EQ(a.max_string, b.max_string) << name;
  EXPECT_EQ(a.sum_int_exact, b.sum_int_exact) << name;
  EXPECT_EQ(a.sum_int, b.sum_int) << name;
  EXPECT_TRUE(b.quantile_sketch.empty()) << name;
}

TEST(StatsTotalTest, EqualsTheStatisticsOfTheRowsConcatenated) {
  std::mt19937_64 rng(20261207);
  for (int trial = 0; trial < 50; ++trial) {
    const size_t block_count = 1 + rng() % 6;
    std::vector<BlockStats> stats;
    Rows all;
    double float_sum_in_block_order = 0;
    for (size_t k = 0; k < block_count; ++k) {
      Rows rows = random_rows(rng, 1 + rng() % 300, static_cast<int64_t>(rng() % 5));
      if (rng() % 5 == 0) rows.s.clear();  // a block without s
      Block block = block_of(rows);
      stats.push_back(compute_stats(block));
      add_quantile_sketches(block, &stats.back());
      const int f = stats.back().find("f");
      if (f >= 0)
        float_sum_in_block_order += stats.back().columns[static_cast<size_t>(f)].sum_float;
      append(rows, all);
    }
    std::vector<const BlockStats*> pointers;
    for (const BlockStats& s : stats) pointers.push_back(&s);
    const std::optional<BlockStats> total = total_of(pointers);
    ASSERT_TRUE(total.has_value());

    // Concatenated, every column is present; one that no block has stays absent.
    const BlockStats want = compute_stats(block_of(all));
    EXPECT_EQ(total->row_count, want.row_count);
    EXPECT_EQ(total->min_time_ns, want.min_time_ns);
    EXPECT_EQ(total->max_time_ns, want.max_time_ns);
    for (const std::string name : {"i", "s", "b"}) {
      if (total->find(name) >= 0) expect_column_equal(want, *total, name);
    }
    if (total->find("f") >= 0) {
      expect_column_equal(want, *total, "f");
      const ColumnStats& f = total->columns[static_cast<size_t>(total->find("f"))];
      EXPECT_EQ(f.sum_float, float_sum_in_block_order);
      EXPECT_NEAR(f.sum_float, want.columns[static_cast<size_t>(want.find("f"))].sum_float, 1e-6);
    }
  }
}

TEST(StatsTotalTest, AnIntegerSumThatLeavesInt64IsNotExact) {
  Rows a, b;
  a.time = {0};
  a.i = {std::numeric_limits<int64_t>::max()};
  b.time = {1};
  b.i = {1};
  const BlockStats sa = compute_stats(block_of(a));
  const BlockStats sb = compute_stats(block_of(b));
  ASSERT_TRUE(sa.columns[0].sum_int_exact && sb.columns[0].sum_int_exact);
  const BlockStats* both[] = {&sa, &sb};
  const std::optional<BlockStats> total = total_of(both);
  ASSERT_TRUE(total.has_value());
  EXPECT_FALSE(total->columns[0].sum_int_exact);
  EXPECT_EQ(total->columns[0].max_int, std::numeric_limits<int64_t>::max());
}

TEST(StatsTotalTest, KeepsANaNSumAndUnknownSums) {
  Rows a, b;
  a.time = {0, 1};
  a.f = {1.5, std::numeric_limits<double>::quiet_NaN()};
  b.time = {2};
  b.f = {2.5};
  BlockStats sa = compute_stats(block_of(a));
  BlockStats sb = compute_stats(block_of(b));
  sb.columns[0].has_sum = false;  // as read from a version-1 footer
  const BlockStats* both[] = {&sa, &sb};
  const std::optional<BlockStats> total = total_of(both);
  ASSERT_TRUE(total.has_value());
  EXPECT_TRUE(std::isnan(total->columns[0].sum_float));
  EXPECT_FALSE(total->columns[0].has_sum);
  EXPECT_EQ(total->columns[0].min_float, 1.5);
  EXPECT_EQ(total->columns[0].max_float, 2.5);
}

TEST(StatsTotalTest, RefusesBlocksThatDisagreeOnAColumnsTypeAndNoBlocks) {
  Rows a, b;
  a.time = {0};
  a.i = {1};
  b.time = {1};
  b.f = {1.0};
  BlockStats sa = compute_stats(block_of(a));
  BlockStats sb = compute_stats(block_of(b));
  sb.column_names[0] = "i";  // "i" as a float in the second block
  const BlockStats* both[] = {&sa, &sb};
  EXPECT_FALSE(total_of(both).has_value());
  EXPECT_FALSE(total_of({}).has_value());
}

}  // namespace
}  // namespace tessera::storage
