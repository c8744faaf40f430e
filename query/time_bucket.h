// TimeBucketer: maps a row's timestamp to the start of its GROUP BY time(...)
// bucket, in UTC or in an IANA time zone.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "storage/base/status.h"

namespace date {
class time_zone;
}

namespace tessera::query {

inline constexpr int64_t kNanosPerSecond = 1'000'000'000;
inline constexpr int64_t kNanosPerDay = 86'400 * kNanosPerSecond;
inline constexpr int64_t kNanosPerWeek = 7 * kNanosPerDay;
// IANA names are at most ~32 bytes; longer ones are refused before any lookup.
inline constexpr size_t kMaxTimeZoneNameBytes = 128;

class TimeBucketer {
 public:
  // kInvalidInput for an interval <= 0 ("time bucket interval must be positive,
  // got -5ns"), an unknown IANA time zone ("unknown time zone 'Mars/Olympus'") or
  // a zone name longer than kMaxTimeZoneNameBytes.
  // `time_zone` is only read during the call.
  static Result<TimeBucketer> make(int64_t interval_ns, std::optional<std::string_view> time_zone);

  // Start of the bucket holding t (UTC ns); the start is a UTC instant <= t.
  //
  // Without a zone: buckets are aligned to the Unix epoch, except intervals that
  // are whole weeks, which start on Monday 00:00 UTC (1970-01-05 + k * interval).
  //
  // With a zone, by the shape of the interval:
  // - whole weeks: local calendar weeks starting at local Monday midnight, counted
  //   from Monday 1970-01-05;
  // - whole days: k local calendar days, counted from the local date of the epoch
  //   instant (1969-12-31 in America/New_York, 1970-01-01 east of Greenwich);
  // - shorter than a day: buckets of `interval` elapsed time that restart at each
  //   local midnight, so a 23-hour DST day has 23 one-hour buckets and the last
  //   bucket of a day may be short when the interval does not divide the day;
  // - any other interval (longer than a day, not whole days): `interval` elapsed
  //   time from the local midnight that starts the epoch's local date.
  // "Local midnight" is the first instant of the local date: when midnight itself
  // is skipped by a DST jump, the day starts at the jump; when it repeats, at the
  // earlier one.
  //
  // Starts below the int64 range saturate to INT64_MIN (only within one interval
  // of 1677-09-21).
  //
  // Hot path: UTC is pure arithmetic; with a zone the last bucket and local day are
  // cached, so consecutive rows in one bucket do not touch the tz database. That
  // cache makes concurrent calls on one object a data race: give each thread its
  // own copy (copies are cheap and independent).
  int64_t bucket_start(int64_t t_ns) const;

 private:
  enum class Alignment { kEpoch, kSubDay, kDays, kWeeks };

  TimeBucketer() = default;
  int64_t zoned_bucket_start(int64_t t_ns) const;
  // First UTC instant (ns, saturated) of local date `day` (days since 1970-01-01).
  int64_t local_day_start(int64_t day) const;
  // Local date (days since 1970-01-01) of the instant t.
  int64_t local_day_of(int64_t t_ns) const;

  int64_t interval_ns_ = 0;
  const date::time_zone* zone_ = nullptr;  // null for UTC; owned by the tz database
  Alignment alignment_ = Alignment::kEpoch;
  // UTC: floor_mod(origin, interval), where the origin is the epoch or a Monday.
  int64_t utc_origin_mod_ = 0;
  // Zoned kDays/kWeeks: interval in days and the local date counting starts from.
  int64_t interval_days_ = 0;
  int64_t origin_day_ = 0;
  // Zoned kEpoch: the instant counting starts from.
  int64_t origin_ns_ = 0;

  // Zoned caches; empty when start > end.
  mutable int64_t cached_bucket_start_ = 1;
  mutable int64_t cached_bucket_end_ = 0;
  mutable int64_t cached_day_start_ = 1;
  mutable int64_t cached_day_end_ = 0;
};

}  // namespace tessera::query
