// CardinalityGuard: bounds the number of distinct series (tag sets) per table, so
// that a client writing ever-new tag values (a request id in a tag, a bug, an
// attacker) cannot grow the engine's per-series state without limit.
//
// A series is a table plus its full set of tag key=value pairs (order-insensitive).
// The guard remembers a 64-bit hash of every series it admitted since the engine
// was opened (including the replayed write-ahead log). Two series whose hashes
// collide count once (probability ~n^2/2^65: negligible at the default limit).
// Series only in segment files written before the last open are not counted: the
// limit bounds what one process admits, documented in docs/security.md.
//
// Not thread-safe: the engine calls it under its write lock.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "engine/series_hash_set.h"
#include "storage/base/status.h"

namespace tessera::engine {

// EngineOptions::max_series_per_table default; 0 means unlimited.
inline constexpr size_t kDefaultMaxSeriesPerTable = 1'000'000;

class CardinalityGuard {
 public:
  // `max_series_per_table` == 0: no limit (series are still not tracked).
  explicit CardinalityGuard(size_t max_series_per_table)
      : max_series_per_table_(max_series_per_table) {}

  // Admits one line's series. A known series is always admitted. A new one is
  // recorded, unless the table already holds max_series_per_table series and
  // `is_enforcing`: then kLimitExceeded
  //   table "cpu": series limit of 1000000 reached (--max-series); line not written
  // and nothing is recorded. Callers pass is_enforcing = false while replaying
  // the log: what was acknowledged once is never refused.
  Status admit(std::string_view table, const std::vector<std::pair<std::string, std::string>>& tags,
               bool is_enforcing);

  // The new series of a write batch that is not applied yet (its log record is
  // appended first): they count against the limit but are recorded only by commit().
  struct Pending {
    std::unordered_map<std::string, SeriesHashSet> series_by_table;
    // The table of the previous admit_pending() call and its two sets (recorded:
    // null while the table has none; pending: null until the batch adds one), so a
    // batch of one table's lines looks the table up once, not per line.
    std::string last_table;
    bool has_last_table = false;
    const SeriesHashSet* last_recorded = nullptr;
    SeriesHashSet* last_pending = nullptr;
  };
  // As admit(), but a new series goes to `pending` instead of being recorded; the
  // limit counts recorded plus pending series. Nothing is changed on kLimitExceeded.
  // Requires: no commit() between calls with the same `pending`.
  Status admit_pending(std::string_view table,
                       const std::vector<std::pair<std::string, std::string>>& tags,
                       bool is_enforcing, Pending* pending) const;
  // Records the series admitted into `pending`.
  void commit(Pending&& pending);

  // Series recorded for `table` (0 for an unknown table).
  size_t series_count(std::string_view table) const;
  size_t max_series_per_table() const { return max_series_per_table_; }

 private:
  const size_t max_series_per_table_;
  std::unordered_map<std::string, SeriesHashSet> series_by_table_;
};

}  // namespace tessera::engine
