#include "engine/retention.h"

#include <limits>

namespace tessera::engine {

int64_t retention_cutoff_ns(int64_t now_ns, int64_t retention_ns) {
  int64_t cutoff = 0;
  if (__builtin_sub_overflow(now_ns, retention_ns, &cutoff))
    return std::numeric_limits<int64_t>::min();
  return cutoff;
}

bool is_partition_expired(int64_t start_ns, int64_t partition_ns,
                          std::optional<int64_t> retention_ns, int64_t now_ns) {
  if (!retention_ns) return false;
  int64_t end = 0;
  // A partition ending past INT64_MAX never expires.
  if (__builtin_add_overflow(start_ns, partition_ns, &end)) return false;
  return end <= retention_cutoff_ns(now_ns, *retention_ns);
}

}  // namespace tessera::engine
