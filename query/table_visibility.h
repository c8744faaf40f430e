// Table visibility: which tables a statement's principal may know of. A tenant
// reader sees only tables that have a tenant column; to it every other table is one
// that does not exist, down to the error code and message, so that no statement
// tells a hidden table from a missing one (docs/security.md, "Isolation model").
#pragma once

#include <string_view>

#include "engine/engine.h"
#include "query/query_context.h"
#include "storage/base/status.h"

namespace tessera::query {

// True when `context` may see the table `schema` describes.
bool is_table_visible(const engine::TableSchema& schema, const QueryContext& context);

// kUnknownTable `unknown table "x"`: the one error for a table that does not exist
// or that the principal may not see.
Error unknown_table_error(std::string_view table);

// The schema of `table` if it exists and `context` may see it, else
// unknown_table_error(table).
Result<engine::TableSchema> visible_schema(const engine::Engine& engine, std::string_view table,
                                           const QueryContext& context);

}  // namespace tessera::query
