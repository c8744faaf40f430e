// Internal to query/ (select executor). Aggregating a block from its statistics:
// when every row of a block passes the scan, the block lies in one group (or in
// one group per run of one tag's values: run statistics), and each
// aggregate is a count, sum, avg, min, max or approx_percentile (merging the column's
// quantile sketch) of a plain column without FILTER, the footer statistics answer the
// block without loading or decoding it. That is what
// makes whole-table rollups (sum per day) cost a walk over block metadata.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "query/binder.h"
#include "query/block_pruning.h"
#include "storage/block/column.h"

namespace tessera::query::detail {

// A block's group key when all its rows share one: the time bucket (0 without
// time grouping) and each group tag's value (nullopt for NULL).
struct ConstantGroupKey {
  int64_t bucket = 0;
  std::vector<std::optional<std::string>> tags;
};

// The time bucket of every row of a block with `stats`, when the plan groups by
// time and the block's time range lies in one bucket; nullopt otherwise.
std::optional<int64_t> uniform_bucket(const BoundSelect& plan, const storage::BlockStats& stats);

// True when the plan's aggregates can all be folded from statistics (a property
// of the query alone; each block is then checked by block_stats_answer).
bool plan_allows_stats_answers(const BoundSelect& plan, const PruneRule& rule);

// True when the statistics in `stats` hold what each of the plan's aggregates needs
// (block_stats_answer checks it too): for the live rows of a masked block, whose
// statistics are computed apart.
bool block_stats_cover(const BoundSelect& plan, const storage::BlockStats& stats);

// The group key under which every row of a block with `stats` falls, when every
// row passes `rule` (which must be exact: PruneRule::is_exact) and the statistics
// hold what each aggregate needs; nullopt when the block must be scanned.
// Requires: plan_allows_stats_answers(plan, rule).
std::optional<ConstantGroupKey> block_stats_answer(const BoundSelect& plan, const PruneRule& rule,
                                                   const storage::BlockStats& stats);

// Folding a block run by run (storage::TagRunStats), when the plan's aggregates
// could be folded from statistics (approx_percentile excepted; runs keep no sketch)
// and the block holds several values of one tag T:
// - GROUP BY T (and perhaps time), every row passing: each run folds into the group
//   of its value (Q7: GROUP BY entity_id over whole days);
// - WHERE T = 'v' as the rule's only equalities, grouped by time at most: the runs of
//   v fold into the block's one group and the others are passed over (one small
//   tenant's rows in a block that several tenants share).
struct RunStatsFold {
  std::string tag;                        // T
  std::optional<std::string> kept_value;  // v; unset: GROUP BY T
  // What every row of a block must satisfy: the rule, less T's equalities.
  PruneRule passing_rule;
};

// The way the plan folds blocks run by run, if it can.
std::optional<RunStatsFold> plan_run_stats_fold(const BoundSelect& plan, const PruneRule& rule);

// The time bucket of every row (0 without time grouping) of a block with `stats`
// that may be folded run by run: every row passes fold.passing_rule, the rows lie
// in one bucket, the block has tag T and its statistics show the aggregates'
// columns fit; an integer sum is checked again per run when folded.
std::optional<int64_t> block_run_stats_answer(const BoundSelect& plan, const RunStatsFold& fold,
                                              const storage::BlockStats& stats);

}  // namespace tessera::query::detail
