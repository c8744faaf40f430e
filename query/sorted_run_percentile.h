// Exact percentiles over values that come as sorted runs (storage::SortedRunValues):
// the rows at a rank are found by narrowing every run around pivots, reading a few
// values of each per round, instead of gathering and selecting all of them.
#pragma once

#include <cstddef>
#include <optional>
#include <span>

namespace tessera::query {

inline constexpr size_t kMinAverageRunToSelectAcross = 512;

// Whether selecting across `run_count` runs of `value_count` values in all costs
// less than copying the values and selecting among them (percentile_cont, O(n)):
// each round narrows every run, so many short runs favour the copy. On PEERS.md's
// try-on queries (dashboard_query_bench): one big tenant, 49 runs of 234,200 values,
// selects across them (Q5a 0.82 -> 0.32 ms); every tenant, 45 runs of 3,000-15,000
// values each, copies (Q5b 6.3 ms with runs of 128 values selected across, 5.1 copied).
inline bool selects_across_runs(size_t run_count, size_t value_count) {
  return run_count <= 16 || value_count >= kMinAverageRunToSelectAcross * run_count;
}

// percentile_cont (query/percentile.h) over the values of `runs`, each ascending in
// PostgreSQL's order of doubles (NaN above every number, -0.0 equal to 0.0): out[i]
// is the percentile fractions[i], nullopt over no values. Each rank takes O(log n)
// rounds of two binary searches per run.
// Requires: `out` has fractions.size() entries; 0 <= fractions[i] <= 1.
void percentile_cont_of_sorted_runs(std::span<const std::span<const double>> runs,
                                    std::span<const double> fractions,
                                    std::span<std::optional<double>> out);

}  // namespace tessera::query
