// Catalog statements: CREATE TABLE, SHOW TABLES and DESCRIBE, answered in the
// query protocol's table form (SPEC.md "Other statements").
#pragma once

#include "engine/engine.h"
#include "query/ast.h"
#include "query/query_context.h"
#include "query/value.h"
#include "storage/base/status.h"

namespace tessera::query {

// Admin only (kPermissionDenied otherwise). No columns, no rows on success;
// kInvalidInput when the table exists with another definition.
Result<ResultSet> run_create_table(engine::Engine& engine, const CreateTableStmt& stmt,
                                   const QueryContext& context);

// Column `table`, sorted by bytes: the tables the principal may see.
Result<ResultSet> run_show_tables(const engine::Engine& engine, const QueryContext& context);

// Columns `column`, `kind` (time/tag/field), `type` (TIMESTAMP, STRING for tags,
// INT/FLOAT/BOOL/STRING for fields). kUnknownTable when there is no such table or
// the principal may not see it (query/table_visibility.h).
Result<ResultSet> run_describe(const engine::Engine& engine, const DescribeStmt& stmt,
                               const QueryContext& context);

}  // namespace tessera::query
