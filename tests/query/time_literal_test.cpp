#include "query/time_literal.h"

#include <gtest/gtest.h>

#include <limits>
#include <string>

namespace tessera::query {
namespace {

constexpr int64_t kSecond = 1'000'000'000;

// Expected epoch values are worked out by hand in each comment: days since
// 1970-01-01 = 365 per year + 1 per leap year + days of the earlier months.

int64_t parsed(std::string_view text) {
  Result<int64_t> r = parse_time_literal(text);
  EXPECT_TRUE(r.is_ok()) << text << ": " << r.status().to_string();
  return r.is_ok() ? *r : -42;
}

std::string error_of(std::string_view text) {
  Result<int64_t> r = parse_time_literal(text);
  if (r.is_ok()) return "ok " + std::to_string(*r);
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidInput);
  return r.error().message;
}

TEST(ParseTimeLiteralTest, ParsesTheEpoch) {
  EXPECT_EQ(parsed("1970-01-01"), 0);
  EXPECT_EQ(parsed("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(parsed("1970-01-01 00:00:00z"), 0);
}

TEST(ParseTimeLiteralTest, ParsesTheDocumentedForms) {
  // 2026-01-02: 56 years (1970..2025) with 14 leap days (1972..2024) plus 1 day
  // = 20455 days = 1767312000 s; 00:15:00 adds 900 s.
  const int64_t quarter_past = 1'767'312'900 * kSecond;
  EXPECT_EQ(parsed("2026-01-02T00:15:00Z"), quarter_past);
  EXPECT_EQ(parsed("2026-01-02T00:15:00.861Z"), quarter_past + 861'000'000);
  EXPECT_EQ(parsed("2026-01-02T02:15:00+02:00"), quarter_past);
  EXPECT_EQ(parsed("2026-01-01T19:15:00-05:00"), quarter_past);
  EXPECT_EQ(parsed("2026-01-02T05:45:00+05:30"), quarter_past);
  EXPECT_EQ(parsed("2026-01-02 00:15:00Z"), quarter_past);
  EXPECT_EQ(parsed("2026-01-02t00:15:00Z"), quarter_past);
  EXPECT_EQ(parsed("2026-01-02"), quarter_past - 900 * kSecond);
}

TEST(ParseTimeLiteralTest, ParsesFractionsOfOneToNineDigits) {
  EXPECT_EQ(parsed("1970-01-01T00:00:00.1Z"), 100'000'000);
  EXPECT_EQ(parsed("1970-01-01T00:00:00.000000001Z"), 1);
  EXPECT_EQ(parsed("1970-01-01T00:00:01.123456789Z"), 1'123'456'789);
  // One nanosecond before the epoch.
  EXPECT_EQ(parsed("1969-12-31T23:59:59.999999999Z"), -1);
  EXPECT_EQ(error_of("1970-01-01T00:00:00.1234567891Z"),
            "invalid time literal '1970-01-01T00:00:00.1234567891Z': more than 9 fraction digits");
  EXPECT_NE(error_of("1970-01-01T00:00:00.Z"), "ok 0");
}

TEST(ParseTimeLiteralTest, ValidatesTheCalendarExactly) {
  // 2024-02-29: 54 years with 13 leap days, + 31 + 28 = 19782 days.
  EXPECT_EQ(parsed("2024-02-29"), 19'782LL * 86'400 * kSecond);
  // 2000 is a leap year (divisible by 400): 30 years, 7 leap days, + 59 = 11016 days.
  EXPECT_EQ(parsed("2000-02-29"), 11'016LL * 86'400 * kSecond);
  // 1900-03-01: 1900..1969 is 25567 days, minus the 59 days of Jan and Feb 1900.
  EXPECT_EQ(parsed("1900-03-01"), -25'508LL * 86'400 * kSecond);
  EXPECT_EQ(error_of("2025-02-29"),
            "invalid time literal '2025-02-29': day 29 out of range for 2025-02");
  EXPECT_NE(error_of("1900-02-29").substr(0, 2), "ok");  // 1900 is not a leap year
  EXPECT_NE(error_of("2100-02-29").substr(0, 2), "ok");
  EXPECT_NE(error_of("2025-04-31").substr(0, 2), "ok");
  EXPECT_EQ(parsed("2025-12-31") + 86'400 * kSecond, parsed("2026-01-01"));
  EXPECT_EQ(error_of("2025-13-01"), "invalid time literal '2025-13-01': month 13 out of range");
  EXPECT_NE(error_of("2025-00-10").substr(0, 2), "ok");
  EXPECT_NE(error_of("2025-01-00").substr(0, 2), "ok");
}

TEST(ParseTimeLiteralTest, RejectsOutOfRangeClockFields) {
  for (const char* text : {"2025-01-01T24:00:00Z", "2025-01-01T23:60:00Z", "2025-01-01T23:59:60Z",
                           "2025-01-01T00:00:00+24:00", "2025-01-01T00:00:00+05:60"}) {
    EXPECT_NE(error_of(text).substr(0, 2), "ok") << text;
  }
}

TEST(ParseTimeLiteralTest, AcceptsExactlyTheInt64Range) {
  EXPECT_EQ(parsed("1677-09-21T00:12:43.145224192Z"), std::numeric_limits<int64_t>::min());
  EXPECT_EQ(parsed("2262-04-11T23:47:16.854775807Z"), std::numeric_limits<int64_t>::max());
  EXPECT_NE(error_of("1677-09-21T00:12:43.145224191Z").substr(0, 2), "ok");
  EXPECT_NE(error_of("2262-04-11T23:47:16.854775808Z").substr(0, 2), "ok");
  // The offset can push an in-range local time out of range.
  EXPECT_NE(error_of("2262-04-11T23:47:16.854775807-00:01").substr(0, 2), "ok");
  EXPECT_NE(error_of("2262-04-12").substr(0, 2), "ok");
  EXPECT_EQ(error_of("1676-12-31"),
            "invalid time literal '1676-12-31': year 1676 outside 1677..2262");
  EXPECT_NE(error_of("2263-01-01").substr(0, 2), "ok");
  EXPECT_NE(error_of("0000-01-01").substr(0, 2), "ok");
}

TEST(ParseTimeLiteralTest, RejectsMalformedText) {
  for (const char* text :
       {"", "2025", "2025-1-01", "2025-01-1", "25-01-01", "2025/01/01", "2025-01-01T",
        "2025-01-01T00:00Z", "2025-01-01T00:00:00", "2025-01-01T00:00:00+05",
        "2025-01-01T00:00:00+0530", "2025-01-01 ", " 2025-01-01", "2025-01-01T00:00:00Zjunk",
        "now()", "2025-01-01x", "2025-01-01T00:00:00.Z", "+2025-01-01", "2025-01-01T0a:00:00Z"}) {
    const std::string message = error_of(text);
    EXPECT_EQ(message.rfind("invalid time literal '" + std::string(text) + "': ", 0), 0u)
        << "[" << text << "] -> " << message;
  }
  EXPECT_EQ(error_of("2025-01-01T00:00:00"),
            "invalid time literal '2025-01-01T00:00:00': expected 'Z' or a UTC offset "
            "(+HH:MM) after the time");
}

TEST(ParseTimeLiteralTest, RejectsOverlongText) {
  EXPECT_EQ(error_of(std::string(65, '1')), "time literal of 65 bytes exceeds the limit of 64");
}

}  // namespace
}  // namespace tessera::query
