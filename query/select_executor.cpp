#include "query/select_executor.h"

#include <algorithm>
#include <chrono>
#include <exception>
#include <numeric>

#include "query/aggregate.h"
#include "query/block_pruning.h"
#include "query/block_range_scan.h"
#include "query/column_usage.h"
#include "query/expression_eval.h"
#include "query/group_table.h"
#include "query/result_ordering.h"
#include "query/scan_workers.h"
#include "query/stats_aggregation.h"

namespace tessera::query {
namespace {

using Kind = BoundExpr::Kind;
using detail::block_stats_answer;
using detail::BlockAction;
using detail::can_skip;
using detail::derive_prune_rule;
using detail::OutputRow;
using detail::PartialResult;
using detail::plan_allows_stats_answers;
using detail::PruneRule;
using detail::sort_and_limit;

// A scanned block costs its rows; one folded from statistics about this many.
constexpr uint64_t kStatsFoldCost = 64;

// What reading a block costs, in rows: a block folded run by run counts a row per
// kMinAverageTagRun (its runs, at most; a run costs about what a row does to fold).
uint64_t block_cost(detail::BlockAction action, uint64_t row_count) {
  switch (action) {
    case detail::BlockAction::kFromStats:
      return kStatsFoldCost;
    case detail::BlockAction::kFromRunStats:
      return std::max<uint64_t>(row_count / engine::kMinAverageTagRun, 1);
    default:
      return std::max<uint64_t>(row_count, 1);
  }
}
// Ranges per participating thread. One: each further range builds its groups again
// (every range interns the tag values it meets) and adds a merge, which cost more
// than balancing gained (medium data: Q4b, Q5b, Q7 4-16% slower with two per thread);
// ranges are cut to equal cost, and the caller takes any range no worker started.
constexpr size_t kRangesPerThread = 1;

// Splits blocks [0, costs.size()) into at most `count` contiguous ranges of about
// equal cost; returns their boundaries (first 0, last costs.size()).
std::vector<size_t> split_by_cost(const std::vector<uint64_t>& costs, uint64_t total,
                                  size_t count) {
  std::vector<size_t> bounds{0};
  uint64_t sum = 0;
  for (size_t b = 0; b < costs.size() && bounds.size() < count; ++b) {
    sum += costs[b];
    // Cut after block b once the range so far reaches its share of the total.
    if (sum * count >= total * bounds.size() && costs[b] != 0) bounds.push_back(b + 1);
  }
  if (bounds.size() == 1 || bounds.back() != costs.size()) bounds.push_back(costs.size());
  return bounds;
}

class Executor {
 public:
  Executor(const BoundSelect& plan, const engine::TableSnapshot& snapshot,
           const std::optional<std::string>& tenant, const QueryContext& context, ScanStats& stats)
      : plan_(plan), context_(context), stats_(stats) {
    scan_.plan = &plan;
    scan_.snapshot = &snapshot;
    scan_.tenant = &tenant;
    scan_.context = &context;
    for (const BoundExpr& conjunct : plan.where_conjuncts) {
      scan_.conjunct_rules.push_back(detail::conjunct_rule(conjunct));
    }
    if (tenant)
      scan_.tenant_rule.equalities.emplace_back(*plan.schema.options.tenant_column, *tenant);
  }

  Result<ResultSet> run() {
    scan_.deadline = std::chrono::steady_clock::now() + context_.timeout;
    TESSERA_ASSIGN_OR_RETURN(const uint64_t cost, classify_blocks());
    TESSERA_ASSIGN_OR_RETURN(PartialResult result, scan_ranges(cost));
    std::vector<OutputRow> rows;
    if (plan_.is_aggregate) {
      stats_.groups = result.groups.count;
      TESSERA_ASSIGN_OR_RETURN(rows, finish_groups(result));
    } else {
      rows = std::move(result.raw_rows);
    }
    sort_and_limit(plan_, rows);
    if (rows.size() > context_.max_result_rows) {
      return make_error(ErrorCode::kLimitExceeded, "result has " + std::to_string(rows.size()) +
                                                       " rows, over the limit of " +
                                                       std::to_string(context_.max_result_rows));
    }
    ResultSet out;
    out.columns = plan_.output_names;
    out.rows.reserve(rows.size());
    for (OutputRow& row : rows) out.rows.push_back(std::move(row.values));
    return out;
  }

 private:
  // Decides from its statistics how each block is read (scan_.actions) and returns
  // the cost of reading them all.
  Result<uint64_t> classify_blocks() {
    const engine::TableSnapshot& snapshot = *scan_.snapshot;
    const PruneRule rule = derive_prune_rule(plan_, *scan_.tenant, &stats_.pruning_predicates);
    stats_.blocks_total = snapshot.blocks.size() + snapshot.blocks_outside_range;
    stats_.blocks_pruned = snapshot.blocks_outside_range;
    const bool use_stats = plan_allows_stats_answers(plan_, rule);
    scan_.run_stats_fold = detail::plan_run_stats_fold(plan_, rule);
    scan_.columns = detail::columns_read(
        plan_, scan_.tenant->has_value() ? plan_.schema.options.tenant_column : std::nullopt);
    scan_.time_usage = detail::time_usage(plan_);
    const size_t n = snapshot.blocks.size();
    scan_.actions.assign(n, BlockAction::kScan);
    scan_.keys.assign(n, std::nullopt);
    costs_.assign(n, 0);
    prune_sorted_runs(rule);
    if (use_stats) fold_whole_runs(rule);
    uint64_t total = 0;
    for (size_t b = 0; b < n; ++b) {
      // Classifying a block takes nanoseconds: the clock is read once per 64.
      if (b % 64 == 0 && std::chrono::steady_clock::now() > scan_.deadline) {
        return detail::time_limit_error(context_);
      }
      if (scan_.actions[b] == BlockAction::kPrune) {
        ++stats_.blocks_pruned;
        continue;
      }
      if (scan_.actions[b] == BlockAction::kFromRunTotals) {
        costs_[b] = kStatsFoldCost;
        total += kStatsFoldCost;
        continue;
      }
      if (scan_.actions[b] == BlockAction::kInRunTotals) continue;
      const engine::BlockView& view = snapshot.blocks[b];
      const storage::BlockStats& block_stats = view.source->stats();
      if (can_skip(rule, block_stats)) {
        scan_.actions[b] = BlockAction::kPrune;
        ++stats_.blocks_pruned;
        continue;
      }
      if (use_stats) {
        // The live rows of a masked block pass as every row does, in the same group.
        scan_.keys[b] = block_stats_answer(plan_, rule, block_stats);
        if (scan_.keys[b]) {
          scan_.actions[b] =
              view.live_rows == nullptr ? BlockAction::kFromStats : BlockAction::kFromLiveStats;
        }
      }
      if (scan_.run_stats_fold && view.live_rows == nullptr && !scan_.keys[b]) {
        if (const std::optional<int64_t> bucket =
                detail::block_run_stats_answer(plan_, *scan_.run_stats_fold, block_stats)) {
          scan_.keys[b] = detail::ConstantGroupKey{*bucket, {}};
          scan_.actions[b] = BlockAction::kFromRunStats;
        }
      }
      costs_[b] =
          scan_.actions[b] == BlockAction::kFromLiveStats && keeps_live_stats(*view.live_rows)
              ? kStatsFoldCost
              : block_cost(scan_.actions[b], block_stats.row_count);
      total += costs_[b];
    }
    return total;
  }

  // Whether `mask` keeps its live rows' statistics of every column the aggregates
  // read (a query computed them since the mask last changed): its block then folds as
  // cheaply as one without a mask, where computing them reads the block's rows.
  bool keeps_live_stats(const engine::LiveMask& mask) const {
    return std::all_of(plan_.aggregates.begin(), plan_.aggregates.end(),
                       [&](const AggregateSpec& spec) {
                         return !spec.arg || mask.find_stats(spec.arg->name) != nullptr;
                       });
  }

  // Marks each sorted run that the rule leaves whole, without a masked block, whose
  // totals show every row passing in one group: its first block kFromRunTotals, the
  // others kInRunTotals. Runs the totals show no row can pass are pruned.
  void fold_whole_runs(const PruneRule& rule) {
    const engine::TableSnapshot& snapshot = *scan_.snapshot;
    for (const engine::TableSnapshot::SortedRun& run : snapshot.sorted_runs) {
      if (run.totals == nullptr || run.begin == run.end) continue;
      const auto first = scan_.actions.begin() + static_cast<ptrdiff_t>(run.begin);
      const auto last = scan_.actions.begin() + static_cast<ptrdiff_t>(run.end);
      const bool is_whole =
          std::all_of(first, last, [](BlockAction a) { return a == BlockAction::kScan; });
      const bool is_masked =
          std::any_of(snapshot.blocks.begin() + static_cast<ptrdiff_t>(run.begin),
                      snapshot.blocks.begin() + static_cast<ptrdiff_t>(run.end),
                      [](const engine::BlockView& view) { return view.live_rows != nullptr; });
      if (!is_whole || is_masked) continue;
      if (can_skip(rule, *run.totals)) {
        std::fill(first, last, BlockAction::kPrune);
        continue;
      }
      std::optional<detail::ConstantGroupKey> key = block_stats_answer(plan_, rule, *run.totals);
      if (!key) continue;
      scan_.keys[run.begin] = std::move(key);
      *first = BlockAction::kFromRunTotals;
      std::fill(first + 1, last, BlockAction::kInRunTotals);
    }
  }

  // Marks kPrune the blocks of the snapshot's sorted runs that cannot hold the
  // tenant the rule asks for (by binary search, without checking each block).
  void prune_sorted_runs(const PruneRule& rule) {
    const std::optional<std::string>& tenant_column = plan_.schema.options.tenant_column;
    if (!tenant_column) return;
    for (const auto& [column, value] : rule.equalities) {
      if (column != *tenant_column) continue;
      const engine::TableSnapshot& snapshot = *scan_.snapshot;
      for (const engine::TableSnapshot::SortedRun& run : snapshot.sorted_runs) {
        const auto [first, last] = detail::run_blocks_holding(snapshot, run, column, value);
        std::fill(scan_.actions.begin() + static_cast<ptrdiff_t>(run.begin),
                  scan_.actions.begin() + static_cast<ptrdiff_t>(first), BlockAction::kPrune);
        std::fill(scan_.actions.begin() + static_cast<ptrdiff_t>(last),
                  scan_.actions.begin() + static_cast<ptrdiff_t>(run.end), BlockAction::kPrune);
      }
      return;
    }
  }

  // Reads the blocks in contiguous ranges, on the scan workers when the scan is
  // big enough to repay them (a big one on the background workers alone), and
  // merges the ranges' results in block order, so that the result is the one a
  // single pass over the blocks gives.
  Result<PartialResult> scan_ranges(uint64_t cost) {
    size_t range_count = 1;
    ScanWorkers* workers = context_.scan_workers;
    ScanWorkers* background = context_.background_workers;
    const uint64_t min_cost = std::max<uint64_t>(context_.min_rows_per_scan_range, 1);
    stats_.in_background = background != nullptr && background->thread_count() > 0 &&
                           cost >= context_.background_scan_rows;
    if (stats_.in_background) {
      range_count = static_cast<size_t>(
          std::clamp<uint64_t>(cost / min_cost, 1, background->thread_count() * kRangesPerThread));
    } else if (workers != nullptr && workers->thread_count() > 0 && cost >= 2 * min_cost) {
      range_count = static_cast<size_t>(
          std::min<uint64_t>((workers->thread_count() + 1) * kRangesPerThread, cost / min_cost));
    }
    const std::vector<size_t> bounds = split_by_cost(costs_, cost, range_count);
    range_count = bounds.size() - 1;
    stats_.scan_ranges = range_count;
    std::vector<PartialResult> partials;
    partials.reserve(range_count);
    for (size_t r = 0; r < range_count; ++r) partials.push_back(detail::make_partial(plan_));
    std::vector<Status> statuses(range_count);
    auto scan_range = [&](size_t r) {
      // A range may run on a scan worker, outside the session's catch boundary: an
      // exception (an allocation failing) becomes this query's error, not the process's.
      try {
        statuses[r] = detail::scan_block_range(scan_, bounds[r], bounds[r + 1], partials[r]);
      } catch (const std::exception& e) {
        statuses[r] = make_error(ErrorCode::kInternal, std::string("scanning blocks: ") + e.what());
      }
      if (!statuses[r].is_ok()) scan_.has_failed.store(true, std::memory_order_relaxed);
    };
    if (stats_.in_background) {
      background->run_on_workers(range_count, scan_range);
    } else if (range_count == 1) {
      scan_range(0);
    } else {
      workers->run(range_count, scan_range);
    }
    for (const Status& status : statuses) {
      TESSERA_RETURN_IF_ERROR(status);
    }
    PartialResult& result = partials[0];
    for (size_t r = 1; r < range_count; ++r) TESSERA_RETURN_IF_ERROR(merge(partials[r], result));
    for (const PartialResult& p : partials) {
      stats_.blocks_scanned += p.blocks_scanned;
      stats_.blocks_from_stats += p.blocks_from_stats;
      stats_.blocks_from_segment_totals += p.blocks_from_segment_totals;
      stats_.blocks_from_run_stats += p.blocks_from_run_stats;
      stats_.blocks_from_sorted_runs += p.blocks_from_sorted_runs;
      stats_.rows_scanned += p.rows_scanned;
      stats_.rows_matched += p.rows_matched;
    }
    if (result.memory_bytes + result.raw_bytes > context_.max_memory_bytes) {
      return make_error(
          ErrorCode::kLimitExceeded,
          "query memory limit of " + std::to_string(context_.max_memory_bytes) + " bytes exceeded");
    }
    return std::move(result);
  }

  // Folds `later` (the next range of blocks) into `into`.
  Status merge(PartialResult& later, PartialResult& into) {
    if (plan_.is_aggregate) {
      const std::vector<uint32_t> group_map =
          detail::merge_groups(plan_, later.groups, into.groups, &into.memory_bytes);
      for (size_t a = 0; a < into.aggregators.size(); ++a) {
        into.aggregators[a].resize(into.groups.count);
        later.aggregators[a].resize(later.groups.count);
        into.aggregators[a].merge(later.aggregators[a], group_map, &into.memory_bytes);
      }
      return Status::ok();
    }
    // Raw rows keep their write order: the later range's come after.
    for (OutputRow& row : later.raw_rows) {
      row.seq += into.next_seq;
      into.raw_bytes += row.bytes;
      into.raw_rows.push_back(std::move(row));
    }
    into.next_seq += later.next_seq;
    return Status::ok();
  }

  // Each aggregate's value per group into aggs[aggregate][group]. Exact percentiles
  // select among every value a group gathered, serially after the scan: with at
  // least min_rows_per_scan_range values in all, the groups are spread over the
  // threads that scanned (a group per task), as the ranges were.
  Status finalize_groups(std::vector<Aggregator>& aggregators, size_t groups,
                         std::vector<std::vector<Value>>& aggs) {
    auto finalize_group = [&](size_t g) { query::finalize_group(aggregators, g, aggs); };
    ScanWorkers* workers =
        stats_.in_background ? context_.background_workers : context_.scan_workers;
    if (stats_.scan_ranges <= 1 || groups <= 1 || workers == nullptr ||
        gathered_values(aggregators) < std::max<uint64_t>(context_.min_rows_per_scan_range, 1)) {
      for (size_t g = 0; g < groups; ++g) finalize_group(g);
      return Status::ok();
    }
    std::vector<std::string> errors(groups);  // a slot per task: no lock
    auto task = [&](size_t g) {
      // As scan_range: a task on a worker must not throw (an allocation failing).
      try {
        finalize_group(g);
      } catch (const std::exception& e) {
        errors[g] = e.what();
      }
    };
    if (stats_.in_background) {
      workers->run_on_workers(groups, task);
    } else {
      workers->run(groups, task);
    }
    for (const std::string& error : errors) {
      if (!error.empty()) return make_error(ErrorCode::kInternal, "finalizing groups: " + error);
    }
    return Status::ok();
  }

  static size_t gathered_values(const std::vector<Aggregator>& aggregators) {
    size_t gathered = 0;
    for (const Aggregator& aggregator : aggregators) gathered += aggregator.gathered_value_count();
    return gathered;
  }

  Result<std::vector<OutputRow>> finish_groups(PartialResult& result) {
    const size_t groups = result.groups.count;
    std::vector<Aggregator>& aggregators = result.aggregators;
    std::vector<std::vector<Value>> aggs(aggregators.size(), std::vector<Value>(groups));
    for (Aggregator& aggregator : aggregators) {
      aggregator.resize(groups);
      TESSERA_RETURN_IF_ERROR(aggregator.check_totals());
    }
    TESSERA_RETURN_IF_ERROR(finalize_groups(aggregators, groups, aggs));
    // Default order: time, then tags, ascending, NULL tags last; a row's place in it
    // decides only between rows that ORDER BY leaves tied, and distinct groups never
    // tie on an ORDER BY that names every group key (Q7: roas, entity_id).
    std::vector<size_t> order(groups);
    if (detail::orders_by_every_group_key(plan_)) {
      std::iota(order.begin(), order.end(), size_t{0});
    } else {
      order = detail::groups_in_key_order(plan_, result.groups);
    }
    auto resolver_for = [&](const std::vector<size_t>& rows) -> LeafResolver {
      return [&, rows](const BoundExpr& leaf) -> Result<Vec> {
        if (leaf.kind == Kind::kGroupKey) {
          return detail::group_key_vec(plan_, result.groups, static_cast<size_t>(leaf.index), rows);
        }
        if (leaf.kind != Kind::kAggregate) {
          return make_error(ErrorCode::kInternal, "row-level column in a group expression");
        }
        const std::vector<Value>& values = aggs[static_cast<size_t>(leaf.index)];
        std::vector<const Value*> column(rows.size());
        for (size_t i = 0; i < rows.size(); ++i) column[i] = &values[rows[i]];
        return vec_from_values(leaf.type, column);
      };
    };
    if (plan_.having) {
      TESSERA_ASSIGN_OR_RETURN(Vec keep,
                               evaluate(*plan_.having, resolver_for(order), order.size()));
      std::vector<size_t> kept;
      for (size_t i = 0; i < order.size(); ++i) {
        if (keep.type != ValueType::kNull && keep.valid[i] && keep.ints[i] != 0)
          kept.push_back(order[i]);
      }
      order = std::move(kept);
    }
    const LeafResolver leaves = resolver_for(order);
    const size_t n = order.size();
    std::vector<Vec> outputs;
    for (const BoundExpr& e : plan_.outputs) {
      TESSERA_ASSIGN_OR_RETURN(Vec v, evaluate(e, leaves, n));
      outputs.push_back(std::move(v));
    }
    std::vector<Vec> sort_keys;
    for (const SortKey& k : plan_.order_by) {
      if (k.output_index >= 0) continue;
      TESSERA_ASSIGN_OR_RETURN(Vec v, evaluate(*k.expr, leaves, n));
      sort_keys.push_back(std::move(v));
    }
    // Only the rows LIMIT keeps are made (sort_and_limit then finds them in order).
    std::vector<size_t> made(n);
    if (plan_.limit && n > static_cast<size_t>(*plan_.limit)) {
      made = detail::first_rows_in_order(plan_, outputs, sort_keys, n,
                                         static_cast<size_t>(*plan_.limit));
    } else {
      std::iota(made.begin(), made.end(), size_t{0});
    }
    std::vector<OutputRow> rows(made.size());
    for (size_t r = 0; r < made.size(); ++r) {
      const size_t i = made[r];
      rows[r].values.reserve(outputs.size());
      for (const Vec& v : outputs) rows[r].values.push_back(value_at(v, i));
      rows[r].sort_keys.reserve(sort_keys.size());
      for (const Vec& v : sort_keys) rows[r].sort_keys.push_back(value_at(v, i));
      rows[r].seq = i;  // the row's place in the default (time, tags) order
    }
    return rows;
  }

  const BoundSelect& plan_;
  const QueryContext& context_;
  ScanStats& stats_;
  detail::RangeScanPlan scan_;
  std::vector<uint64_t> costs_;  // per snapshot block: rows to scan, or the cost of a fold
};

}  // namespace

Result<ResultSet> execute_select(const BoundSelect& plan, const engine::TableSnapshot& snapshot,
                                 const std::optional<std::string>& tenant,
                                 const QueryContext& context, ScanStats* stats) {
  ScanStats local;
  Executor executor(plan, snapshot, tenant, context, stats != nullptr ? *stats : local);
  return executor.run();
}

}  // namespace tessera::query
