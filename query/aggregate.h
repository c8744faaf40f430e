// Aggregator: the running state of one aggregate (count, sum, avg, min, max, first,
// last, percentiles, sla_pct; count_if binds as a FILTERed count(*)) for every group, updated a
// block at a time with tight loops over typed vectors, and finalized into one Value per group.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <unordered_set>
#include <vector>

#include "query/binder.h"
#include "query/expression_eval.h"
#include "query/uninitialized_vector.h"
#include "query/value.h"
#include "query/vector_kernels.h"
#include "storage/base/status.h"
#include "storage/block/column.h"
#include "storage/block/quantile_sketch.h"
#include "storage/block/sorted_run_values.h"
#include "storage/block/tag_run_stats.h"

namespace tessera::query {

// One block's worth of input to an aggregate, all vectors with one entry per selected row.
struct AggregateInput {
  // Each row's group. May be null when run_starts and run_groups are set and the
  // aggregate reads groups by runs only (reads_groups_by_runs): row_count then
  // gives the number of rows.
  const std::vector<uint32_t>* group_ids = nullptr;
  size_t row_count = 0;
  const std::vector<int64_t>* time_ns = nullptr;  // row times (first/last)
  const Vec* arg = nullptr;                       // the argument, or null for count(*)
  const Vec* sla_condition = nullptr;             // sla_pct: arg <= target
  const std::vector<uint8_t>* filter = nullptr;   // FILTER: 1 = row counts; null = all
  // FILTER's kept rows as detail::kept_ranges gives them, when they come in long
  // runs: with run_starts, an aggregate that reads_groups_by_runs then reads the
  // rows of a group that FILTER keeps span by span as whole vectors, and `filter`
  // may be null; other aggregates read `filter`. Null otherwise.
  const std::vector<uint32_t>* filter_ranges = nullptr;
  bool single_group = false;  // every row is in one group: run 0's, or (*group_ids)[0]
  // When rows come in long runs of one group (blocks are sorted by series): the
  // start of each run, then group_ids->size(). Null when runs are short.
  const std::vector<uint32_t>* run_starts = nullptr;
  // With run_starts, the group of each run; null: each run's first group id.
  const std::vector<uint32_t>* run_groups = nullptr;
  // Set when the argument is a stored numeric column read whole by count, sum, avg,
  // percentile, or sla_pct against a constant target without FILTER (see
  // reads_in_place): its values and validity where the block keeps them, so that
  // they are not copied. `arg` and `sla_condition` are then null.
  const storage::Column* in_place = nullptr;
  // The argument's values sorted within runs of the block's rows, given by the scan
  // for sla_pct against a constant target and percentiles (and for count, sum and
  // avg beside them: sums_sorted_runs) when the rows of each group (and each span
  // FILTER keeps) begin and end on run boundaries: they are then counted by binary
  // search, selected across runs or summed a run at a time, not read row by row, and
  // `arg`, `in_place` and `sla_condition` may be null. Row i of this input is block
  // row first_row + i. A span that does not cover whole runs is kInternal.
  std::shared_ptr<const storage::SortedRunValues> sorted_runs;
  uint32_t first_row = 0;

  size_t rows() const { return group_ids != nullptr ? group_ids->size() : row_count; }
  // The group of run r. Requires: run_starts is set.
  uint32_t run_group(size_t r) const {
    return run_groups != nullptr ? (*run_groups)[r] : (*group_ids)[(*run_starts)[r]];
  }
};

// Whether update() of `spec` reads a block whose rows come in runs of one group
// (AggregateInput::run_starts) a run, or a span of one, at a time on every path:
// count(*), count, sla_pct, percentiles, and sum and avg of floats. Such an
// aggregate reads groups from run_groups alone, so that the scan need not write a
// group id per row, and reads FILTER's kept spans (filter_ranges) as whole spans.
bool reads_groups_by_runs(const AggregateSpec& spec);

// Whether update() of `spec` can read its argument from AggregateInput::sorted_runs:
// percentiles, and sla_pct against a constant target, of a float column.
bool reads_sorted_runs(const AggregateSpec& spec);

// Whether update() of `spec` can read AggregateInput::sorted_runs' per-run counts
// and sums: count, sum and avg of a float column. The scan gives them sorted runs
// only where another aggregate of the same column sorted them (they never sort).
bool sums_sorted_runs(const AggregateSpec& spec);

// Whether `spec` can read its argument in place (AggregateInput::in_place) from
// `column`, a stored column of a block every row of which is selected.
bool reads_in_place(const AggregateSpec& spec, const storage::Column& column);

// The run starts of `group_ids` (see AggregateInput::run_starts) when runs average
// at least `min_average_run` rows or there is one run; empty otherwise.
std::vector<uint32_t> find_group_runs(const std::vector<uint32_t>& group_ids,
                                      size_t min_average_run);

// The argument's values as the whole-vector paths read them: from a Vec, or in
// place from a stored column.
struct ArgValues {
  ValueType type = ValueType::kNull;
  const double* floats = nullptr;
  const int64_t* ints = nullptr;
  const uint8_t* valid = nullptr;  // 1 = the row has a value; null: every row has one
  bool all_valid = false;          // every row has a value
};

class Aggregator {
 public:
  explicit Aggregator(const AggregateSpec& spec) : spec_(spec) {}

  // Makes room for groups [0, group_count).
  void resize(size_t group_count);
  // Folds one block's rows in. Rows must arrive in write order (first/last ties).
  // Adds the bytes newly held (gathered values, distinct sets) to *memory_bytes.
  Status update(const AggregateInput& input, size_t* memory_bytes);
  // Folds in one whole block of `row_count` rows from its statistics instead of its
  // values: `column` holds the argument column's statistics, or is null when the
  // block lacks the column (NULL in every row). Requires: the block passed
  // detail::block_stats_answer for this aggregate's plan.
  Status fold_stats(size_t group, uint64_t row_count, const storage::ColumnStats* column);
  // fold_stats() of each run r of `runs` into group run_groups[r] (none:
  // kNoRunGroup), from the argument column's statistics over the run (`stats`), or
  // with `stats` null as if every row were NULL. Counts, sums and averages of
  // floats read the packed per-run counts and sums in one loop: a week of
  // GROUP BY entity_id folds 16,000 runs. `stats` has the runs of `runs`.
  static constexpr uint32_t kNoRunGroup = std::numeric_limits<uint32_t>::max();
  Status fold_runs(std::span<const uint32_t> run_groups, const storage::TagRunStats& runs,
                   const storage::TagRunStats* stats);
  // Folds in `later`, the state of the same aggregate over rows written after every
  // row folded into this one (a later range of the scan's blocks, so that first/last
  // ties still go to the later write); `later`'s group g is this one's
  // group_map[g]. Takes `later`'s gathered values and sets (it is left valid but
  // unspecified) and adds the bytes this aggregator newly holds to *memory_bytes.
  // Requires: resize() to cover every group_map entry.
  void merge(Aggregator& later, const std::vector<uint32_t>& group_map, size_t* memory_bytes);
  // kInvalidInput when a group's sum of integers does not fit in int64. A sum
  // fails on its total alone, as PostgreSQL's exact sum would not fit, whatever
  // the order its values came in (a running total may pass the limit on the way).
  Status check_totals() const;
  // The aggregate's value for one group; NULL over no values (count: 0).
  // Requires: check_totals() is ok; the aggregate gathers its own values (else
  // finalize_group answers it). Thread-safe for distinct groups: it reorders that
  // group's gathered values only.
  Value finalize(size_t group);
  // Exact percentiles: out[i] is the percentile fractions[i] of group g's gathered
  // values (nullopt over none), which it reorders. Thread-safe for distinct groups.
  void percentiles(size_t group, std::span<const double> fractions,
                   std::span<std::optional<double>> out);
  const AggregateSpec& spec() const { return spec_; }
  // Values gathered for exact percentiles, over every group: what finalize() has
  // to select among.
  size_t gathered_value_count() const;

 private:
  // update() for a block whose rows are all in one group, without FILTER: whole-
  // vector reductions. False when this aggregate has no such path (update() then
  // takes the row-by-row one).
  bool update_single_group(const AggregateInput& input, const ArgValues& values);
  // The same, for any group ids, when every row counts (no FILTER) and has a value:
  // count, sum and avg in loops without per-row checks, reducing each run of one
  // group as a whole vector when run_starts is given. Nullopt when it does not
  // apply; else update()'s status.
  std::optional<Status> update_dense(const AggregateInput& input, const ArgValues& values);
  // Adds a part of group g's integer sum, kept as add_with_carry keeps it.
  void add_wrapped(size_t g, detail::WrappedSum part);
  // update() of sla_pct reading its column in place: counts each run (or row)
  // against the constant target without materialising the condition.
  Status update_sla_in_place(const AggregateInput& input);
  // update() of sla_pct, percentiles, count, sum and avg from input.sorted_runs,
  // span by span.
  Status update_from_sorted_runs(const AggregateInput& input, size_t* memory_bytes);

  const AggregateSpec& spec_;
  std::vector<int64_t> counts_;       // count, sla_pct total
  std::vector<int64_t> counts_ok_;    // sla_pct: rows with arg <= target
  std::vector<int64_t> ints_;         // sum of ints (mod 2^64), min/max/first/last of int-like
  std::vector<int64_t> carries_;      // sum of ints: the total is ints_ + carries_ * 2^64
  std::vector<double> floats_;        // sum/avg of floats, min/max/first/last of floats
  std::vector<long double> wide_;     // avg of ints: exact up to 2^64
  std::vector<std::string> strings_;  // min/max/first/last of strings
  std::vector<int64_t> best_time_;    // first/last: time of the value held
  std::vector<uint8_t> has_;          // min/max/first/last/sum: a value is held
  std::vector<std::unordered_set<int64_t>> distinct_ints_;  // ints, times, bools, float bits
  std::vector<std::unordered_set<std::string>> distinct_strings_;
  std::vector<detail::UninitializedVector<double>> gathered_;  // exact percentiles
  // Per group, values merged from later ranges of the scan, joined to gathered_ when
  // the group's percentiles are selected; may have fewer entries than gathered_.
  std::vector<std::vector<detail::UninitializedVector<double>>> parts_;
  // Per group, runs of sorted values (AggregateInput::sorted_runs) read instead of
  // gathered: selected across without copying when the group has nothing else,
  // else joined to gathered_. May have fewer entries than gathered_.
  std::vector<std::vector<std::span<const double>>> sorted_parts_;
  // What sorted_parts_ point into.
  std::vector<std::shared_ptr<const storage::SortedRunValues>> sorted_owners_;
  std::vector<storage::QuantileSketch> sketches_;  // approx_percentile
};

// Every aggregate's value for group g: values[a][g] = aggregators[a].finalize(g),
// except that percentiles sharing gathered values (AggregateSpec::gathers_with,
// whose aggregators gathered none) are selected together from the values of the
// first one. Thread-safe for distinct groups. Requires: check_totals() is ok for
// each, and values[a] has room for group g.
void finalize_group(std::vector<Aggregator>& aggregators, size_t g,
                    std::vector<std::vector<Value>>& values);

}  // namespace tessera::query
