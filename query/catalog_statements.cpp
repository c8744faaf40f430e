#include "query/catalog_statements.h"

#include <algorithm>

#include "query/table_visibility.h"

namespace tessera::query {

Result<ResultSet> run_create_table(engine::Engine& engine, const CreateTableStmt& stmt,
                                   const QueryContext& context) {
  if (context.role != Role::kAdmin) {
    return make_error(ErrorCode::kPermissionDenied, "CREATE TABLE needs the admin role");
  }
  TESSERA_RETURN_IF_ERROR(engine.create_table(stmt.schema));
  return ResultSet{};
}

Result<ResultSet> run_show_tables(const engine::Engine& engine, const QueryContext& context) {
  ResultSet result;
  result.columns = {"table"};
  std::vector<std::string> names = engine.table_names();
  std::sort(names.begin(), names.end());
  for (const std::string& name : names) {
    if (!visible_schema(engine, name, context).is_ok()) continue;
    result.rows.push_back({Value{name}});
  }
  return result;
}

Result<ResultSet> run_describe(const engine::Engine& engine, const DescribeStmt& stmt,
                               const QueryContext& context) {
  TESSERA_ASSIGN_OR_RETURN(const engine::TableSchema schema,
                           visible_schema(engine, stmt.table, context));
  ResultSet result;
  result.columns = {"column", "kind", "type"};
  for (const engine::ColumnDef& def : schema.columns) {
    std::string type;
    switch (def.kind) {
      case engine::ColumnKind::kTime:
        type = "TIMESTAMP";
        break;
      case engine::ColumnKind::kTag:
        type = "STRING";
        break;
      case engine::ColumnKind::kField:
        type = std::string(storage::column_type_name(def.type));
        break;
    }
    result.rows.push_back(
        {Value{def.name}, Value{std::string(engine::column_kind_name(def.kind))}, Value{type}});
  }
  return result;
}

}  // namespace tessera::query
