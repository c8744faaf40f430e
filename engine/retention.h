// Retention: a table's `retention` option drops whole partitions once they lie
// entirely before now - retention (SPEC: "rows disappear only by dedup replacement
// and by retention dropping whole partitions"). Rows for such a partition that
// arrive later are rejected at write time, so a dropped partition never comes back
// (docs/architecture.md, "Storage").
#pragma once

#include <cstdint>
#include <optional>

namespace tessera::engine {

// The instant before which a table keeps nothing: now_ns - retention_ns, saturating
// at INT64_MIN. Requires: retention_ns > 0.
int64_t retention_cutoff_ns(int64_t now_ns, int64_t retention_ns);

// Whether the partition [start_ns, start_ns + partition_ns) ends at or before
// `cutoff_ns`, i.e. every instant it can hold is older than the retention allows.
// Without a retention nothing expires. Requires: partition_ns > 0.
bool is_partition_expired(int64_t start_ns, int64_t partition_ns,
                          std::optional<int64_t> retention_ns, int64_t now_ns);

}  // namespace tessera::engine
