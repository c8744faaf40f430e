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

bool reads_time(const BoundExpr& e) {
  if (e.kind == BoundExpr::Kind::kColumn && e.name == "time") return true;
  return std::any_of(e.children.begin(), e.children.end(), reads_time);
}

bool reads_time(const std::optional<BoundExpr>& e) { return e && reads_time(*e); }

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

TimeUsage time_usage(const BoundSelect& plan) {
  TimeUsage usage;
  usage.every_block = !plan.is_aggregate;
  for (const AggregateSpec& spec : plan.aggregates) {
    usage.every_block = usage.every_block || spec.fn == AggregateFn::kFirst ||
                        spec.fn == AggregateFn::kLast || reads_time(spec.arg) ||
                        reads_time(spec.sla_condition) || reads_time(spec.filter);
  }
  for (const BoundExpr& c : plan.where_conjuncts) usage.by_conjunct.push_back(reads_time(c));
  return usage;
}

}  // namespace tessera::query::detail
