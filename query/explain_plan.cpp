#include "query/explain_plan.h"

#include <vector>

namespace tessera::query {
namespace {

std::string plan_line(const std::string& label, uint64_t value) {
  return label + std::to_string(value);
}

}  // namespace

ResultSet render_explain(const std::string& table, const BoundSelect& plan, const ScanStats& stats,
                         size_t result_rows, bool is_tenant_scoped) {
  std::vector<std::string> lines;
  lines.push_back("table: " + table);
  lines.push_back(plan.is_aggregate ? "mode: aggregate" : "mode: raw rows");
  if (plan.bucketer) lines.push_back("group by: " + plan.time_group_text);
  for (const std::string& tag : plan.group_tags) lines.push_back("group by: " + tag);
  for (const std::string& p : stats.pruning_predicates) lines.push_back("pruning predicate: " + p);
  if (is_tenant_scoped) {
    // Blocks mix tenants: how many there are, how many were skipped, and how many
    // rows they held would tell a reader how much data other tenants have.
    lines.push_back("scan counts: hidden for a tenant-scoped reader");
  } else {
    lines.push_back(plan_line("blocks total: ", stats.blocks_total));
    lines.push_back(plan_line("blocks scanned: ", stats.blocks_scanned));
    lines.push_back(plan_line("blocks pruned: ", stats.blocks_pruned));
    lines.push_back(plan_line("blocks from statistics: ", stats.blocks_from_stats));
    lines.push_back(plan_line("blocks from segment totals: ", stats.blocks_from_segment_totals));
    lines.push_back(plan_line("blocks from run statistics: ", stats.blocks_from_run_stats));
    lines.push_back(plan_line("blocks from sorted runs: ", stats.blocks_from_sorted_runs));
    lines.push_back(plan_line("rows scanned: ", stats.rows_scanned));
    lines.push_back(plan_line("scan ranges: ", stats.scan_ranges));
    lines.push_back(stats.in_background ? "scan priority: background" : "scan priority: normal");
  }
  lines.push_back(plan_line("rows matched: ", stats.rows_matched));
  if (plan.is_aggregate) lines.push_back(plan_line("groups: ", stats.groups));
  lines.push_back(plan_line("result rows: ", result_rows));
  ResultSet explain;
  explain.columns = {"plan"};
  for (std::string& line : lines) explain.rows.push_back({Value{std::move(line)}});
  return explain;
}

}  // namespace tessera::query
