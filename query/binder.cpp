#include "query/binder.h"

#include <algorithm>
#include <cmath>
#include <string_view>

#include "query/expression_eval.h"
#include "query/time_literal.h"

namespace tessera::query {
namespace {

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

std::string at(const Expr& e) { return "at column " + std::to_string(e.column) + ": "; }

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

enum class Mode { kRow, kGroup };

class Binder {
 public:
  Binder(const engine::TableSchema& schema, const QueryContext& context, BoundSelect& plan)
      : schema_(schema), context_(context), plan_(plan) {}

  Result<BoundExpr> bind(const Expr& e, Mode mode) {
    return std::visit([&](const auto& node) { return bind_node(e, node, mode); }, e.node);
  }

  Result<BoundExpr> bind_condition(const Expr& e, Mode mode, std::string_view clause) {
    TESSERA_ASSIGN_OR_RETURN(BoundExpr b, bind(e, mode));
    if (!is_condition(b)) {
      return type_error(e, std::string(clause) + " must be a condition, not " + describe(b));
    }
    return b;
  }

  // Comparison operands: a string constant compared with a time becomes a time.
  Status coerce_for_comparison(const Expr& where, BoundExpr& left, BoundExpr& right) {
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

 private:
  Result<BoundExpr> bind_node(const Expr& e, const LiteralExpr& lit, Mode) {
    ValueType type = ValueType::kNull;
    if (std::holds_alternative<int64_t>(lit.value)) type = ValueType::kInt;
    if (std::holds_alternative<double>(lit.value)) type = ValueType::kFloat;
    if (std::holds_alternative<bool>(lit.value)) type = ValueType::kBool;
    if (std::holds_alternative<std::string>(lit.value)) type = ValueType::kString;
    if (std::holds_alternative<Timestamp>(lit.value)) type = ValueType::kTime;
    return constant(lit.value, type, e.text);
  }

  Result<BoundExpr> bind_node(const Expr& e, const IntervalExpr& interval, Mode) {
    return constant(Value{interval.ns}, ValueType::kInterval, e.text);
  }

  Result<BoundExpr> bind_node(const Expr& e, const ColumnRefExpr& ref, Mode mode) {
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
    if (mode == Mode::kRow) {
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
    return invalid(e, "column \"" + ref.name +
                          "\" must appear in GROUP BY or be used in an aggregate function");
  }

  Result<BoundExpr> bind_node(const Expr& e, const CallExpr& call, Mode mode) {
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
    if (mode == Mode::kRow) {
      return invalid(e, "aggregate function " + call.name +
                            " is not allowed here (in WHERE, FILTER or another aggregate)");
    }
    TESSERA_ASSIGN_OR_RETURN(AggregateSpec spec, bind_aggregate(e, call));
    BoundExpr b;
    b.kind = Kind::kAggregate;
    b.type = spec.result_type;
    b.index = static_cast<int>(plan_.aggregates.size());
    b.text = e.text;
    plan_.aggregates.push_back(std::move(spec));
    return b;
  }

  Result<AggregateSpec> bind_aggregate(const Expr& e, const CallExpr& call) {
    AggregateSpec spec;
    spec.text = e.text;
    const std::string& fn = call.name;
    if (call.is_distinct && fn != "count") {
      return invalid(e, "DISTINCT is only supported in count(DISTINCT column)");
    }
    if (call.is_star && fn != "count") return invalid(e, fn + "(*) is not supported");
    if (call.filter) {
      TESSERA_ASSIGN_OR_RETURN(BoundExpr f, bind_condition(*call.filter, Mode::kRow, "FILTER"));
      spec.filter = std::move(f);
    }
    const size_t expected_args =
        call.is_star
            ? 0
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
    TESSERA_ASSIGN_OR_RETURN(BoundExpr arg, bind(*call.args[0], Mode::kRow));
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
      spec.fn =
          fn == "approx_percentile" ? AggregateFn::kApproxPercentile : AggregateFn::kPercentile;
      spec.result_type = ValueType::kFloat;
      if (fn != "median") {
        TESSERA_ASSIGN_OR_RETURN(BoundExpr p, bind(*call.args[1], Mode::kRow));
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
      spec.fn = AggregateFn::kCountIf;
      spec.result_type = ValueType::kInt;
    } else {  // sla_pct
      TESSERA_RETURN_IF_ERROR(need_numeric());
      TESSERA_ASSIGN_OR_RETURN(BoundExpr target, bind(*call.args[1], Mode::kRow));
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

  Result<BoundExpr> bind_node(const Expr& e, const UnaryExpr& u, Mode mode) {
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

  Result<BoundExpr> bind_node(const Expr& e, const BinaryExpr& bin, Mode mode) {
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

  Result<BoundExpr> bind_node(const Expr& e, const InExpr& in, Mode mode) {
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

  Result<BoundExpr> bind_node(const Expr& e, const IsNullExpr& is, Mode mode) {
    TESSERA_ASSIGN_OR_RETURN(BoundExpr operand, bind(*is.operand, mode));
    BoundExpr b;
    b.kind = Kind::kIsNull;
    b.type = ValueType::kBool;
    b.is_negated = is.is_negated;
    b.text = e.text;
    b.children.push_back(std::move(operand));
    return fold(std::move(b));
  }

  const engine::TableSchema& schema_;
  const QueryContext& context_;
  BoundSelect& plan_;
};

void split_conjuncts(BoundExpr e, std::vector<BoundExpr>& out) {
  if (e.kind == Kind::kBinary && e.binary_op == BinaryOp::kAnd) {
    split_conjuncts(std::move(e.children[0]), out);
    split_conjuncts(std::move(e.children[1]), out);
    return;
  }
  out.push_back(std::move(e));
}

}  // namespace

Result<BoundSelect> bind_select(const SelectStmt& select, const engine::TableSchema& schema,
                                const QueryContext& context) {
  BoundSelect plan;
  plan.schema = schema;
  plan.limit = select.limit;
  if (select.limit && *select.limit < 0) {
    return make_error(ErrorCode::kInvalidInput, "LIMIT must not be negative");
  }
  Binder binder(schema, context, plan);

  if (select.where) {
    TESSERA_ASSIGN_OR_RETURN(BoundExpr where,
                             binder.bind_condition(*select.where, Mode::kRow, "WHERE"));
    split_conjuncts(std::move(where), plan.where_conjuncts);
  }

  bool has_aggregates = select.has_group_by || select.having != nullptr;
  for (const SelectItem& item : select.items) has_aggregates |= contains_aggregate(item.expr.get());
  for (const OrderItem& item : select.order_by)
    has_aggregates |= contains_aggregate(item.expr.get());
  plan.is_aggregate = has_aggregates;

  if (select.has_group_by) {
    const GroupBy& g = select.group_by;
    if (g.time) {
      auto bucketer = TimeBucketer::make(g.time->interval_ns, g.time->time_zone);
      if (!bucketer) {
        return make_error(ErrorCode::kInvalidInput, "at column " + std::to_string(g.time->column) +
                                                        ": " + bucketer.error().message);
      }
      plan.bucketer.emplace(std::move(bucketer).value());
      plan.time_group_text = "time(" + g.time->interval_text +
                             (g.time->time_zone ? ", '" + *g.time->time_zone + "'" : "") + ")";
    }
    for (size_t i = 0; i < g.tags.size(); ++i) {
      const std::string col =
          "at column " + std::to_string(i < g.tag_columns.size() ? g.tag_columns[i] : 0) + ": ";
      const engine::ColumnDef* def = schema.find(g.tags[i]);
      if (def == nullptr) {
        return make_error(ErrorCode::kUnknownColumn,
                          col + "unknown column \"" + g.tags[i] + "\" in table " + schema.name);
      }
      if (def->kind != engine::ColumnKind::kTag) {
        return make_error(ErrorCode::kInvalidInput,
                          col + "GROUP BY takes tags and time(<interval>), and \"" + g.tags[i] +
                              "\" is a " + std::string(engine::column_kind_name(def->kind)));
      }
      if (std::find(plan.group_tags.begin(), plan.group_tags.end(), g.tags[i]) ==
          plan.group_tags.end()) {
        plan.group_tags.push_back(g.tags[i]);
      }
    }
  }
  const Mode mode = plan.is_aggregate ? Mode::kGroup : Mode::kRow;

  if (plan.is_aggregate) {
    // Group keys the SELECT list does not name come first.
    auto names_key = [&](std::string_view key) {
      for (const SelectItem& item : select.items) {
        if (item.expr == nullptr) continue;
        if (const auto* ref = std::get_if<ColumnRefExpr>(&item.expr->node)) {
          if (ref->name == key) return true;
        }
      }
      return false;
    };
    std::vector<std::string> key_names;
    if (plan.bucketer) key_names.push_back("time");
    for (const std::string& tag : plan.group_tags) key_names.push_back(tag);
    for (size_t k = 0; k < key_names.size(); ++k) {
      if (names_key(key_names[k])) continue;
      BoundExpr key;
      key.kind = Kind::kGroupKey;
      key.index = static_cast<int>(k);
      key.type = (plan.bucketer && k == 0) ? ValueType::kTime : ValueType::kString;
      key.text = key_names[k];
      plan.outputs.push_back(std::move(key));
      plan.output_names.push_back(key_names[k]);
    }
  }
  for (const SelectItem& item : select.items) {
    if (item.is_star || item.expr == nullptr) {
      if (plan.is_aggregate) {
        return make_error(ErrorCode::kInvalidInput,
                          "SELECT * cannot be combined with aggregates or GROUP BY");
      }
      for (const engine::ColumnDef& def : schema.columns) {
        Expr ref;
        ref.node = ColumnRefExpr{def.name};
        ref.text = def.name;
        TESSERA_ASSIGN_OR_RETURN(BoundExpr b, binder.bind(ref, Mode::kRow));
        plan.outputs.push_back(std::move(b));
        plan.output_names.push_back(def.name);
      }
      continue;
    }
    TESSERA_ASSIGN_OR_RETURN(BoundExpr b, binder.bind(*item.expr, mode));
    if (b.type == ValueType::kInterval) {
      return invalid(*item.expr, "an interval is not a value; use it in time arithmetic");
    }
    plan.outputs.push_back(std::move(b));
    plan.output_names.push_back(item.output_name);
  }
  if (select.having) {
    TESSERA_ASSIGN_OR_RETURN(BoundExpr having,
                             binder.bind_condition(*select.having, Mode::kGroup, "HAVING"));
    plan.having = std::move(having);
  }
  for (const OrderItem& item : select.order_by) {
    SortKey key;
    key.is_descending = item.is_descending;
    const auto* ref = std::get_if<ColumnRefExpr>(&item.expr->node);
    for (size_t i = 0; i < plan.output_names.size(); ++i) {
      if ((ref != nullptr && plan.output_names[i] == ref->name) ||
          plan.output_names[i] == item.expr->text) {
        key.output_index = static_cast<int>(i);
        break;
      }
    }
    if (key.output_index < 0) {
      TESSERA_ASSIGN_OR_RETURN(BoundExpr b, binder.bind(*item.expr, mode));
      key.expr = std::move(b);
    }
    plan.order_by.push_back(std::move(key));
  }
  return plan;
}

}  // namespace tessera::query
