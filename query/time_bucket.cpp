#include "query/time_bucket.h"

#include <date/tz.h>

#include <algorithm>
#include <chrono>
#include <exception>
#include <limits>
#include <string>

namespace tessera::query {
namespace {

constexpr int64_t kInt64Min = std::numeric_limits<int64_t>::min();
constexpr int64_t kInt64Max = std::numeric_limits<int64_t>::max();
constexpr int64_t kSecondsPerDay = 86'400;
// 1970-01-05, the first Monday after the epoch (1970-01-01 was a Thursday).
constexpr int64_t kFirstMondayDay = 4;

// Requires: m > 0.
int64_t floor_mod(int64_t a, int64_t m) {
  const int64_t r = a % m;
  return r < 0 ? r + m : r;
}

// Requires: m > 0.
int64_t floor_div(int64_t a, int64_t m) { return a / m - ((a % m) < 0 ? 1 : 0); }

int64_t saturating_add(int64_t a, int64_t b) {
  int64_t sum;
  if (__builtin_add_overflow(a, b, &sum)) return b > 0 ? kInt64Max : kInt64Min;
  return sum;
}

// t - floor_mod(t - origin, m), computed without overflowing t - origin, with
// origin_mod = floor_mod(origin, m).
int64_t align_down(int64_t t, int64_t m, int64_t origin_mod) {
  int64_t offset = floor_mod(t, m) - origin_mod;
  if (offset < 0) offset += m;
  int64_t start;
  if (__builtin_sub_overflow(t, offset, &start)) return kInt64Min;
  return start;
}

int64_t seconds_to_ns(int64_t seconds) {
  int64_t ns;
  if (__builtin_mul_overflow(seconds, kNanosPerSecond, &ns)) {
    return seconds > 0 ? kInt64Max : kInt64Min;
  }
  return ns;
}

}  // namespace

Result<TimeBucketer> TimeBucketer::make(int64_t interval_ns,
                                        std::optional<std::string_view> time_zone) {
  if (interval_ns <= 0) {
    return make_error(ErrorCode::kInvalidInput, "time bucket interval must be positive, got " +
                                                    std::to_string(interval_ns) + "ns");
  }
  TimeBucketer bucketer;
  bucketer.interval_ns_ = interval_ns;
  const bool is_whole_weeks = interval_ns % kNanosPerWeek == 0;
  const bool is_whole_days = interval_ns % kNanosPerDay == 0;
  if (is_whole_weeks) {
    bucketer.alignment_ = Alignment::kWeeks;
  } else if (is_whole_days) {
    bucketer.alignment_ = Alignment::kDays;
  } else if (interval_ns < kNanosPerDay) {
    bucketer.alignment_ = Alignment::kSubDay;
  } else {
    bucketer.alignment_ = Alignment::kEpoch;
  }

  if (!time_zone.has_value()) {
    if (is_whole_weeks) {
      bucketer.utc_origin_mod_ = floor_mod(kFirstMondayDay * kNanosPerDay, interval_ns);
    }
    return bucketer;
  }

  if (time_zone->size() > kMaxTimeZoneNameBytes) {
    return make_error(ErrorCode::kInvalidInput,
                      "time zone name of " + std::to_string(time_zone->size()) +
                          " bytes exceeds the limit of " + std::to_string(kMaxTimeZoneNameBytes));
  }
  // The date library throws on an unknown zone (and on an unreadable tz
  // database); this is the boundary where that becomes an error value. The
  // get_info call loads the zone's data now, so bucket_start never does.
  try {
    bucketer.zone_ = date::locate_zone(std::string(*time_zone));
    bucketer.interval_days_ = interval_ns / kNanosPerDay;
    if (is_whole_weeks) {
      bucketer.origin_day_ = kFirstMondayDay;
    } else {
      bucketer.origin_day_ = bucketer.local_day_of(0);
      bucketer.origin_ns_ = bucketer.local_day_start(bucketer.origin_day_);
    }
  } catch (const std::exception&) {
    return make_error(ErrorCode::kInvalidInput,
                      "unknown time zone '" + std::string(*time_zone) + "'");
  }
  return bucketer;
}

int64_t TimeBucketer::bucket_start(int64_t t_ns) const {
  if (zone_ == nullptr) return align_down(t_ns, interval_ns_, utc_origin_mod_);
  if (t_ns >= cached_bucket_start_ && t_ns < cached_bucket_end_) return cached_bucket_start_;
  return zoned_bucket_start(t_ns);
}

int64_t TimeBucketer::local_day_of(int64_t t_ns) const {
  const int64_t seconds = floor_div(t_ns, kNanosPerSecond);
  const date::sys_info info = zone_->get_info(date::sys_seconds(std::chrono::seconds(seconds)));
  return floor_div(seconds + info.offset.count(), kSecondsPerDay);
}

int64_t TimeBucketer::local_day_start(int64_t day) const {
  const date::local_seconds midnight{date::days(day)};
  const date::local_info info = zone_->get_info(midnight);
  if (info.result == date::local_info::nonexistent) {
    // Midnight falls in a DST gap: the day begins when the clocks jump.
    return seconds_to_ns(info.first.end.time_since_epoch().count());
  }
  // Unique, or ambiguous (midnight happens twice): `first` is the earlier one.
  return seconds_to_ns(midnight.time_since_epoch().count() - info.first.offset.count());
}

int64_t TimeBucketer::zoned_bucket_start(int64_t t_ns) const {
  int64_t start = t_ns;
  int64_t end = t_ns;
  switch (alignment_) {
    case Alignment::kSubDay: {
      if (!(t_ns >= cached_day_start_ && t_ns < cached_day_end_)) {
        const int64_t day = local_day_of(t_ns);
        cached_day_start_ = local_day_start(day);
        cached_day_end_ = local_day_start(day + 1);
      }
      int64_t day_start = cached_day_start_;
      // Only zones whose clocks go back across midnight can put t before the first
      // instant of its local date; count from t's own elapsed position then.
      if (day_start > t_ns) day_start = t_ns;
      start = day_start + (t_ns - day_start) / interval_ns_ * interval_ns_;
      end = std::min(saturating_add(start, interval_ns_), cached_day_end_);
      break;
    }
    case Alignment::kDays:
    case Alignment::kWeeks: {
      const int64_t days = interval_days_;
      const int64_t day = local_day_of(t_ns);
      const int64_t first_day = origin_day_ + floor_div(day - origin_day_, days) * days;
      start = local_day_start(first_day);
      end = local_day_start(first_day + days);
      // Keeps start <= t even where clocks go back across midnight.
      if (start > t_ns) start = t_ns;
      break;
    }
    case Alignment::kEpoch: {
      start = align_down(t_ns, interval_ns_, floor_mod(origin_ns_, interval_ns_));
      end = saturating_add(start, interval_ns_);
      break;
    }
  }
  if (t_ns >= start && t_ns < end) {
    cached_bucket_start_ = start;
    cached_bucket_end_ = end;
  }
  return start;
}

}  // namespace tessera::query
