// TagRunStats: the statistics of one column over each run of equal values of a
// tag column in a block. Blocks are sorted by series, so a tag's value changes a
// few dozen times in a block of thousands of rows; a query grouped by that tag
// whose rows all pass folds such a block run by run from these, as it folds a
// block whose rows share one group from its footer statistics, without reading
// the rows (docs/architecture.md, "Read path").
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "storage/base/status.h"
#include "storage/block/column.h"

namespace tessera::storage {

struct TagRunStats {
  // The code of a run of NULL tags.
  static constexpr uint32_t kNullCode = std::numeric_limits<uint32_t>::max();

  std::vector<uint32_t> run_starts;     // first row of each run, then the row count
  std::vector<uint32_t> codes;          // per run: the tag's code in `dictionary`, or kNullCode
  std::vector<std::string> dictionary;  // the tag column's dictionary
  // Per dictionary entry: the value's id among all values of the tag that the
  // database has seen (engine::TagValueIds), by which a query finds its group
  // without hashing the string; empty when none were assigned.
  std::vector<uint32_t> value_ids;
  // Per run, the value column's statistics over the run's rows (no quantile
  // sketch); empty when computed without a value column.
  std::vector<ColumnStats> runs;
  // Per run, with a value column: its non-NULL values, and (a float column) their
  // sum, as in `runs` but packed: a fold of count, sum or avg over thousands of
  // runs then reads 12 bytes a run, not two cache lines of a ColumnStats.
  std::vector<uint32_t> value_counts;
  std::vector<double> float_sums;
  // Whether every run's integer sum is exact (ColumnStats::sum_int_exact): one
  // check per block for a query summing runs, not one per run.
  bool int_sums_exact = true;

  size_t run_count() const { return codes.size(); }
  // Approximate heap bytes held, for cache budgets.
  size_t memory_bytes() const;
};

// The runs of `tag` (a string column) and the statistics of `value` (any column of
// the same length; null: runs only) over each, or nullopt when the runs average
// fewer than `min_average_run` rows (reading the rows is then as cheap as folding
// the runs). kCorruption when the columns' lengths or a tag code do not match.
Result<std::optional<TagRunStats>> compute_tag_run_stats(const Column& tag, const Column* value,
                                                         size_t min_average_run);

}  // namespace tessera::storage
