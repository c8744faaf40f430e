#include "query/binder.h"

#include <algorithm>
#include <string_view>
#include <variant>

#include "query/aggregate_binding.h"
#include "query/expr_binder.h"

namespace tessera::query {
namespace {

using Kind = BoundExpr::Kind;
using detail::BindMode;
using detail::contains_aggregate;
using detail::ExprBinder;
using detail::invalid;

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
  ExprBinder binder(schema, context, plan);

  if (select.where) {
    TESSERA_ASSIGN_OR_RETURN(BoundExpr where,
                             binder.bind_condition(*select.where, BindMode::kRow, "WHERE"));
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
  const BindMode mode = plan.is_aggregate ? BindMode::kGroup : BindMode::kRow;

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
        TESSERA_ASSIGN_OR_RETURN(BoundExpr b, binder.bind(ref, BindMode::kRow));
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
                             binder.bind_condition(*select.having, BindMode::kGroup, "HAVING"));
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
