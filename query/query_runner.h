// run_query: the query layer's public entry point. Parses one statement
// (SELECT, EXPLAIN SELECT, CREATE TABLE, SHOW TABLES, DESCRIBE), checks it
// against the caller's role and tenant, and executes it over an engine snapshot.
// Session-level commands (AUTH, PING, STATS) belong to the server, not here.
#pragma once

#include <string_view>

#include "engine/engine.h"
#include "query/query_context.h"
#include "query/value.h"
#include "storage/base/status.h"

namespace tessera::query {

// Errors: kSyntax ("at column 17: expected FROM"), kUnknownTable, kUnknownColumn,
// kUnknownFunction, kTypeMismatch, kInvalidInput, kPermissionDenied, kLimitExceeded,
// kCorruption / kIoError from storage. Thread-safe.
Result<ResultSet> run_query(engine::Engine& engine, std::string_view statement,
                            const QueryContext& context);

}  // namespace tessera::query
