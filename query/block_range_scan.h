// Internal to query/ (select executor). The scan of one contiguous range of a
// snapshot's blocks into a partial result: each block is either folded in from its
// statistics or loaded, filtered column-at-a-time into a selection vector (tenant
// scope first, then the WHERE conjuncts) and aggregated per group or gathered as raw
// rows. Ranges are independent, so a query's ranges can run on several threads; the
// executor merges their partial results in block order.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/engine.h"
#include "query/aggregate.h"
#include "query/binder.h"
#include "query/block_pruning.h"
#include "query/column_usage.h"
#include "query/group_table.h"
#include "query/query_context.h"
#include "query/result_ordering.h"
#include "query/stats_aggregation.h"
#include "storage/base/status.h"

namespace tessera::query::detail {

// How each block is read, decided from its statistics before any block is loaded.
enum class BlockAction : uint8_t {
  kPrune,      // no row can match
  kFromStats,  // every row matches, in one group: folded from the footer statistics
  // Folded from the statistics of each run of one tag's values (RunStatsFold), or
  // scanned when the runs are short.
  kFromRunStats,
  // As kFromStats, for a block with a dedup mask: folded from the statistics of its
  // live rows, which the mask keeps once a query computed them (engine/live_mask.h),
  // or scanned when those statistics lack what an aggregate needs.
  kFromLiveStats,
  // The first block of a sorted run whose blocks all fold as kFromStats would, into
  // one group: folds the run's totals (TableSnapshot::SortedRun::totals) for them all.
  kFromRunTotals,
  kInRunTotals,  // another block of such a run: folded with its first
  kScan,         // loaded and filtered row by row
};

// What every range of one query reads; shared by the ranges, which only read it
// (the atomics excepted).
struct RangeScanPlan {
  const BoundSelect* plan = nullptr;
  const engine::TableSnapshot* snapshot = nullptr;
  const std::optional<std::string>* tenant = nullptr;
  const QueryContext* context = nullptr;
  std::chrono::steady_clock::time_point deadline;
  std::vector<BlockAction> actions;  // per snapshot block
  // Per block, set for kFromStats, kFromLiveStats and kFromRunTotals; for
  // kFromRunStats, the bucket alone.
  std::vector<std::optional<ConstantGroupKey>> keys;
  std::optional<RunStatsFold> run_stats_fold;            // how kFromRunStats blocks fold
  std::vector<std::string> columns;                      // the columns a scanned block loads
  TimeUsage time_usage;                                  // when it loads the time column too
  std::vector<std::optional<PruneRule>> conjunct_rules;  // parallel to plan->where_conjuncts
  PruneRule tenant_rule;                                 // the tenant scope alone
  // Bytes held by all ranges together, against context->max_memory_bytes.
  mutable std::atomic<size_t> charged_bytes{0};
  // Set when a range fails, so that the others stop at their next block.
  mutable std::atomic<bool> has_failed{false};
};

// What one range of blocks adds up to.
struct PartialResult {
  GroupTable groups;
  std::vector<Aggregator> aggregators;  // parallel to plan.aggregates
  std::vector<OutputRow> raw_rows;      // a SELECT without aggregates
  uint64_t next_seq = 0;                // raw rows gathered, those cut by LIMIT included
  size_t raw_bytes = 0;                 // held by raw_rows
  size_t memory_bytes = 0;              // groups, gathered values, distinct sets
  size_t charged_bytes = 0;             // of memory_bytes + raw_bytes, added to the plan's total
  uint64_t blocks_scanned = 0;
  uint64_t blocks_from_stats = 0;
  uint64_t blocks_from_segment_totals = 0;  // of blocks_from_stats, folded with their whole run
  uint64_t blocks_from_run_stats = 0;
  uint64_t blocks_from_sorted_runs = 0;  // scanned, an aggregate reading sorted run values
  uint64_t rows_scanned = 0;
  uint64_t rows_matched = 0;
};

// A partial result with the plan's aggregators and, for an aggregate without group
// keys, its one group (so that the query answers one row even over no rows).
PartialResult make_partial(const BoundSelect& plan);

// Reads blocks [begin, end) of scan.snapshot into `out`, following scan.actions.
// Stops early, with ok, when another range has failed (scan.has_failed).
// Errors: kLimitExceeded (time, memory), kInvalidInput (integer overflow), storage
// errors of block loads, kCorruption for blocks that do not match their statistics.
Status scan_block_range(const RangeScanPlan& scan, size_t begin, size_t end, PartialResult& out);

// The error for a query past its time limit.
Error time_limit_error(const QueryContext& context);

}  // namespace tessera::query::detail
