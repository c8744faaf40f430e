#include "query/query_runner.h"

#include "query/binder.h"
#include "query/block_pruning.h"
#include "query/catalog_statements.h"
#include "query/explain_plan.h"
#include "query/parser.h"
#include "query/select_executor.h"
#include "query/table_visibility.h"

namespace tessera::query {
namespace {

// Checks who may read `schema` and returns the tenant the scan must keep, if any.
Result<std::optional<std::string>> read_scope(const engine::TableSchema& schema,
                                              const QueryContext& context) {
  if (context.role != Role::kReader) return std::optional<std::string>();
  if (!context.tenant) {
    return make_error(ErrorCode::kPermissionDenied, "a reader needs a tenant");
  }
  if (!is_table_visible(schema, context)) return unknown_table_error(schema.name);
  return context.tenant;
}

Result<ResultSet> run_select(engine::Engine& engine, const SelectStmt& select,
                             const QueryContext& context, bool is_explain) {
  // Visibility first: a hidden table must not even reach errors of its own, such as
  // a damaged segment's.
  TESSERA_ASSIGN_OR_RETURN(engine::TableSchema schema,
                           visible_schema(engine, select.table, context));
  TESSERA_ASSIGN_OR_RETURN(std::optional<std::string> tenant, read_scope(schema, context));
  // Bound before the snapshot so that partitions outside the queried time range are
  // never copied into it. A column added in between is not in the plan: the query
  // then sees the table as it was a moment earlier.
  TESSERA_ASSIGN_OR_RETURN(BoundSelect plan, bind_select(select, schema, context));
  TESSERA_ASSIGN_OR_RETURN(engine::TableSnapshot snapshot,
                           engine.snapshot(select.table, detail::queried_time_range(plan)));
  ScanStats stats;
  TESSERA_ASSIGN_OR_RETURN(ResultSet result,
                           execute_select(plan, snapshot, tenant, context, &stats));
  if (!is_explain) return result;
  return render_explain(schema.name, plan, stats, result.rows.size(), tenant.has_value());
}

}  // namespace

Result<ResultSet> run_query(engine::Engine& engine, std::string_view statement,
                            const QueryContext& context) {
  if (context.role == Role::kWriter) {
    return make_error(ErrorCode::kPermissionDenied, "a writer token may not run queries");
  }
  TESSERA_ASSIGN_OR_RETURN(Statement parsed, parse_statement(statement));
  if (auto* select = std::get_if<SelectStmt>(&parsed))
    return run_select(engine, *select, context, false);
  if (auto* explain = std::get_if<ExplainStmt>(&parsed)) {
    return run_select(engine, explain->select, context, true);
  }
  if (auto* create = std::get_if<CreateTableStmt>(&parsed))
    return run_create_table(engine, *create, context);
  if (std::holds_alternative<ShowTablesStmt>(parsed)) return run_show_tables(engine, context);
  return run_describe(engine, std::get<DescribeStmt>(parsed), context);
}

}  // namespace tessera::query
