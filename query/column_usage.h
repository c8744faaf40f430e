// Internal to query/ (select executor). Which stored columns a plan reads, so that
// a scan decodes only those (segment blocks load column by column).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "query/binder.h"

namespace tessera::query::detail {

// Every stored column (not `time`, which is always read) that `plan` refers to
// in WHERE, aggregate arguments and filters, group tags, raw outputs and ORDER BY,
// plus `tenant_column` when set; each name once, in first-use order.
std::vector<std::string> columns_read(const BoundSelect& plan,
                                      const std::optional<std::string>& tenant_column);

}  // namespace tessera::query::detail
