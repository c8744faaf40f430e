#include "query/stats_aggregation.h"

#include <cmath>

namespace tessera::query::detail {
namespace {

using Kind = BoundExpr::Kind;
using storage::ColumnStats;
using storage::ColumnType;

bool is_foldable(const AggregateSpec& spec) {
  if (spec.filter) return false;
  switch (spec.fn) {
    case AggregateFn::kCountStar:
      return true;
    case AggregateFn::kCount:
    case AggregateFn::kSum:
    case AggregateFn::kAvg:
    case AggregateFn::kMin:
    case AggregateFn::kMax:
    case AggregateFn::kApproxPercentile:
      // A plain stored column; `time` has no per-column statistics.
      return spec.arg && spec.arg->kind == Kind::kColumn && spec.arg->name != "time";
    default:
      return false;
  }
}

ColumnType stored_type_of(ValueType type) {
  switch (type) {
    case ValueType::kFloat:
      return ColumnType::kFloat64;
    case ValueType::kBool:
      return ColumnType::kBool;
    case ValueType::kString:
      return ColumnType::kString;
    default:
      return ColumnType::kInt64;
  }
}

// Whether `cs` (a column of type `type`; null when the block lacks the column, so
// every row is NULL there) holds what `spec` needs.
bool stats_cover(const AggregateSpec& spec, ColumnType type, const ColumnStats* cs) {
  if (spec.fn == AggregateFn::kCountStar || spec.fn == AggregateFn::kCount || cs == nullptr) {
    return true;
  }
  // Float statistics skip NaN for min/max; a sum that is not NaN proves there is none
  // (and a stored sum that is unknown is written as NaN).
  const bool float_ok = type == ColumnType::kFloat64 && !std::isnan(cs->sum_float);
  switch (spec.fn) {
    case AggregateFn::kSum:
    case AggregateFn::kAvg:
      if (type == ColumnType::kInt64) return cs->sum_int_exact;
      return float_ok;
    case AggregateFn::kMin:
    case AggregateFn::kMax:
      return type == ColumnType::kFloat64 ? float_ok : true;
    case AggregateFn::kApproxPercentile:
      // Segment footers keep a sketch of float columns; other blocks are scanned.
      return type == ColumnType::kFloat64 && !cs->quantile_sketch.empty();
    default:
      return false;
  }
}

}  // namespace

std::optional<int64_t> uniform_bucket(const BoundSelect& plan, const storage::BlockStats& stats) {
  if (!plan.bucketer || stats.row_count == 0) return std::nullopt;
  // Buckets are monotonic in time, so equal buckets at both ends cover the block.
  const int64_t first = plan.bucketer->bucket_start(stats.min_time_ns);
  if (plan.bucketer->bucket_start(stats.max_time_ns) != first) return std::nullopt;
  return first;
}

bool plan_allows_stats_answers(const BoundSelect& plan, const PruneRule& rule) {
  if (!plan.is_aggregate || !rule.is_exact) return false;
  for (const AggregateSpec& spec : plan.aggregates) {
    if (!is_foldable(spec)) return false;
  }
  return true;
}

namespace {

// The time bucket of every row of a block with `stats` (0 without time grouping)
// when every row passes `rule` and, with time grouping, the block lies in one
// bucket: what both ways of folding a block from statistics need.
std::optional<int64_t> passing_bucket(const BoundSelect& plan, const PruneRule& rule,
                                      const storage::BlockStats& stats) {
  if (!every_row_satisfies(rule, stats)) return std::nullopt;
  if (!plan.bucketer) return 0;
  return uniform_bucket(plan, stats);
}

}  // namespace

// Whether the statistics of each aggregate's argument column in a block with
// `stats` hold what it needs (an absent column: NULL in every row, nothing to add).
bool block_stats_cover(const BoundSelect& plan, const storage::BlockStats& stats) {
  for (const AggregateSpec& spec : plan.aggregates) {
    if (!spec.arg) continue;
    const int i = stats.find(spec.arg->name);
    if (i < 0) continue;
    const ColumnType type = stats.column_types[static_cast<size_t>(i)];
    // A stored type other than the schema's is reported by the decoding path.
    if (type != stored_type_of(spec.arg_type)) return false;
    if (!stats_cover(spec, type, &stats.columns[static_cast<size_t>(i)])) return false;
  }
  return true;
}

std::optional<ConstantGroupKey> block_stats_answer(const BoundSelect& plan, const PruneRule& rule,
                                                   const storage::BlockStats& stats) {
  // Every row passes the WHERE conjuncts and the tenant scope, in one time bucket.
  const std::optional<int64_t> bucket = passing_bucket(plan, rule, stats);
  if (!bucket) return std::nullopt;
  // One group for the whole block.
  ConstantGroupKey key;
  key.bucket = *bucket;
  for (const std::string& tag : plan.group_tags) {
    const int i = stats.find(tag);
    if (i < 0) {
      key.tags.emplace_back();  // absent: NULL in every row
      continue;
    }
    const ColumnStats& cs = stats.columns[static_cast<size_t>(i)];
    if (stats.column_types[static_cast<size_t>(i)] != ColumnType::kString) return std::nullopt;
    if (cs.null_count == stats.row_count) {
      key.tags.emplace_back();
    } else if (cs.null_count == 0 && cs.has_min_max && cs.min_string == cs.max_string) {
      key.tags.emplace_back(cs.min_string);
    } else {
      return std::nullopt;
    }
  }
  if (!block_stats_cover(plan, stats)) return std::nullopt;
  return key;
}

std::optional<RunStatsFold> plan_run_stats_fold(const BoundSelect& plan, const PruneRule& rule) {
  if (!plan_allows_stats_answers(plan, rule)) return std::nullopt;
  for (const AggregateSpec& spec : plan.aggregates) {
    if (spec.fn == AggregateFn::kApproxPercentile) return std::nullopt;
  }
  RunStatsFold fold;
  fold.passing_rule = rule;
  if (plan.group_tags.size() == 1) {
    fold.tag = plan.group_tags[0];
    return fold;
  }
  if (!plan.group_tags.empty() || rule.equalities.empty()) return std::nullopt;
  // WHERE T = 'v': every equality of the rule on T, asking for one value.
  const auto& [tag, value] = rule.equalities.front();
  for (const auto& equality : rule.equalities) {
    if (equality.first != tag || equality.second != value) return std::nullopt;
  }
  fold.tag = tag;
  fold.kept_value = value;
  fold.passing_rule.equalities.clear();
  return fold;
}

std::optional<int64_t> block_run_stats_answer(const BoundSelect& plan, const RunStatsFold& fold,
                                              const storage::BlockStats& stats) {
  const std::optional<int64_t> bucket = passing_bucket(plan, fold.passing_rule, stats);
  if (!bucket) return std::nullopt;
  const int tag = stats.find(fold.tag);
  if (tag < 0 || stats.column_types[static_cast<size_t>(tag)] != ColumnType::kString) {
    return std::nullopt;
  }
  // A float column without NaN in the block has none in a run; an integer sum
  // exact over the block may still overflow within a run, which the fold checks
  // (TagRunStats::int_sums_exact).
  if (!block_stats_cover(plan, stats)) return std::nullopt;
  return bucket;
}

}  // namespace tessera::query::detail
