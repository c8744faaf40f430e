// SortedRunValues: a float column's values sorted within each run of rows over
// which a few tag columns keep their values. Blocks are sorted by series, so a
// tenant's rows (and, within them, one status's) lie in a few such runs; a query
// whose groups and FILTER cover whole runs then counts sla_pct by binary search and
// selects exact percentiles across the runs' sorted values instead of gathering
// and selecting every row (docs/architecture.md, "Read path").
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "storage/base/status.h"
#include "storage/block/column.h"

namespace tessera::storage {

struct SortedRunValues {
  // First row of each run, then the row count.
  std::vector<uint32_t> run_starts;
  // Run r's values are values[value_starts[r], value_starts[r + 1]); then their count.
  std::vector<uint32_t> value_starts;
  // The non-NULL values of each run, ascending in PostgreSQL's order of doubles:
  // NaN equals NaN and sorts above every number, -0.0 equals 0.0.
  std::vector<double> values;
  // The sum of each run's values, added in row order: count, sum and avg of the
  // column riding along with a percentile (avg_lc beside p95_lc) read a run in one
  // step.
  std::vector<double> run_sums;
  // Every kFenceStride-th value of each run (its first, its 33rd, ...), run r's at
  // fences[fence_starts[r], fence_starts[r + 1]), then their count: count_at_most
  // searches these few cache lines before kFenceStride values, where a search of
  // the values alone would miss the cache at every step (blocks' runs are read
  // once per query, from a cache far larger than the CPU's).
  static constexpr size_t kFenceStride = 32;
  std::vector<double> fences;
  std::vector<uint32_t> fence_starts;

  size_t run_count() const { return run_starts.empty() ? 0 : run_starts.size() - 1; }
  std::span<const double> run_values(size_t r) const {
    return std::span<const double>(values).subspan(value_starts[r],
                                                   value_starts[r + 1] - value_starts[r]);
  }
  // How many of run r's values are at most `target` in PostgreSQL's order (a NaN
  // target counts every value, a NaN value counts only for it).
  size_t count_at_most(size_t r, double target) const;
  // Approximate heap bytes held, for cache budgets.
  size_t memory_bytes() const;
};

// The runs of rows over which every one of `tags` (string columns) keeps its value
// (NULL a value of its own), with `value`'s sorted over each; nullopt when there are
// several runs averaging fewer than `min_average_run` rows. kCorruption when the columns' lengths
// do not match; kInvalidInput when `value` is not a float column or a tag not a
// string column.
Result<std::optional<SortedRunValues>> compute_sorted_run_values(
    std::span<const Column* const> tags, const Column& value, size_t min_average_run);

}  // namespace tessera::storage
