#include "server/protocol/query_response.h"

#include "server/protocol/value_format.h"

namespace tessera::server {

std::string format_result(const query::ResultSet& result, uint64_t elapsed_us) {
  std::string out = "OK " + std::to_string(result.columns.size()) + ' ' +
                    std::to_string(result.rows.size()) + ' ' + std::to_string(elapsed_us) + '\n';
  for (size_t i = 0; i < result.columns.size(); ++i) {
    if (i > 0) out += '\t';
    append_escaped(out, result.columns[i]);
  }
  out += '\n';
  for (const auto& row : result.rows) {
    for (size_t i = 0; i < row.size(); ++i) {
      if (i > 0) out += '\t';
      append_value(out, row[i]);
    }
    out += '\n';
  }
  return out;
}

}  // namespace tessera::server
