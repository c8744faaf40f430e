#include "query/select_executor.h"

#include <algorithm>
#include <chrono>
#include <deque>
#include <numeric>

#include "query/aggregate.h"
#include "query/block_pruning.h"
#include "query/column_usage.h"
#include "query/expression_eval.h"
#include "query/group_table.h"
#include "query/result_ordering.h"
#include "query/row_selection.h"
#include "query/stats_aggregation.h"

namespace tessera::query {
namespace {

using Kind = BoundExpr::Kind;
using detail::add_group_if_new;
using detail::assign_group_ids;
using detail::block_stats_answer;
using detail::can_skip;
using detail::ConstantGroupKey;
using detail::derive_prune_rule;
using detail::evaluate_rows;
using detail::evaluate_truth;
using detail::gather_column;
using detail::group_key_columns;
using detail::GroupTable;
using detail::keep_first_in_order;
using detail::keep_rows_equal;
using detail::keep_true;
using detail::OutputRow;
using detail::plan_allows_stats_answers;
using detail::PruneRule;
using detail::sort_and_limit;

// Raw rows gathered past 2 * LIMIT + this many are cut back to the LIMIT.
constexpr size_t kMinRowsBeforeTopK = 4096;
// Below this average run of one group per block, reducing run by run costs more
// than scattering row by row.
constexpr size_t kMinAverageGroupRun = 16;

// Values computed once per expression text, kept at stable addresses.
template <typename T>
class PerText {
 public:
  template <typename Compute>
  Result<const T*> get(const BoundExpr& e, Compute compute) {
    for (const auto& [text, value] : entries_) {
      if (*text == e.text) return &value;
    }
    TESSERA_ASSIGN_OR_RETURN(T value, compute());
    entries_.emplace_back(&e.text, std::move(value));
    return &entries_.back().second;
  }

 private:
  std::deque<std::pair<const std::string*, T>> entries_;  // deque: push_back keeps addresses
};

class Executor {
 public:
  Executor(const BoundSelect& plan, const engine::TableSnapshot& snapshot,
           const std::optional<std::string>& tenant, const QueryContext& context, ScanStats& stats)
      : plan_(plan), snapshot_(snapshot), tenant_(tenant), context_(context), stats_(stats) {
    groups_.dictionaries.resize(plan.group_tags.size());
    for (const AggregateSpec& spec : plan.aggregates) aggregators_.emplace_back(spec);
    for (const BoundExpr& conjunct : plan.where_conjuncts) {
      conjunct_rules_.push_back(detail::conjunct_rule(conjunct));
    }
    if (tenant_) tenant_rule_.equalities.emplace_back(*plan.schema.options.tenant_column, *tenant_);
  }

  Result<ResultSet> run() {
    const auto deadline = std::chrono::steady_clock::now() + context_.timeout;
    const PruneRule rule = derive_prune_rule(plan_, tenant_, &stats_.pruning_predicates);
    if (plan_.is_aggregate && plan_.group_key_count() == 0)
      add_group_if_new(groups_, "", &memory_bytes_);  // one row always
    stats_.blocks_total = snapshot_.blocks.size() + snapshot_.blocks_outside_range;
    stats_.blocks_pruned = snapshot_.blocks_outside_range;
    const bool use_stats = plan_allows_stats_answers(plan_, rule);
    const std::vector<std::string> columns =
        detail::columns_read(plan_, tenant_ ? plan_.schema.options.tenant_column : std::nullopt);
    auto time_limit_error = [&] {
      return make_error(
          ErrorCode::kLimitExceeded,
          "query time limit of " + std::to_string(context_.timeout.count()) + " ms exceeded");
    };
    for (size_t b = 0; b < snapshot_.blocks.size(); ++b) {
      // Pruning a block takes nanoseconds: the clock is read once per 64 of them,
      // and before each block that is read.
      if (b % 64 == 0 && std::chrono::steady_clock::now() > deadline) return time_limit_error();
      const engine::BlockView& view = snapshot_.blocks[b];
      if (can_skip(rule, view.source->stats())) {
        ++stats_.blocks_pruned;
        continue;
      }
      if (b % 64 != 0 && std::chrono::steady_clock::now() > deadline) return time_limit_error();
      if (use_stats && view.live_rows == nullptr) {
        const storage::BlockStats& block_stats = view.source->stats();
        if (std::optional<ConstantGroupKey> key = block_stats_answer(plan_, rule, block_stats)) {
          TESSERA_RETURN_IF_ERROR(fold_block_stats(*key, block_stats));
          continue;
        }
      }
      ++stats_.blocks_scanned;
      TESSERA_ASSIGN_OR_RETURN(engine::LoadedBlock block, view.source->load_columns(columns));
      TESSERA_RETURN_IF_ERROR(scan_block(block, view.live_rows.get(), view.source->stats()));
      if (memory_bytes_ + raw_bytes_ > context_.max_memory_bytes) {
        return make_error(ErrorCode::kLimitExceeded, "query memory limit of " +
                                                         std::to_string(context_.max_memory_bytes) +
                                                         " bytes exceeded");
      }
    }
    std::vector<OutputRow> rows;
    if (plan_.is_aggregate) {
      stats_.groups = groups_.count;
      TESSERA_ASSIGN_OR_RETURN(rows, finish_groups());
    } else {
      rows = std::move(raw_rows_);
    }
    sort_and_limit(plan_, rows);
    if (rows.size() > context_.max_result_rows) {
      return make_error(ErrorCode::kLimitExceeded, "result has " + std::to_string(rows.size()) +
                                                       " rows, over the limit of " +
                                                       std::to_string(context_.max_result_rows));
    }
    ResultSet result;
    result.columns = plan_.output_names;
    result.rows.reserve(rows.size());
    for (OutputRow& row : rows) result.rows.push_back(std::move(row.values));
    return result;
  }

 private:
  // Reads the rows of `block` that pass the tenant scope and WHERE clause. A
  // condition that the block's statistics prove true for every row (a tenant-pure
  // block, a time range inside the queried one) is not evaluated row by row.
  Status scan_block(const engine::LoadedBlock& block, const std::vector<uint8_t>* live,
                    const storage::BlockStats& block_stats) {
    const size_t rows = block.row_count();
    stats_.rows_scanned += rows;
    if (live != nullptr && live->size() != rows) {
      return make_error(ErrorCode::kInternal, "dedup mask does not match its block");
    }
    std::vector<uint32_t> sel;
    if (live == nullptr) {
      sel.resize(rows);
      std::iota(sel.begin(), sel.end(), uint32_t{0});
    } else {
      sel.reserve(rows);
      for (size_t r = 0; r < rows; ++r) {
        if ((*live)[r] != 0) sel.push_back(static_cast<uint32_t>(r));
      }
    }
    if (tenant_ && !detail::every_row_satisfies(tenant_rule_, block_stats)) {
      TESSERA_RETURN_IF_ERROR(
          keep_rows_equal(block, *plan_.schema.options.tenant_column, *tenant_, sel));
    }
    LeafResolver leaves = [&](const BoundExpr& leaf) -> Result<Vec> {
      return gather_column(block, leaf, sel);
    };
    for (size_t c = 0; c < plan_.where_conjuncts.size(); ++c) {
      if (sel.empty()) break;
      const std::optional<PruneRule>& implied_by = conjunct_rules_[c];
      if (implied_by && detail::every_row_satisfies(*implied_by, block_stats)) continue;
      if (implied_by && implied_by->equalities.size() == 1) {  // column = 'value'
        const auto& [column, value] = implied_by->equalities[0];
        TESSERA_RETURN_IF_ERROR(keep_rows_equal(block, column, value, sel));
        continue;
      }
      TESSERA_ASSIGN_OR_RETURN(Vec cond,
                               evaluate_rows(plan_.where_conjuncts[c], block, sel, leaves));
      sel = keep_true(sel, cond);
    }
    stats_.rows_matched += sel.size();
    if (sel.empty()) return Status::ok();
    return plan_.is_aggregate
               ? aggregate_block(block, sel, leaves, detail::uniform_bucket(plan_, block_stats))
               : gather_raw(sel, leaves, block);
  }

  // Aggregates a block whose rows all pass and share `key` from its statistics.
  Status fold_block_stats(const ConstantGroupKey& key, const storage::BlockStats& block_stats) {
    std::vector<uint32_t> tag_ids(key.tags.size(), detail::kNullTagId);
    for (size_t k = 0; k < key.tags.size(); ++k) {
      if (key.tags[k]) tag_ids[k] = groups_.dictionaries[k].intern(*key.tags[k]);
    }
    const uint32_t gid = detail::intern_group(plan_, groups_, key.bucket, tag_ids, &memory_bytes_);
    for (size_t a = 0; a < plan_.aggregates.size(); ++a) {
      const AggregateSpec& spec = plan_.aggregates[a];
      const storage::ColumnStats* column = nullptr;
      if (spec.arg) {
        const int i = block_stats.find(spec.arg->name);
        if (i >= 0) column = &block_stats.columns[static_cast<size_t>(i)];
      }
      aggregators_[a].resize(groups_.count);
      TESSERA_RETURN_IF_ERROR(aggregators_[a].fold_stats(gid, block_stats.row_count, column));
    }
    ++stats_.blocks_from_stats;
    stats_.rows_matched += block_stats.row_count;
    return Status::ok();
  }

  Status aggregate_block(const engine::LoadedBlock& block, const std::vector<uint32_t>& sel,
                         const LeafResolver& leaves, std::optional<int64_t> bucket) {
    const size_t n = sel.size();
    TESSERA_ASSIGN_OR_RETURN(
        const detail::GroupedRows grouped,
        assign_group_ids(plan_, block, sel, bucket, kMinAverageGroupRun, groups_, &memory_bytes_));
    const std::vector<uint32_t>& gids = grouped.gids;
    const std::vector<uint32_t>& runs = grouped.run_starts;
    for (Aggregator& a : aggregators_) a.resize(groups_.count);
    const bool single_group = runs.size() == 2;  // one run: its start and the end

    // Aggregates often repeat an argument or condition (count_if(c) and a FILTER
    // (WHERE c), avg(x) and percentile(x)): each distinct text is evaluated once
    // per block. Equal text binds to equal expressions within one plan.
    PerText<Vec> evaluated;
    auto rows_of = [&](const BoundExpr& e) {
      return evaluated.get(e, [&] { return evaluate_rows(e, block, sel, leaves); });
    };
    PerText<std::vector<uint8_t>> masks;  // FILTER conditions, as truth bytes
    auto mask_of = [&](const BoundExpr& e) {
      return masks.get(e, [&] { return evaluate_truth(e, block, sel, leaves); });
    };

    std::vector<int64_t> times;
    for (size_t a = 0; a < plan_.aggregates.size(); ++a) {
      const AggregateSpec& spec = plan_.aggregates[a];
      AggregateInput input;
      input.group_ids = &gids;
      input.single_group = single_group;
      input.run_starts = runs.empty() ? nullptr : &runs;
      const storage::Column* stored = nullptr;
      if (spec.arg && spec.arg->kind == Kind::kColumn && n == block.row_count()) {
        stored = block.find(spec.arg->name);
      }
      if (stored != nullptr && stored->size() == n && reads_in_place(spec, *stored)) {
        input.in_place = stored;  // every row selected: read where the block keeps it
      } else if (spec.arg) {
        TESSERA_ASSIGN_OR_RETURN(input.arg, rows_of(*spec.arg));
      }
      if (spec.sla_condition && input.in_place == nullptr) {
        TESSERA_ASSIGN_OR_RETURN(input.sla_condition, rows_of(*spec.sla_condition));
      }
      if (spec.filter) {
        TESSERA_ASSIGN_OR_RETURN(input.filter, mask_of(*spec.filter));
      }
      if (spec.fn == AggregateFn::kFirst || spec.fn == AggregateFn::kLast) {
        if (times.empty()) {
          times.resize(n);
          for (size_t i = 0; i < n; ++i) times[i] = block.time_ns()[sel[i]];
        }
        input.time_ns = &times;
      }
      TESSERA_RETURN_IF_ERROR(aggregators_[a].update(input, &memory_bytes_));
    }
    return Status::ok();
  }

  Status gather_raw(const std::vector<uint32_t>& sel, const LeafResolver& leaves,
                    const engine::LoadedBlock& block) {
    const size_t n = sel.size();
    std::vector<Vec> outputs;
    for (const BoundExpr& e : plan_.outputs) {
      TESSERA_ASSIGN_OR_RETURN(Vec v, evaluate(e, leaves, n));
      outputs.push_back(std::move(v));
    }
    std::vector<Vec> keys;
    for (const SortKey& k : plan_.order_by) {
      if (k.output_index >= 0) continue;
      TESSERA_ASSIGN_OR_RETURN(Vec v, evaluate(*k.expr, leaves, n));
      keys.push_back(std::move(v));
    }
    for (size_t i = 0; i < n; ++i) {
      OutputRow row;
      row.values.reserve(outputs.size());
      for (const Vec& v : outputs) {
        row.values.push_back(value_at(v, i));
        if (const std::string* s = std::get_if<std::string>(&row.values.back())) {
          row.bytes += s->size();
        }
      }
      for (const Vec& v : keys) row.sort_keys.push_back(value_at(v, i));
      row.bytes += sizeof(OutputRow) + sizeof(Value) * (outputs.size() + keys.size());
      row.time_ns = block.time_ns()[sel[i]];
      row.seq = next_seq_++;
      raw_bytes_ += row.bytes;
      raw_rows_.push_back(std::move(row));
    }
    // With a LIMIT only the first `limit` rows in result order can be returned:
    // keep those, so that memory follows the LIMIT and not the table.
    if (plan_.limit) {
      const size_t limit = static_cast<size_t>(*plan_.limit);
      if (raw_rows_.size() > 2 * limit + kMinRowsBeforeTopK) {
        keep_first_in_order(plan_, limit, raw_rows_);
        raw_bytes_ = 0;
        for (const OutputRow& row : raw_rows_) raw_bytes_ += row.bytes;
      }
    }
    return Status::ok();
  }

  Result<std::vector<OutputRow>> finish_groups() {
    const size_t groups = groups_.count;
    const size_t key_count = plan_.group_key_count();
    // Column-major group keys and aggregate values.
    std::vector<std::vector<Value>> keys = group_key_columns(plan_, groups_);
    std::vector<std::vector<Value>> aggs(aggregators_.size(), std::vector<Value>(groups));
    for (size_t a = 0; a < aggregators_.size(); ++a) {
      aggregators_[a].resize(groups);
      for (size_t g = 0; g < groups; ++g) aggs[a][g] = aggregators_[a].finalize(g);
    }
    // Default order: time, then tags, ascending, NULL tags last.
    std::vector<size_t> order(groups);
    std::iota(order.begin(), order.end(), size_t{0});
    std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
      for (size_t k = 0; k < key_count; ++k) {
        const int c = compare_for_sort(keys[k][a], keys[k][b]);
        if (c != 0) return c < 0;
      }
      return a < b;
    });
    auto column_of = [](const std::vector<Value>& values, const std::vector<size_t>& rows) {
      std::vector<const Value*> ptrs(rows.size());
      for (size_t i = 0; i < rows.size(); ++i) ptrs[i] = &values[rows[i]];
      return ptrs;
    };
    auto resolver_for = [&](const std::vector<size_t>& rows) -> LeafResolver {
      return [&, rows](const BoundExpr& leaf) -> Result<Vec> {
        const auto& source = leaf.kind == Kind::kGroupKey ? keys : aggs;
        if (leaf.kind != Kind::kGroupKey && leaf.kind != Kind::kAggregate) {
          return make_error(ErrorCode::kInternal, "row-level column in a group expression");
        }
        return vec_from_values(leaf.type, column_of(source[static_cast<size_t>(leaf.index)], rows));
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
    std::vector<OutputRow> rows(n);
    for (size_t i = 0; i < n; ++i) {
      for (const Vec& v : outputs) rows[i].values.push_back(value_at(v, i));
      for (const Vec& v : sort_keys) rows[i].sort_keys.push_back(value_at(v, i));
      rows[i].seq = i;  // already in the default (time, tags) order
    }
    return rows;
  }

  const BoundSelect& plan_;
  const engine::TableSnapshot& snapshot_;
  const std::optional<std::string>& tenant_;
  const QueryContext& context_;
  ScanStats& stats_;
  GroupTable groups_;
  std::vector<Aggregator> aggregators_;
  std::vector<std::optional<PruneRule>> conjunct_rules_;  // parallel to where_conjuncts
  PruneRule tenant_rule_;                                 // the tenant scope alone
  std::vector<OutputRow> raw_rows_;
  uint64_t next_seq_ = 0;
  size_t raw_bytes_ = 0;  // held by raw_rows_
  size_t memory_bytes_ = 0;
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
