#include "query/column_usage.h"

#include <algorithm>

namespace tessera::query::detail {
namespace {

void add(const std::string& name, std::vector<std::string>& out) {
  if (name == "time") return;
  if (std::find(out.begin(), out.end(), name) == out.end()) out.push_back(name);
}

void collect(const BoundExpr& e, std::vector<std::string>& out) {
  if (e.kind == BoundExpr::Kind::kColumn) add(e.name, out);
  for (const BoundExpr& child : e.children) collect(child, out);
}

void collect(const std::optional<BoundExpr>& e, std::vector<std::string>& out) {
  if (e) collect(*e, out);
}

}  // namespace

std::vector<std::string> columns_read(const BoundSelect& plan,
                                      const std::optional<std::string>& tenant_column) {
  std::vector<std::string> out;
  if (tenant_column) add(*tenant_column, out);
  for (const BoundExpr& c : plan.where_conjuncts) collect(c, out);
  for (const std::string& tag : plan.group_tags) add(tag, out);
  for (const AggregateSpec& spec : plan.aggregates) {
    collect(spec.arg, out);
    collect(spec.sla_condition, out);
    collect(spec.filter, out);
  }
  // Group-level expressions (aggregate queries) have no column leaves; raw
  // queries read their outputs and sort keys per row.
  for (const BoundExpr& e : plan.outputs) collect(e, out);
  for (const SortKey& k : plan.order_by) collect(k.expr, out);
  collect(plan.having, out);
  return out;
}

}  // namespace tessera::query::detail
