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

// Which parts of a plan read the time column, so that a scan decodes it only for
// the blocks that need it (the block cache keeps what it decodes: 8 bytes a row).
struct TimeUsage {
  // Raw rows (ordered by time), first/last, or time read by an aggregate's
  // argument, condition or filter: every block needs it.
  bool every_block = false;
  // Per WHERE conjunct: it reads time, so a block needs it unless its statistics
  // prove the conjunct for every row (the scan then skips it).
  std::vector<uint8_t> by_conjunct;
};
// A plan's bucketer also needs time, in blocks that span more than one bucket.
TimeUsage time_usage(const BoundSelect& plan);

}  // namespace tessera::query::detail
