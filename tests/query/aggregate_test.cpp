// Aggregator update paths against brute-force results computed here: rows scattered
// by group id, rows in runs of one group (the sorted-block path), blocks with NULLs
// or FILTER (the row path, or spans of kept rows when FILTER comes in runs), arguments read as
// vectors or in place from stored columns, and integer sums failing alike on every path, on their
// totals alone.
#include "query/aggregate.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <numeric>
#include <optional>
#include <random>

#include "query/vector_kernels.h"
#include "tests/query/query_test_util.h"

namespace tessera::query {
namespace {

AggregateSpec spec_of(AggregateFn fn, ValueType arg_type) {
  AggregateSpec spec;
  spec.fn = fn;
  spec.arg_type = arg_type;
  spec.result_type = fn == AggregateFn::kAvg ? ValueType::kFloat : arg_type;
  if (fn == AggregateFn::kCountStar || fn == AggregateFn::kCount) {
    spec.result_type = ValueType::kInt;
  }
  if (fn != AggregateFn::kCountStar) {
    BoundExpr arg;
    arg.kind = BoundExpr::Kind::kColumn;
    arg.name = "x";
    arg.type = arg_type;
    arg.text = "x";
    spec.arg = arg;
  }
  spec.text = "agg(x)";
  return spec;
}

struct BlockInput {
  std::vector<uint32_t> gids;
  Vec values;
};

// `n` rows in runs of random length (1..2 * average_run) over `groups` groups.
BlockInput random_block(std::mt19937& rng, size_t n, size_t average_run, uint32_t groups,
                        bool with_nulls) {
  BlockInput in;
  in.values = Vec::nulls(ValueType::kFloat, n);
  std::uniform_int_distribution<uint32_t> group(0, groups - 1);
  std::uniform_int_distribution<size_t> run(1, 2 * average_run);
  uint32_t g = group(rng);
  size_t left = run(rng);
  for (size_t i = 0; i < n; ++i) {
    if (left-- == 0) {
      g = group(rng);
      left = run(rng) - 1;
    }
    in.gids.push_back(g);
    in.values.floats[i] = static_cast<double>(rng() % 1000) / 4;  // exact in binary
    in.values.valid[i] = !with_nulls || rng() % 5 != 0;
  }
  return in;
}

Vec as_ints(const Vec& floats) {
  Vec v = Vec::nulls(ValueType::kInt, floats.size);
  v.valid = floats.valid;
  for (size_t i = 0; i < floats.size; ++i) v.ints[i] = static_cast<int64_t>(floats.floats[i] * 4);
  return v;
}

TEST(AggregateTest, RunsScatterAndRowPathsAgreeWithBruteForce) {
  std::mt19937 rng(20261203);
  int blocks_in_runs = 0, blocks_scattered = 0;
  const uint32_t kGroups = 7;
  for (int trial = 0; trial < 200; ++trial) {
    SCOPED_TRACE("trial " + std::to_string(trial));
    const size_t average_run = trial % 2 == 0 ? 40 : 2;
    const bool with_nulls = trial % 3 == 0;
    std::vector<BlockInput> blocks;
    for (int b = 0; b < 3; ++b) {
      blocks.push_back(random_block(rng, 1 + rng() % 600, average_run, kGroups, with_nulls));
    }
    // Brute force: every value is a multiple of 1/4 below 250, so float sums are exact.
    std::map<uint32_t, double> sums;
    std::map<uint32_t, int64_t> counts, rows;
    for (const BlockInput& block : blocks) {
      for (size_t i = 0; i < block.gids.size(); ++i) {
        rows[block.gids[i]] += 1;
        if (!block.values.valid[i]) continue;
        sums[block.gids[i]] += block.values.floats[i];
        counts[block.gids[i]] += 1;
      }
    }
    const AggregateSpec sum_float = spec_of(AggregateFn::kSum, ValueType::kFloat);
    const AggregateSpec sum_int = spec_of(AggregateFn::kSum, ValueType::kInt);
    const AggregateSpec avg_float = spec_of(AggregateFn::kAvg, ValueType::kFloat);
    const AggregateSpec count = spec_of(AggregateFn::kCount, ValueType::kFloat);
    const AggregateSpec count_star = spec_of(AggregateFn::kCountStar, ValueType::kNull);
    std::vector<Aggregator> aggs;
    for (const AggregateSpec* s : {&sum_float, &sum_int, &avg_float, &count, &count_star}) {
      aggs.emplace_back(*s);
    }
    // The same count, sums and avg reading stored columns in place.
    const std::vector<const AggregateSpec*> in_place_specs = {&sum_float, &sum_int, &avg_float,
                                                              &count};
    std::vector<Aggregator> in_place;
    for (const AggregateSpec* s : in_place_specs) in_place.emplace_back(*s);
    size_t memory = 0;
    for (const BlockInput& block : blocks) {
      const Vec ints = as_ints(block.values);
      const std::vector<uint32_t> runs = find_group_runs(block.gids, 16);
      (runs.empty() ? blocks_scattered : blocks_in_runs) += 1;
      for (size_t a = 0; a < aggs.size(); ++a) {
        AggregateInput input;
        input.group_ids = &block.gids;
        input.arg = a == 1 ? &ints : (a == 4 ? nullptr : &block.values);
        input.run_starts = runs.empty() ? nullptr : &runs;
        aggs[a].resize(kGroups);
        ASSERT_TRUE(aggs[a].update(input, &memory).is_ok());
      }
      storage::Column float_column, int_column;
      float_column.type = storage::ColumnType::kFloat64;
      float_column.floats = block.values.floats;
      int_column.type = storage::ColumnType::kInt64;
      int_column.ints = ints.ints;
      if (with_nulls) float_column.valid = int_column.valid = block.values.valid;
      // The in-place aggregates that can are given their groups by runs alone.
      std::vector<uint32_t> run_groups;
      for (size_t r = 0; r + 1 < runs.size(); ++r) run_groups.push_back(block.gids[runs[r]]);
      for (size_t a = 0; a < in_place.size(); ++a) {
        const storage::Column& column = a == 1 ? int_column : float_column;
        ASSERT_TRUE(reads_in_place(*in_place_specs[a], column));
        AggregateInput input;
        input.group_ids = &block.gids;
        if (!runs.empty() && reads_groups_by_runs(*in_place_specs[a])) {
          input.group_ids = nullptr;
          input.row_count = block.gids.size();
          input.run_groups = &run_groups;
        }
        input.in_place = &column;
        input.run_starts = runs.empty() ? nullptr : &runs;
        input.single_group = runs.size() == 2;
        in_place[a].resize(kGroups);
        ASSERT_TRUE(in_place[a].update(input, &memory).is_ok());
      }
    }
    for (uint32_t g = 0; g < kGroups; ++g) {
      for (size_t a = 0; a < in_place.size(); ++a) {
        EXPECT_EQ(testing::render(in_place[a].finalize(g)), testing::render(aggs[a].finalize(g)))
            << "in-place aggregate " << a << ", group " << g;
      }
    }
    for (uint32_t g = 0; g < kGroups; ++g) {
      SCOPED_TRACE("group " + std::to_string(g));
      if (counts[g] == 0) {
        EXPECT_TRUE(is_null(aggs[0].finalize(g)));
      } else {
        EXPECT_EQ(std::get<double>(aggs[0].finalize(g)), sums[g]);
        EXPECT_EQ(std::get<int64_t>(aggs[1].finalize(g)), static_cast<int64_t>(sums[g] * 4));
        EXPECT_DOUBLE_EQ(std::get<double>(aggs[2].finalize(g)),
                         sums[g] / static_cast<double>(counts[g]));
      }
      EXPECT_EQ(std::get<int64_t>(aggs[3].finalize(g)), counts[g]);
      EXPECT_EQ(std::get<int64_t>(aggs[4].finalize(g)), rows[g]);
    }
  }
  // Both paths ran.
  EXPECT_GT(blocks_in_runs, 100);
  EXPECT_GT(blocks_scattered, 100);
}

// FILTER scattered row by row, or in runs and given as kept ranges too (the spans
// path); arguments read in place or as vectors; with and without NULLs.
TEST(AggregateTest, FilteredAggregatesMatchBruteForceOnEveryPath) {
  std::mt19937 rng(20261204);
  const uint32_t kGroups = 5;
  AggregateSpec sum = spec_of(AggregateFn::kSum, ValueType::kFloat);
  AggregateSpec count = spec_of(AggregateFn::kCount, ValueType::kFloat);
  AggregateSpec avg = spec_of(AggregateFn::kAvg, ValueType::kFloat);
  AggregateSpec p90 = spec_of(AggregateFn::kPercentile, ValueType::kFloat);
  p90.fraction = 0.9;
  AggregateSpec count_star = spec_of(AggregateFn::kCountStar, ValueType::kNull);
  for (AggregateSpec* spec : {&sum, &count, &avg, &p90}) spec->filter = *spec->arg;
  count_star.filter = *sum.arg;
  int updates_by_ranges = 0;
  for (int trial = 0; trial < 200; ++trial) {
    SCOPED_TRACE("trial " + std::to_string(trial));
    const bool in_place = trial % 5 != 0;
    const bool filter_in_runs = trial % 4 >= 2;
    std::vector<Aggregator> aggs;
    for (const AggregateSpec* spec : {&sum, &count, &avg, &p90, &count_star}) {
      aggs.emplace_back(*spec);
    }
    std::map<uint32_t, std::vector<double>> kept;  // per group: values with FILTER true
    std::map<uint32_t, int64_t> kept_rows;         // per group: rows with FILTER true
    size_t memory = 0;
    for (int b = 0; b < 3; ++b) {
      const BlockInput block =
          random_block(rng, 1 + rng() % 500, trial % 2 == 0 ? 40 : 2, kGroups, trial % 3 != 0);
      std::vector<uint8_t> filter(block.gids.size());
      uint8_t in_run = 1;
      for (uint8_t& f : filter) {
        if (!filter_in_runs) {
          f = rng() % 3 != 0;
        } else {
          if (rng() % 30 == 0) in_run ^= 1;
          f = in_run;
        }
      }
      storage::Column column;
      column.type = storage::ColumnType::kFloat64;
      column.floats = block.values.floats;
      column.valid = block.values.valid;
      for (size_t i = 0; i < block.gids.size(); ++i) {
        kept_rows[block.gids[i]] += filter[i];
        if (column.valid[i] && filter[i]) kept[block.gids[i]].push_back(column.floats[i]);
      }
      const std::vector<uint32_t> runs = find_group_runs(block.gids, 16);
      const std::optional<std::vector<uint32_t>> ranges =
          detail::kept_ranges(filter, std::max<size_t>(1, filter.size() / 16));
      for (Aggregator& a : aggs) {
        AggregateInput input;
        input.group_ids = &block.gids;
        if (a.spec().arg && in_place) input.in_place = &column;
        if (a.spec().arg && !in_place) input.arg = &block.values;
        input.filter = &filter;
        input.filter_ranges = ranges ? &*ranges : nullptr;
        input.run_starts = runs.empty() ? nullptr : &runs;
        input.single_group = runs.size() == 2;
        updates_by_ranges += input.filter_ranges != nullptr && input.run_starts != nullptr;
        // The scan gives FILTER as ranges alone where the aggregate reads them.
        if (input.filter_ranges != nullptr && input.run_starts != nullptr &&
            reads_groups_by_runs(a.spec()) && b % 2 == 0) {
          input.filter = nullptr;
        }
        a.resize(kGroups);
        ASSERT_TRUE(a.update(input, &memory).is_ok());
      }
    }
    for (uint32_t g = 0; g < kGroups; ++g) {
      SCOPED_TRACE("group " + std::to_string(g));
      const std::vector<double>& values = kept[g];
      EXPECT_EQ(std::get<int64_t>(aggs[1].finalize(g)), static_cast<int64_t>(values.size()));
      EXPECT_EQ(std::get<int64_t>(aggs[4].finalize(g)), kept_rows[g]);
      if (values.empty()) {
        EXPECT_TRUE(is_null(aggs[0].finalize(g)));
        EXPECT_TRUE(is_null(aggs[2].finalize(g)));
        EXPECT_TRUE(is_null(aggs[3].finalize(g)));
        continue;
      }
      double total = 0;  // multiples of 1/4 below 250: exact in any order
      for (const double v : values) total += v;
      EXPECT_EQ(std::get<double>(aggs[0].finalize(g)), total);
      EXPECT_DOUBLE_EQ(std::get<double>(aggs[2].finalize(g)),
                       total / static_cast<double>(values.size()));
      EXPECT_DOUBLE_EQ(std::get<double>(aggs[3].finalize(g)),
                       *testing::postgres_percentile_cont(values, 0.9));
    }
  }
  EXPECT_GT(updates_by_ranges, 300);  // the spans path ran
}

// What only the run and span paths read: groups by runs without per-row ids, and
// FILTER as kept ranges without its bytes. An aggregate that reads rows one by one
// refuses both.
TEST(AggregateTest, InputsOnlyRunPathsReadAreAnInternalErrorElsewhere) {
  const std::vector<uint32_t> runs = {0, 4};
  const std::vector<uint32_t> run_groups = {0};
  const std::vector<uint32_t> gids(4, 0);
  const std::vector<uint32_t> kept = {0, 2};
  const Vec values = Vec::nulls(ValueType::kInt, 4);
  AggregateInput by_runs;
  by_runs.row_count = 4;
  by_runs.arg = &values;
  by_runs.run_starts = &runs;
  by_runs.run_groups = &run_groups;
  AggregateInput ranges_alone;
  ranges_alone.group_ids = &gids;
  ranges_alone.arg = &values;
  ranges_alone.run_starts = &runs;
  ranges_alone.filter_ranges = &kept;
  for (const AggregateFn fn : {AggregateFn::kMin, AggregateFn::kSum}) {
    const AggregateSpec spec = spec_of(fn, ValueType::kInt);
    EXPECT_FALSE(reads_groups_by_runs(spec));
    for (const AggregateInput* input : {&by_runs, &ranges_alone}) {
      Aggregator aggregator(spec);
      aggregator.resize(1);
      size_t memory = 0;
      const Status status = aggregator.update(*input, &memory);
      ASSERT_FALSE(status.is_ok());
      EXPECT_EQ(status.error().code, ErrorCode::kInternal);
    }
  }
  EXPECT_TRUE(reads_groups_by_runs(spec_of(AggregateFn::kSum, ValueType::kFloat)));
  EXPECT_TRUE(reads_groups_by_runs(spec_of(AggregateFn::kPercentile, ValueType::kInt)));
}

// Percentile states merged from later scan ranges keep the values as parts until the
// group is selected; parts of a state that was itself merged into come along.
TEST(AggregateTest, MergedPercentilesSelectOverEveryRangesValues) {
  std::mt19937 rng(20261207);
  AggregateSpec p90 = spec_of(AggregateFn::kPercentile, ValueType::kFloat);
  p90.fraction = 0.9;
  const uint32_t kGroups = 4;
  for (int trial = 0; trial < 50; ++trial) {
    SCOPED_TRACE("trial " + std::to_string(trial));
    std::vector<Aggregator> ranges;
    std::map<uint32_t, std::vector<double>> all;
    size_t memory = 0;
    for (int r = 0; r < 4; ++r) {
      ranges.emplace_back(p90);
      const BlockInput block = random_block(rng, rng() % 300, 10, kGroups, trial % 2 == 0);
      for (size_t i = 0; i < block.gids.size(); ++i) {
        if (block.values.valid[i]) all[block.gids[i]].push_back(block.values.floats[i]);
      }
      AggregateInput input;
      input.group_ids = &block.gids;
      input.arg = &block.values;
      ranges.back().resize(kGroups);
      ASSERT_TRUE(ranges.back().update(input, &memory).is_ok());
    }
    // Range order kept: 2 takes 3, 0 takes 1, then 0 takes 2 (with 3 as a part).
    std::vector<uint32_t> identity(kGroups);
    std::iota(identity.begin(), identity.end(), uint32_t{0});
    ranges[2].merge(ranges[3], identity, &memory);
    ranges[0].merge(ranges[1], identity, &memory);
    ranges[0].merge(ranges[2], identity, &memory);
    size_t total = 0;
    for (const auto& [g, values] : all) total += values.size();
    EXPECT_EQ(ranges[0].gathered_value_count(), total);
    for (uint32_t g = 0; g < kGroups; ++g) {
      const Value v = ranges[0].finalize(g);
      if (all[g].empty()) {
        EXPECT_TRUE(is_null(v));
      } else {
        EXPECT_DOUBLE_EQ(std::get<double>(v), *testing::postgres_percentile_cont(all[g], 0.9))
            << "group " << g;
      }
    }
  }
}

// sla_pct(x, target) as the binder makes it: x <= target, the target a constant.
AggregateSpec sla_spec(double target) {
  AggregateSpec spec = spec_of(AggregateFn::kSlaPct, ValueType::kFloat);
  spec.result_type = ValueType::kFloat;
  BoundExpr constant;
  constant.kind = BoundExpr::Kind::kConstant;
  constant.type = ValueType::kFloat;
  constant.constant = target;
  BoundExpr cond;
  cond.kind = BoundExpr::Kind::kBinary;
  cond.binary_op = BinaryOp::kLessEqual;
  cond.type = ValueType::kBool;
  cond.children = {*spec.arg, constant};
  spec.sla_condition = cond;
  return spec;
}

// Sorted run values (AggregateInput::sorted_runs) are read span by span: whole runs
// count by binary search and are selected across, offset by the input's first block
// row and cut by FILTER's kept ranges; they join values gathered elsewhere, and a
// span that is not whole runs is an internal error.
// Block rows 0-11 in runs [0, 3), [3, 7), [7, 12), a NULL row in the second run;
// input() reads block rows 3-11, group 0 the second run and group 1 the third.
struct ThreeSortedRuns {
  ThreeSortedRuns() {
    sorted->run_starts = {0, 3, 7, 12};
    sorted->value_starts = {0, 3, 6, 11};
    sorted->values = {1, 4, 9, -0.0, 2, 6, 3, 5, 5, 8, 10};
    // Sums as the rows gave them; deliberately not what the values add up to in
    // run 2 (31), so that a reader of values instead of sums fails.
    sorted->run_sums = {14, 8, 32};
    sorted->fences = {1, -0.0, 3};  // each run's first value: runs are below the stride
    sorted->fence_starts = {0, 1, 2, 3};
  }
  AggregateInput input() const {
    AggregateInput in;
    in.row_count = 9;
    in.run_starts = &run_starts;
    in.run_groups = &run_groups;
    in.sorted_runs = sorted;
    in.first_row = 3;
    return in;
  }
  std::shared_ptr<storage::SortedRunValues> sorted = std::make_shared<storage::SortedRunValues>();
  const std::vector<uint32_t> run_starts = {0, 4, 9};
  const std::vector<uint32_t> run_groups = {0, 1};
};

TEST(AggregateTest, SortedRunValuesAreReadByWholeRuns) {
  const ThreeSortedRuns runs;
  AggregateSpec median = spec_of(AggregateFn::kPercentile, ValueType::kFloat);
  median.fraction = 0.5;
  const AggregateSpec sla = sla_spec(5);
  EXPECT_TRUE(reads_sorted_runs(median));
  EXPECT_TRUE(reads_sorted_runs(sla));
  EXPECT_FALSE(reads_sorted_runs(spec_of(AggregateFn::kSum, ValueType::kFloat)));
  EXPECT_FALSE(reads_sorted_runs(spec_of(AggregateFn::kPercentile, ValueType::kInt)));

  AggregateInput input = runs.input();
  size_t memory = 0;
  Aggregator m(median), s(sla);
  m.resize(2);
  s.resize(2);
  ASSERT_TRUE(m.update(input, &memory).is_ok());
  ASSERT_TRUE(s.update(input, &memory).is_ok());
  EXPECT_EQ(std::get<double>(m.finalize(0)), 2.0);  // -0.0 2 6
  EXPECT_EQ(std::get<double>(m.finalize(1)), 5.0);  // 3 5 5 8 10
  EXPECT_EQ(std::get<double>(s.finalize(0)), 100.0 * 2 / 3);
  EXPECT_EQ(std::get<double>(s.finalize(1)), 100.0 * 3 / 5);
  EXPECT_GT(memory, 8 * sizeof(double));

  // FILTER keeps input rows 4-8 (the third run) alone: group 1's values only.
  const std::vector<uint32_t> kept = {4, 9};
  input.filter_ranges = &kept;
  Aggregator filtered(median);
  filtered.resize(2);
  ASSERT_TRUE(filtered.update(input, &memory).is_ok());
  EXPECT_TRUE(is_null(filtered.finalize(0)));
  EXPECT_EQ(std::get<double>(filtered.finalize(1)), 5.0);
  input.filter_ranges = nullptr;

  // A later range's sorted runs join this one's gathered values: group 0 then holds
  // 7 and 100 besides -0.0, 2 and 6.
  Aggregator gathered(median);
  gathered.resize(2);
  const std::vector<uint32_t> gids = {0, 0};
  Vec values = Vec::nulls(ValueType::kFloat, 2);
  values.floats = {7, 100};
  values.valid = {1, 1};
  AggregateInput rows;
  rows.group_ids = &gids;
  rows.arg = &values;
  ASSERT_TRUE(gathered.update(rows, &memory).is_ok());
  Aggregator later(median);
  later.resize(2);
  ASSERT_TRUE(later.update(input, &memory).is_ok());
  gathered.merge(later, {0, 1}, &memory);
  EXPECT_EQ(gathered.gathered_value_count(), 10u);
  EXPECT_EQ(std::get<double>(gathered.finalize(0)), 6.0);  // -0.0 2 6 7 100
  EXPECT_EQ(std::get<double>(gathered.finalize(1)), 5.0);

  // Input rows 0-5 and 5-8 as groups: block row 8 begins no run.
  const std::vector<uint32_t> cut = {0, 5, 9};
  input.run_starts = &cut;
  Aggregator refused(sla);
  refused.resize(2);
  EXPECT_EQ(refused.update(input, &memory).code(), ErrorCode::kInternal);
}

// count, sum and avg of a float column riding beside a percentile read each whole
// run's value count and sum, cut by FILTER's kept ranges like the percentile.
TEST(AggregateTest, CountSumAndAvgReadSortedRunsByTheirSums) {
  const ThreeSortedRuns runs;
  for (const AggregateFn fn : {AggregateFn::kCount, AggregateFn::kSum, AggregateFn::kAvg}) {
    EXPECT_TRUE(sums_sorted_runs(spec_of(fn, ValueType::kFloat)));
    EXPECT_FALSE(sums_sorted_runs(spec_of(fn, ValueType::kInt)));
  }
  EXPECT_FALSE(sums_sorted_runs(spec_of(AggregateFn::kMin, ValueType::kFloat)));
  EXPECT_FALSE(sums_sorted_runs(spec_of(AggregateFn::kCountStar, ValueType::kNull)));

  AggregateInput input = runs.input();
  size_t memory = 0;
  const AggregateSpec count = spec_of(AggregateFn::kCount, ValueType::kFloat);
  const AggregateSpec sum = spec_of(AggregateFn::kSum, ValueType::kFloat);
  const AggregateSpec avg = spec_of(AggregateFn::kAvg, ValueType::kFloat);
  Aggregator c(count), s(sum), a(avg);
  for (Aggregator* agg : {&c, &s, &a}) {
    agg->resize(2);
    ASSERT_TRUE(agg->update(input, &memory).is_ok());
  }
  EXPECT_EQ(std::get<int64_t>(c.finalize(0)), 3);  // the second run's NULL row not counted
  EXPECT_EQ(std::get<int64_t>(c.finalize(1)), 5);
  EXPECT_EQ(std::get<double>(s.finalize(0)), 8.0);
  EXPECT_EQ(std::get<double>(s.finalize(1)), 32.0);
  EXPECT_EQ(std::get<double>(a.finalize(0)), 8.0 / 3);
  EXPECT_EQ(std::get<double>(a.finalize(1)), 32.0 / 5);
  EXPECT_EQ(memory, 0u);  // nothing held

  // FILTER keeps the third run alone: group 0 has no values (sum NULL, count 0).
  const std::vector<uint32_t> kept = {4, 9};
  input.filter_ranges = &kept;
  Aggregator fc(count), fs(sum);
  for (Aggregator* agg : {&fc, &fs}) {
    agg->resize(2);
    ASSERT_TRUE(agg->update(input, &memory).is_ok());
  }
  EXPECT_EQ(std::get<int64_t>(fc.finalize(0)), 0);
  EXPECT_TRUE(is_null(fs.finalize(0)));
  EXPECT_EQ(std::get<double>(fs.finalize(1)), 32.0);

  // Sorted runs without their sums are refused, never read as zeros.
  auto unsummed = std::make_shared<storage::SortedRunValues>(*runs.sorted);
  unsummed->run_sums.clear();
  input.sorted_runs = unsummed;
  input.filter_ranges = nullptr;
  Aggregator refused(sum);
  refused.resize(2);
  EXPECT_EQ(refused.update(input, &memory).code(), ErrorCode::kInternal);
}

TEST(AggregateTest, NumericCountSumAvgAndPercentileReadStoredColumnsOfTheirTypeInPlace) {
  storage::Column floats;
  floats.type = storage::ColumnType::kFloat64;
  floats.floats = {1, 2};
  storage::Column ints;
  ints.type = storage::ColumnType::kInt64;
  ints.ints = {1, 2};
  for (const AggregateFn fn :
       {AggregateFn::kSum, AggregateFn::kCount, AggregateFn::kAvg, AggregateFn::kPercentile}) {
    EXPECT_TRUE(reads_in_place(spec_of(fn, ValueType::kFloat), floats));
    EXPECT_TRUE(reads_in_place(spec_of(fn, ValueType::kInt), ints));
    // An integer column read as a float argument is converted: not in place.
    EXPECT_FALSE(reads_in_place(spec_of(fn, ValueType::kFloat), ints));
  }
  EXPECT_FALSE(reads_in_place(spec_of(AggregateFn::kMin, ValueType::kFloat), floats));
  EXPECT_FALSE(reads_in_place(spec_of(AggregateFn::kApproxPercentile, ValueType::kFloat), floats));
  EXPECT_FALSE(reads_in_place(spec_of(AggregateFn::kCountStar, ValueType::kNull), floats));
  // FILTER and NULLs are read from the input's mask and the column's validity.
  AggregateSpec filtered = spec_of(AggregateFn::kSum, ValueType::kFloat);
  filtered.filter = *filtered.arg;
  EXPECT_TRUE(reads_in_place(filtered, floats));
  floats.valid = {1, 0};
  EXPECT_TRUE(reads_in_place(spec_of(AggregateFn::kSum, ValueType::kFloat), floats));
  floats.valid = {1};  // validity that does not match the values: not read at all
  EXPECT_FALSE(reads_in_place(spec_of(AggregateFn::kSum, ValueType::kFloat), floats));
}

// What sum over `gids` and `values` gives, through update() alone (each path) or as
// two halves merged: the total as text, or the error.
std::string int_sum(const std::vector<uint32_t>& gids, const std::vector<int64_t>& values,
                    const std::string& path) {
  const AggregateSpec sum_int = spec_of(AggregateFn::kSum, ValueType::kInt);
  const size_t groups = *std::max_element(gids.begin(), gids.end()) + 1;
  auto fold = [&](Aggregator& agg, size_t begin, size_t end) {
    std::vector<uint32_t> g(gids.begin() + begin, gids.begin() + end);
    Vec v = Vec::nulls(ValueType::kInt, end - begin);
    std::fill(v.valid.begin(), v.valid.end(), uint8_t{1});
    std::copy(values.begin() + begin, values.begin() + end, v.ints.begin());
    storage::Column stored;
    stored.type = storage::ColumnType::kInt64;
    stored.ints = v.ints;
    const std::vector<uint32_t> runs = find_group_runs(g, 1);
    AggregateInput input;
    input.group_ids = &g;
    input.arg = &v;
    if (path == "runs") input.run_starts = &runs;
    if (path == "in place") {
      input.arg = nullptr;
      input.in_place = &stored;
    }
    if (path == "single group") input.single_group = true;
    agg.resize(groups);
    size_t memory = 0;
    EXPECT_TRUE(agg.update(input, &memory).is_ok());
  };
  Aggregator agg(sum_int);
  if (path == "merged halves") {
    Aggregator later(sum_int);
    fold(agg, 0, values.size() / 2);
    fold(later, values.size() / 2, values.size());
    std::vector<uint32_t> identity(groups);
    std::iota(identity.begin(), identity.end(), uint32_t{0});
    size_t memory = 0;
    agg.merge(later, identity, &memory);
  } else {
    fold(agg, 0, values.size());
  }
  const Status status = agg.check_totals();
  if (!status.is_ok()) return status.to_string();
  std::string out;
  for (size_t g = 0; g < groups; ++g) out += (g ? "|" : "") + testing::render(agg.finalize(g));
  return out;
}

TEST(AggregateTest, IntegerSumFailsOnlyWhenItsTotalDoesNotFit) {
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
  for (const std::string path : {"scatter", "runs", "in place", "merged halves"}) {
    SCOPED_TRACE(path);
    // Group 0's running total passes INT64_MAX and comes back; group 1's passes
    // INT64_MIN and comes back. PostgreSQL's exact sums fit, so do ours.
    std::vector<uint32_t> gids(40, 0);
    std::fill(gids.begin() + 20, gids.end(), 1);
    std::vector<int64_t> values(40, 0);
    values[0] = kMax - 5;
    values[18] = 6;
    values[19] = -10;
    values[20] = kMin + 3;
    values[30] = -4;
    values[39] = 5;
    EXPECT_EQ(int_sum(gids, values, path),
              std::to_string(kMax - 9) + "|" + std::to_string(kMin + 4));
    // Without the last value, group 0's total is INT64_MAX + 1.
    values[19] = 0;
    EXPECT_EQ(int_sum(gids, values, path), "invalid_input: integer overflow in agg(x)");
    // Totals past 2^64 in either direction fail too (a carry count, not a flag).
    values.assign(40, kMax);
    EXPECT_EQ(int_sum(gids, values, path), "invalid_input: integer overflow in agg(x)");
  }
  // One group: the whole-vector path.
  std::vector<uint32_t> gids(10, 0);
  std::vector<int64_t> values(10, 0);
  values[0] = kMax;
  values[1] = 1;
  values[2] = -2;
  EXPECT_EQ(int_sum(gids, values, "single group"), std::to_string(kMax - 1));
  values[2] = 0;
  EXPECT_EQ(int_sum(gids, values, "single group"), "invalid_input: integer overflow in agg(x)");
}

}  // namespace
}  // namespace tessera::query
