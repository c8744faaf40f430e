// Binder: turns a parsed SELECT into a checked plan against one table's schema —
// names resolved, types checked, constants folded (now() - 30d, time literals),
// aggregates collected, output columns laid out (SPEC.md "Result columns").
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/table_schema.h"
#include "query/ast.h"
#include "query/bound_expr.h"
#include "query/query_context.h"
#include "query/time_bucket.h"
#include "storage/base/status.h"

namespace tessera::query {

enum class AggregateFn : uint8_t {
  kCountStar,
  kCount,
  kCountDistinct,
  kSum,
  kAvg,
  kMin,
  kMax,
  kFirst,
  kLast,
  kPercentile,
  kApproxPercentile,
  kSlaPct,
};

struct AggregateSpec {
  AggregateFn fn = AggregateFn::kCountStar;
  // Row-level argument: the value aggregated; absent for count(*) (and count_if,
  // bound as count(*) FILTER (WHERE condition)).
  std::optional<BoundExpr> arg;
  // sla_pct only: `arg <= target`, a row-level condition.
  std::optional<BoundExpr> sla_condition;
  std::optional<BoundExpr> filter;  // FILTER (WHERE ...)
  double fraction = 0.5;            // percentiles
  // Exact percentiles of a stored column without FILTER: the index of an earlier
  // such percentile of the same column, whose gathered values this one selects
  // from (median and p95 of one column gather once); -1: gathers its own.
  int gathers_with = -1;
  ValueType arg_type = ValueType::kNull;
  ValueType result_type = ValueType::kInt;
  std::string text;
};

struct SortKey {
  int output_index = -1;          // >= 0: sort by that output column
  std::optional<BoundExpr> expr;  // otherwise: this (group- or row-level) expression
  bool is_descending = false;
};

struct BoundSelect {
  engine::TableSchema schema;
  // True when the query aggregates (aggregates anywhere, GROUP BY or HAVING):
  // `outputs`, `having` and sort expressions are then group-level.
  bool is_aggregate = false;
  std::vector<BoundExpr> where_conjuncts;  // WHERE split at top-level AND
  std::optional<TimeBucketer> bucketer;    // GROUP BY time(...)
  std::string time_group_text;             // "time(1d)" / "time(1d, 'Europe/Paris')"
  std::vector<std::string> group_tags;
  std::vector<AggregateSpec> aggregates;
  std::vector<std::string> output_names;
  std::vector<BoundExpr> outputs;
  std::optional<BoundExpr> having;
  std::vector<SortKey> order_by;
  std::optional<int64_t> limit;

  // Group keys: index 0 is the time bucket when bucketer is set, then group_tags.
  size_t group_key_count() const { return (bucketer ? 1 : 0) + group_tags.size(); }
};

// Binds `select` against `schema`. now() is context.now_ns. Errors: kUnknownColumn,
// kUnknownFunction, kTypeMismatch ("at column N: ..."), kInvalidInput (bad argument,
// percentile outside [0, 1], ungrouped column, nested aggregate, bad time zone).
Result<BoundSelect> bind_select(const SelectStmt& select, const engine::TableSchema& schema,
                                const QueryContext& context);

}  // namespace tessera::query
