// Proleptic Gregorian calendar arithmetic for the generator's UTC days, so that
// datagen needs no time-zone library.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "storage/base/status.h"

namespace tessera::datagen {

inline constexpr int64_t kSecondsPerDay = 86400;

// Days since 1970-01-01 of a "YYYY-MM-DD" date. Accepts years 1970..2199 (so
// every generated nanosecond timestamp fits int64); anything else, including a
// day that does not exist (2025-02-30), is kInvalidInput.
Result<int64_t> parse_civil_date(std::string_view text);

// Days since 1970-01-01 of a valid (year, month, day).
int64_t days_from_civil(int year, unsigned month, unsigned day);

// 0 = Monday ... 6 = Sunday, for a day count since 1970-01-01 (a Thursday).
int weekday_monday0(int64_t days_since_epoch);

// "2025-01-01T00:15:00Z" for whole seconds since the epoch (>= 0).
std::string format_iso_seconds(int64_t epoch_seconds);

}  // namespace tessera::datagen
