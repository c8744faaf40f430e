// Exact percentiles over values that come as sorted runs (storage::SortedRunValues):
// the rows at a rank are found by narrowing every run around pivots, reading a few
// values of each per round, instead of gathering and selecting all of them.
#pragma once

#include <algorithm>
#include <cstddef>
#include <optional>
#include <span>

namespace tessera::query {

// Whether selecting across `run_count` runs of `value_count` values in all costs
// less than copying the values and selecting among them (percentile_cont, O(n)).
// Each round narrows every run and sorts their medians, so selecting across pays
// per run what the copy pays per value: it wins where runs average 16 values per
// run, or 512 values. percentile_bench (p50 and p95, us, selected across /
// copied): 2 x 4,096 values 4.3 / 25.4, 8 x 256 6.3 / 9.2, 16 x 256 12.7 / 13.0,
// 16 x 64 10.9 / 4.7, 45 x 340 (Q5b's tenants) 51.9 / 42.8, 45 x 512 56.2 / 63.6,
// 49 x 4,800 (Q5a) 150 / 848. Since the upper of two neighbouring ranks takes one
// binary search per run, selecting across halved in percentile_bench (45 x 340:
// 24-31 us); but lowering the bound to 4 values per run made Q5b slower in
// dashboard_query_bench (six alternated rounds, 4,546 -> 4,881 us; not explained:
// the engine's runs lie in many blocks, the benchmark's in cache). The bounds stay.
// After 890fcae's guessed bands (45 x 340: 9-11 us across, 34 copied) they were
// tried again at 4 values per run or 64: Q5b's groups then selected across, and
// Q5b went from 4,291 to 4,988 us (dashboard_query_bench, median of three
// alternated rounds; Q5a, Q3 and Q4b unchanged). They stay.
inline constexpr size_t kMinRunLengthPerRunToSelectAcross = 16;
inline constexpr size_t kMinRunLengthToSelectAcross = 512;
inline bool selects_across_runs(size_t run_count, size_t value_count) {
  const size_t min_run_length =
      std::min(kMinRunLengthPerRunToSelectAcross * run_count, kMinRunLengthToSelectAcross);
  return run_count <= 1 || value_count >= min_run_length * run_count;
}

// percentile_cont (query/percentile.h) over the values of `runs`, each ascending in
// PostgreSQL's order of doubles (NaN above every number, -0.0 equal to 0.0): out[i]
// is the percentile fractions[i], nullopt over no values. Each rank takes O(log n)
// rounds of two binary searches per run; its neighbour, one binary search per run.
// Requires: `out` has fractions.size() entries; 0 <= fractions[i] <= 1.
void percentile_cont_of_sorted_runs(std::span<const std::span<const double>> runs,
                                    std::span<const double> fractions,
                                    std::span<std::optional<double>> out);

}  // namespace tessera::query
