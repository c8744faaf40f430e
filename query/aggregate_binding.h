// Internal to query/ (binder). Aggregate binding: which function names are
// aggregates, whether a parsed expression calls one, and the checked AggregateSpec
// of one aggregate call (argument types, percentile fraction, sla_pct condition).
#pragma once

#include <string_view>

#include "query/ast.h"
#include "query/binder.h"
#include "storage/base/status.h"

namespace tessera::query::detail {

class ExprBinder;

bool is_aggregate_name(std::string_view name);

// True when `e` (may be null) calls an aggregate function anywhere.
bool contains_aggregate(const Expr* e);

// Binds the aggregate call `call` (of expression `e`); its argument and FILTER are
// bound row-level with `binder`. Errors: kTypeMismatch, kInvalidInput (DISTINCT or
// * where unsupported, argument count, percentile fraction outside [0, 1]).
Result<AggregateSpec> bind_aggregate(ExprBinder& binder, const Expr& e, const CallExpr& call);

}  // namespace tessera::query::detail
