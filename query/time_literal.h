// parse_time_literal: the RFC 3339 subset the query language accepts for time
// literals ('2026-01-02T00:15:00Z', '2026-01-02').
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "storage/base/status.h"

namespace tessera::query {

// Longer literals are rejected before parsing (the longest valid one,
// "2026-01-02T00:15:00.123456789+02:00", has 35 bytes).
inline constexpr size_t kMaxTimeLiteralBytes = 64;

// Parses, into UTC nanoseconds since the Unix epoch:
//   YYYY-MM-DD                                 midnight UTC
//   YYYY-MM-DD(T|t| )HH:MM:SS[.F](Z|z|+HH:MM|-HH:MM)
// where F is 1 to 9 digits of fraction and the offset is subtracted to get UTC.
// The calendar is checked exactly (days per month, leap years); hours 00-23,
// minutes and seconds 00-59 (no leap seconds), offsets up to +-23:59. A time
// without 'Z' or an offset is rejected rather than guessed.
// Errors: kInvalidInput naming the text and the first problem
// ("invalid time literal '2025-02-29': day 29 out of range for 2025-02"),
// including instants outside int64 nanoseconds (1677-09-21 .. 2262-04-11).
Result<int64_t> parse_time_literal(std::string_view text);

}  // namespace tessera::query
