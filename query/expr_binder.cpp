#include "query/expr_binder.h"

#include <algorithm>
#include <variant>

#include "query/aggregate_binding.h"
#include "query/expression_eval.h"
#include "query/time_literal.h"

namespace tessera::query::detail {
namespace {

using Kind = BoundExpr::Kind;

std::string at(const Expr& e) { return "at column " + std::to_string(e.column) + ": "; }

BoundExpr constant(Value v, ValueType type, std::string text) {
  BoundExpr b;
  b.kind = Kind::kConstant;
  b.type = type;
  b.constant = std::move(v);
  b.text = std::move(text);
  return b;
}

// Folds an operator node whose children are all constants into one constant.
Result<BoundExpr> fold(BoundExpr b) {
  if (b.children.empty()) return b;
  for (const BoundExpr& c : b.children) {
    if (c.kind != Kind::kConstant) return b;
  }
  TESSERA_ASSIGN_OR_RETURN(Value v, evaluate_constant(b));
  return constant(std::move(v), b.type, b.text);
}

}  // namespace

Error type_error(const Expr& e, const std::string& what) {
  return make_error(ErrorCode::kTypeMismatch, at(e) + what);
}

Error invalid(const Expr& e, const std::string& what) {
  return make_error(ErrorCode::kInvalidInput, at(e) + what);
}

std::string describe(const BoundExpr& b) {
  return (b.text.empty() ? std::string("expression") : b.text) + " (" +
         std::string(value_type_name(b.type)) + ")";
}

bool is_condition(const BoundExpr& b) {
  return b.type == ValueType::kBool || b.type == ValueType::kNull;
}

Result<BoundExpr> ExprBinder::bind(const Expr& e, BindMode mode) {
  return std::visit([&](const auto& node) { return bind_node(e, node, mode); }, e.node);
}

Result<BoundExpr> ExprBinder::bind_condition(const Expr& e, BindMode mode,
                                             std::string_view clause) {
  TESSERA_ASSIGN_OR_RETURN(BoundExpr b, bind(e, mode));
  if (!is_condition(b)) {
    return type_error(e, std::string(clause) + " must be a condition, not " + describe(b));
  }
  return b;
}

// Comparison operands: a string constant compared with a time becomes a time.
Status ExprBinder::coerce_for_comparison(const Expr& where, BoundExpr& left, BoundExpr& right) {
  for (int pass = 0; pass < 2; ++pass) {
    BoundExpr& a = pass == 0 ? left : right;
    BoundExpr& b = pass == 0 ? right : left;
    if (a.type == ValueType::kTime && b.type == ValueType::kString && b.kind == Kind::kConstant) {
      auto t = parse_time_literal(std::get<std::string>(b.constant));
      if (!t) return invalid(where, t.error().message);
      b = constant(Value{Timestamp{*t}}, ValueType::kTime, b.text);
    }
  }
  const ValueType l = left.type, r = right.type;
  const bool ok = l == ValueType::kNull || r == ValueType::kNull ||
                  (is_numeric(l) && is_numeric(r)) || (l == r && l != ValueType::kInterval) ||
                  (l == ValueType::kTime && r == ValueType::kInt) ||
                  (l == ValueType::kInt && r == ValueType::kTime);
  if (!ok) {
    return type_error(where, "cannot compare " + describe(left) + " with " + describe(right));
  }
  return Status::ok();
}

Result<BoundExpr> ExprBinder::bind_node(const Expr& e, const LiteralExpr& lit, BindMode) {
  ValueType type = ValueType::kNull;
  if (std::holds_alternative<int64_t>(lit.value)) type = ValueType::kInt;
  if (std::holds_alternative<double>(lit.value)) type = ValueType::kFloat;
  if (std::holds_alternative<bool>(lit.value)) type = ValueType::kBool;
  if (std::holds_alternative<std::string>(lit.value)) type = ValueType::kString;
  if (std::holds_alternative<Timestamp>(lit.value)) type = ValueType::kTime;
  return constant(lit.value, type, e.text);
}

Result<BoundExpr> ExprBinder::bind_node(const Expr& e, const IntervalExpr& interval, BindMode) {
  return constant(Value{interval.ns}, ValueType::kInterval, e.text);
}

Result<BoundExpr> ExprBinder::bind_node(const Expr& e, const ColumnRefExpr& ref, BindMode mode) {
  const engine::ColumnDef* def = schema_.find(ref.name);
  if (def == nullptr) {
    return make_error(ErrorCode::kUnknownColumn,
                      at(e) + "unknown column \"" + ref.name + "\" in table " + schema_.name);
  }
  BoundExpr b;
  b.text = e.text;
  b.name = ref.name;
  if (def->kind == engine::ColumnKind::kTime) {
    b.type = ValueType::kTime;
  } else if (def->kind == engine::ColumnKind::kTag) {
    b.type = ValueType::kString;
  } else {
    switch (def->type) {
      case storage::ColumnType::kInt64:
        b.type = ValueType::kInt;
        break;
      case storage::ColumnType::kFloat64:
        b.type = ValueType::kFloat;
        break;
      case storage::ColumnType::kBool:
        b.type = ValueType::kBool;
        break;
      case storage::ColumnType::kString:
        b.type = ValueType::kString;
        break;
    }
  }
  if (mode == BindMode::kRow) {
    b.kind = Kind::kColumn;
    return b;
  }
  if (def->kind == engine::ColumnKind::kTime && plan_.bucketer) {
    b.kind = Kind::kGroupKey;
    b.index = 0;
    return b;
  }
  for (size_t i = 0; i < plan_.group_tags.size(); ++i) {
    if (plan_.group_tags[i] == ref.name) {
      b.kind = Kind::kGroupKey;
      b.index = static_cast<int>(i + (plan_.bucketer ? 1 : 0));
      return b;
    }
  }
  return invalid(
      e, "column \"" + ref.name + "\" must appear in GROUP BY or be used in an aggregate function");
}

Result<BoundExpr> ExprBinder::bind_node(const Expr& e, const CallExpr& call, BindMode mode) {
  if (call.name == "now") {
    if (!call.args.empty() || call.is_star || call.filter) {
      return invalid(e, "now() takes no arguments");
    }
    return constant(Value{Timestamp{context_.now_ns}}, ValueType::kTime, e.text);
  }
  if (!is_aggregate_name(call.name)) {
    return make_error(ErrorCode::kUnknownFunction,
                      at(e) + "unknown function \"" + call.name + "\"");
  }
  if (mode == BindMode::kRow) {
    return invalid(e, "aggregate function " + call.name +
                          " is not allowed here (in WHERE, FILTER or another aggregate)");
  }
  TESSERA_ASSIGN_OR_RETURN(AggregateSpec spec, bind_aggregate(*this, e, call));
  BoundExpr b;
  b.kind = Kind::kAggregate;
  b.type = spec.result_type;
  b.text = e.text;
  // The same aggregate written twice (sum(spend) in both ROAS and CPC) is computed
  // once: the scan's cost follows the distinct aggregates, not the SELECT list. The
  // text is the whole call as written, FILTER clause included.
  const auto existing =
      std::find_if(plan_.aggregates.begin(), plan_.aggregates.end(),
                   [&](const AggregateSpec& other) { return other.text == spec.text; });
  b.index = static_cast<int>(existing - plan_.aggregates.begin());
  if (existing == plan_.aggregates.end()) {
    auto gathers_alike = [](const AggregateSpec& s) {
      return s.fn == AggregateFn::kPercentile && !s.filter && s.arg &&
             s.arg->kind == Kind::kColumn && s.gathers_with < 0;
    };
    if (gathers_alike(spec)) {
      for (size_t a = 0; a < plan_.aggregates.size(); ++a) {
        const AggregateSpec& other = plan_.aggregates[a];
        if (gathers_alike(other) && other.arg->name == spec.arg->name) {
          spec.gathers_with = static_cast<int>(a);
          break;
        }
      }
    }
    plan_.aggregates.push_back(std::move(spec));
  }
  return b;
}

Result<BoundExpr> ExprBinder::bind_node(const Expr& e, const UnaryExpr& u, BindMode mode) {
  TESSERA_ASSIGN_OR_RETURN(BoundExpr operand, bind(*u.operand, mode));
  BoundExpr b;
  b.kind = Kind::kUnary;
  b.unary_op = u.op;
  b.text = e.text;
  if (u.op == UnaryOp::kNot) {
    if (!is_condition(operand))
      return type_error(e, "NOT needs a condition, not " + describe(operand));
    b.type = ValueType::kBool;
  } else {
    if (!is_numeric(operand.type) && operand.type != ValueType::kNull) {
      return type_error(e, "cannot negate " + describe(operand));
    }
    b.type = operand.type == ValueType::kNull ? ValueType::kInt : operand.type;
  }
  b.children.push_back(std::move(operand));
  return fold(std::move(b));
}

Result<BoundExpr> ExprBinder::bind_node(const Expr& e, const BinaryExpr& bin, BindMode mode) {
  TESSERA_ASSIGN_OR_RETURN(BoundExpr left, bind(*bin.left, mode));
  TESSERA_ASSIGN_OR_RETURN(BoundExpr right, bind(*bin.right, mode));
  BoundExpr b;
  b.kind = Kind::kBinary;
  b.binary_op = bin.op;
  b.text = e.text;
  const ValueType l = left.type, r = right.type;
  switch (bin.op) {
    case BinaryOp::kAnd:
    case BinaryOp::kOr:
      if (!is_condition(left) || !is_condition(right)) {
        return type_error(e, std::string(bin.op == BinaryOp::kAnd ? "AND" : "OR") +
                                 " needs conditions, not " +
                                 describe(is_condition(left) ? right : left));
      }
      b.type = ValueType::kBool;
      break;
    case BinaryOp::kEqual:
    case BinaryOp::kNotEqual:
    case BinaryOp::kLess:
    case BinaryOp::kLessEqual:
    case BinaryOp::kGreater:
    case BinaryOp::kGreaterEqual:
      TESSERA_RETURN_IF_ERROR(coerce_for_comparison(e, left, right));
      b.type = ValueType::kBool;
      break;
    default: {
      const bool l_num = is_numeric(l) || l == ValueType::kNull;
      const bool r_num = is_numeric(r) || r == ValueType::kNull;
      const bool additive = bin.op == BinaryOp::kAdd || bin.op == BinaryOp::kSubtract;
      if (l_num && r_num) {
        if (bin.op == BinaryOp::kDivide || l == ValueType::kFloat || r == ValueType::kFloat) {
          b.type = ValueType::kFloat;
        } else {
          b.type = ValueType::kInt;
        }
      } else if (additive && l == ValueType::kTime && r == ValueType::kInterval) {
        b.type = ValueType::kTime;
      } else if (bin.op == BinaryOp::kAdd && l == ValueType::kInterval && r == ValueType::kTime) {
        b.type = ValueType::kTime;
      } else if (additive && l == ValueType::kInterval && r == ValueType::kInterval) {
        b.type = ValueType::kInterval;
      } else {
        return type_error(
            e, "arithmetic cannot combine " + describe(left) + " and " + describe(right));
      }
      break;
    }
  }
  b.children.push_back(std::move(left));
  b.children.push_back(std::move(right));
  return fold(std::move(b));
}

Result<BoundExpr> ExprBinder::bind_node(const Expr& e, const InExpr& in, BindMode mode) {
  TESSERA_ASSIGN_OR_RETURN(BoundExpr operand, bind(*in.operand, mode));
  BoundExpr b;
  b.kind = Kind::kIn;
  b.type = ValueType::kBool;
  b.is_negated = in.is_negated;
  b.text = e.text;
  b.children.push_back(operand);
  for (const ExprPtr& item : in.list) {
    TESSERA_ASSIGN_OR_RETURN(BoundExpr bound, bind(*item, mode));
    BoundExpr left = operand;
    TESSERA_RETURN_IF_ERROR(coerce_for_comparison(*item, left, bound));
    b.children.push_back(std::move(bound));
  }
  return fold(std::move(b));
}

Result<BoundExpr> ExprBinder::bind_node(const Expr& e, const IsNullExpr& is, BindMode mode) {
  TESSERA_ASSIGN_OR_RETURN(BoundExpr operand, bind(*is.operand, mode));
  BoundExpr b;
  b.kind = Kind::kIsNull;
  b.type = ValueType::kBool;
  b.is_negated = is.is_negated;
  b.text = e.text;
  b.children.push_back(std::move(operand));
  return fold(std::move(b));
}

}  // namespace tessera::query::detail
