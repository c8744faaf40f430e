// EXPLAIN's counts, for tests that check which path read a query's blocks.
#pragma once

#include <cstdint>
#include <string>
#include <variant>

#include "engine/engine.h"
#include "query/query_runner.h"

namespace tessera::query::testing {

// The number on line `name` ("blocks scanned") of EXPLAIN `sql` over `engine`, or
// -1 when the query fails or has no such line.
inline int64_t explain_count(engine::Engine& engine, const std::string& sql,
                             const std::string& name) {
  QueryContext context;
  auto r = run_query(engine, "EXPLAIN " + sql, context);
  if (!r) return -1;
  for (const auto& row : r->rows) {
    const std::string& line = std::get<std::string>(row[0]);
    if (line.rfind(name + ": ", 0) == 0) return std::stoll(line.substr(name.size() + 2));
  }
  return -1;
}

}  // namespace tessera::query::testing
