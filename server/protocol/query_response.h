// Framing of one successful query-port reply (docs/protocol/query.md):
//   OK <ncols> <nrows> <elapsed_us>\n
//   <name>\t<name>...\n          (always present; empty when ncols is 0)
//   <cell>\t<cell>...\n          (nrows times)
// Errors are framed by format_error_reply (server/protocol/wire_error.h).
#pragma once

#include <cstdint>
#include <string>

#include "query/value.h"

namespace tessera::server {

// Requires: every row of `result` has result.columns.size() values.
std::string format_result(const query::ResultSet& result, uint64_t elapsed_us);

}  // namespace tessera::server
