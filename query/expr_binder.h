// Internal to query/ (binder). The expression binder: resolves the names in one
// parsed expression against a table schema, checks and assigns types, and folds
// constant operator nodes. In group mode columns become group keys and aggregate
// calls are appended to the plan being built (see aggregate_binding.h).
#pragma once

#include <string>
#include <string_view>

#include "engine/table_schema.h"
#include "query/ast.h"
#include "query/binder.h"
#include "query/bound_expr.h"
#include "query/query_context.h"
#include "storage/base/status.h"

namespace tessera::query::detail {

// kRow: a row-level expression (WHERE, FILTER, aggregate arguments, raw SELECT).
// kGroup: a group-level one (aggregate SELECT, HAVING, ORDER BY): columns must be
// group keys, aggregates are allowed.
enum class BindMode { kRow, kGroup };

// "at column N: " + what, as kTypeMismatch / kInvalidInput.
Error type_error(const Expr& e, const std::string& what);
Error invalid(const Expr& e, const std::string& what);
// "text (type)" for messages.
std::string describe(const BoundExpr& b);
// True for the types a condition may have (bool, or NULL meaning unknown).
bool is_condition(const BoundExpr& b);

class ExprBinder {
 public:
  // `schema`, `context` and `plan` must outlive the binder. Binding in group mode
  // reads plan.bucketer and plan.group_tags and appends to plan.aggregates.
  ExprBinder(const engine::TableSchema& schema, const QueryContext& context, BoundSelect& plan)
      : schema_(schema), context_(context), plan_(plan) {}

  Result<BoundExpr> bind(const Expr& e, BindMode mode);

  // Binds `e` and checks it is a condition; `clause` names it in the error.
  Result<BoundExpr> bind_condition(const Expr& e, BindMode mode, std::string_view clause);

  // Comparison operands: a string constant compared with a time becomes a time.
  Status coerce_for_comparison(const Expr& where, BoundExpr& left, BoundExpr& right);

 private:
  Result<BoundExpr> bind_node(const Expr& e, const LiteralExpr& lit, BindMode mode);
  Result<BoundExpr> bind_node(const Expr& e, const IntervalExpr& interval, BindMode mode);
  Result<BoundExpr> bind_node(const Expr& e, const ColumnRefExpr& ref, BindMode mode);
  Result<BoundExpr> bind_node(const Expr& e, const CallExpr& call, BindMode mode);
  Result<BoundExpr> bind_node(const Expr& e, const UnaryExpr& u, BindMode mode);
  Result<BoundExpr> bind_node(const Expr& e, const BinaryExpr& bin, BindMode mode);
  Result<BoundExpr> bind_node(const Expr& e, const InExpr& in, BindMode mode);
  Result<BoundExpr> bind_node(const Expr& e, const IsNullExpr& is, BindMode mode);

  const engine::TableSchema& schema_;
  const QueryContext& context_;
  BoundSelect& plan_;
};

}  // namespace tessera::query::detail
