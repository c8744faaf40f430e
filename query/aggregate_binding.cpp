#include "query/aggregate_binding.h"

#include <algorithm>
#include <string>
#include <variant>

#include "query/expr_binder.h"

namespace tessera::query::detail {

using Kind = BoundExpr::Kind;

bool is_aggregate_name(std::string_view name) {
  static constexpr std::string_view kNames[] = {
      "count",    "sum",    "avg",    "min",        "max",
      "first",    "last",   "median", "percentile", "approx_percentile",
      "count_if", "sla_pct"};
  return std::find(std::begin(kNames), std::end(kNames), name) != std::end(kNames);
}

bool contains_aggregate(const Expr* e) {
  if (e == nullptr) return false;
  return std::visit(
      [](const auto& node) -> bool {
        using T = std::decay_t<decltype(node)>;
        if constexpr (std::is_same_v<T, CallExpr>) {
          return is_aggregate_name(node.name);
        } else if constexpr (std::is_same_v<T, UnaryExpr>) {
          return contains_aggregate(node.operand.get());
        } else if constexpr (std::is_same_v<T, BinaryExpr>) {
          return contains_aggregate(node.left.get()) || contains_aggregate(node.right.get());
        } else if constexpr (std::is_same_v<T, InExpr>) {
          if (contains_aggregate(node.operand.get())) return true;
          for (const ExprPtr& item : node.list) {
            if (contains_aggregate(item.get())) return true;
          }
          return false;
        } else if constexpr (std::is_same_v<T, IsNullExpr>) {
          return contains_aggregate(node.operand.get());
        } else {
          return false;
        }
      },
      e->node);
}

Result<AggregateSpec> bind_aggregate(ExprBinder& binder, const Expr& e, const CallExpr& call) {
  AggregateSpec spec;
  spec.text = e.text;
  const std::string& fn = call.name;
  if (call.is_distinct && fn != "count") {
    return invalid(e, "DISTINCT is only supported in count(DISTINCT column)");
  }
  if (call.is_star && fn != "count") return invalid(e, fn + "(*) is not supported");
  if (call.filter) {
    TESSERA_ASSIGN_OR_RETURN(BoundExpr f,
                             binder.bind_condition(*call.filter, BindMode::kRow, "FILTER"));
    spec.filter = std::move(f);
  }
  const size_t expected_args =
      call.is_star ? 0
                   : ((fn == "percentile" || fn == "approx_percentile" || fn == "sla_pct") ? 2 : 1);
  if (call.args.size() != expected_args) {
    return invalid(e, fn + " takes " + std::to_string(expected_args) + " argument" +
                          (expected_args == 1 ? "" : "s"));
  }
  if (call.is_star) {
    spec.fn = AggregateFn::kCountStar;
    spec.result_type = ValueType::kInt;
    return spec;
  }
  TESSERA_ASSIGN_OR_RETURN(BoundExpr arg, binder.bind(*call.args[0], BindMode::kRow));
  spec.arg_type = arg.type;
  const ValueType t = arg.type;
  auto need_numeric = [&]() -> Status {
    if (!is_numeric(t)) {
      return type_error(e, fn + " needs a numeric argument, not " + describe(arg));
    }
    return Status::ok();
  };
  if (fn == "count") {
    spec.fn = call.is_distinct ? AggregateFn::kCountDistinct : AggregateFn::kCount;
    spec.result_type = ValueType::kInt;
  } else if (fn == "sum") {
    TESSERA_RETURN_IF_ERROR(need_numeric());
    spec.fn = AggregateFn::kSum;
    spec.result_type = t;
  } else if (fn == "avg") {
    TESSERA_RETURN_IF_ERROR(need_numeric());
    spec.fn = AggregateFn::kAvg;
    spec.result_type = ValueType::kFloat;
  } else if (fn == "min" || fn == "max" || fn == "first" || fn == "last") {
    if (t == ValueType::kNull || t == ValueType::kInterval) {
      return type_error(e, fn + " cannot take " + describe(arg));
    }
    spec.fn = fn == "min"     ? AggregateFn::kMin
              : fn == "max"   ? AggregateFn::kMax
              : fn == "first" ? AggregateFn::kFirst
                              : AggregateFn::kLast;
    spec.result_type = t;
  } else if (fn == "median" || fn == "percentile" || fn == "approx_percentile") {
    TESSERA_RETURN_IF_ERROR(need_numeric());
    spec.fn = fn == "approx_percentile" ? AggregateFn::kApproxPercentile : AggregateFn::kPercentile;
    spec.result_type = ValueType::kFloat;
    if (fn != "median") {
      TESSERA_ASSIGN_OR_RETURN(BoundExpr p, binder.bind(*call.args[1], BindMode::kRow));
      double fraction = -1;
      if (p.kind == Kind::kConstant) {
        if (const double* d = std::get_if<double>(&p.constant)) fraction = *d;
        if (const int64_t* i = std::get_if<int64_t>(&p.constant)) {
          fraction = static_cast<double>(*i);
        }
      }
      if (p.kind != Kind::kConstant || !(fraction >= 0.0 && fraction <= 1.0)) {
        return invalid(
            *call.args[1],
            fn + ": the fraction must be a constant between 0 and 1, not " + call.args[1]->text);
      }
      spec.fraction = fraction;
    }
  } else if (fn == "count_if") {
    if (!is_condition(arg))
      return type_error(e, "count_if needs a condition, not " + describe(arg));
    // count_if(c) is count(*) FILTER (WHERE c): one path, which reads FILTER as a
    // truth mask per block. With a FILTER of its own, both must hold.
    spec.fn = AggregateFn::kCountStar;
    spec.result_type = ValueType::kInt;
    spec.arg_type = ValueType::kNull;
    if (spec.filter) {
      BoundExpr both;
      both.kind = Kind::kBinary;
      both.binary_op = BinaryOp::kAnd;
      both.type = ValueType::kBool;
      // Parenthesised: equal text must mean an equal expression (aggregate_block
      // evaluates each distinct text once).
      both.text = "(" + arg.text + ") AND (" + spec.filter->text + ")";
      both.children.push_back(std::move(arg));
      both.children.push_back(std::move(*spec.filter));
      spec.filter = std::move(both);
    } else {
      spec.filter = std::move(arg);
    }
    return spec;
  } else {  // sla_pct
    TESSERA_RETURN_IF_ERROR(need_numeric());
    TESSERA_ASSIGN_OR_RETURN(BoundExpr target, binder.bind(*call.args[1], BindMode::kRow));
    if (!is_numeric(target.type)) {
      return type_error(*call.args[1], "sla_pct needs a numeric target, not " + describe(target));
    }
    BoundExpr cond;
    cond.kind = Kind::kBinary;
    cond.binary_op = BinaryOp::kLessEqual;
    cond.type = ValueType::kBool;
    cond.text = arg.text + " <= " + target.text;
    cond.children.push_back(arg);
    cond.children.push_back(std::move(target));
    spec.sla_condition = std::move(cond);
    spec.fn = AggregateFn::kSlaPct;
    spec.result_type = ValueType::kFloat;
  }
  spec.arg = std::move(arg);
  return spec;
}

}  // namespace tessera::query::detail
