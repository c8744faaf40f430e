#include "query/table_visibility.h"

#include <string>

namespace tessera::query {

bool is_table_visible(const engine::TableSchema& schema, const QueryContext& context) {
  return context.role != Role::kReader || schema.options.tenant_column.has_value();
}

Error unknown_table_error(std::string_view table) {
  return Error{ErrorCode::kUnknownTable, "unknown table \"" + std::string(table) + "\""};
}

Result<engine::TableSchema> visible_schema(const engine::Engine& engine, std::string_view table,
                                           const QueryContext& context) {
  std::optional<engine::TableSchema> schema = engine.schema(table);
  if (!schema || !is_table_visible(*schema, context)) return unknown_table_error(table);
  return std::move(*schema);
}

}  // namespace tessera::query
