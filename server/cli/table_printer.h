// format_table: a query result as an aligned text table for people (`tessera sql`,
// `tessera demo`). NULL prints as "NULL"; control characters in cells are escaped.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace tessera::server {

std::string format_table(const std::vector<std::string>& columns,
                         const std::vector<std::vector<std::optional<std::string>>>& rows);

}  // namespace tessera::server
