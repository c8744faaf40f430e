#include "server/protocol/query_response.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <limits>
#include <random>
#include <string>

#include "server/protocol/value_format.h"
#include "server/protocol/wire_error.h"
#include "tests/query/query_test_util.h"

namespace tessera::server {
namespace {

std::string cell(const query::Value& v) {
  std::string out;
  append_value(out, v);
  return out;
}

TEST(QueryResponseTest, FormatsIntegersInDecimal) {
  EXPECT_EQ(cell(int64_t{0}), "0");
  EXPECT_EQ(cell(int64_t{-42}), "-42");
  EXPECT_EQ(cell(std::numeric_limits<int64_t>::min()), "-9223372036854775808");
  EXPECT_EQ(cell(std::numeric_limits<int64_t>::max()), "9223372036854775807");
}

TEST(QueryResponseTest, FormatsFloatsInShortestRoundTripForm) {
  EXPECT_EQ(cell(0.1), "0.1");
  EXPECT_EQ(cell(1e21), "1e+21");
  EXPECT_EQ(cell(-0.0), "-0");
  EXPECT_EQ(cell(2.5), "2.5");
  EXPECT_EQ(cell(3.0), "3");
  EXPECT_EQ(cell(0.1 + 0.2), "0.30000000000000004");
  EXPECT_EQ(cell(5e-324), "5e-324");
  EXPECT_EQ(cell(std::numeric_limits<double>::quiet_NaN()), "NaN");
  EXPECT_EQ(cell(std::numeric_limits<double>::infinity()), "Infinity");
  EXPECT_EQ(cell(-std::numeric_limits<double>::infinity()), "-Infinity");
}

TEST(QueryResponseTest, ShortestFloatsReadBackExactly) {
  for (double d : {0.1, 1.0 / 3.0, 123456.789, 1e-300, 6.02214076e23, -2.2250738585072014e-308}) {
    const std::string text = cell(d);
    EXPECT_EQ(std::strtod(text.c_str(), nullptr), d) << text;
  }
  EXPECT_TRUE(std::isnan(std::strtod(cell(std::nan("")).c_str(), nullptr)));
  EXPECT_EQ(std::strtod("-Infinity", nullptr), -std::numeric_limits<double>::infinity());
}

TEST(QueryResponseTest, FormatsNullBoolsAndStrings) {
  EXPECT_EQ(cell(std::monostate{}), "\\N");
  EXPECT_EQ(cell(true), "true");
  EXPECT_EQ(cell(false), "false");
  EXPECT_EQ(cell(std::string("plain")), "plain");
  EXPECT_EQ(cell(std::string("a\tb\nc\\d\re")), "a\\tb\\nc\\\\d\\re");
  EXPECT_EQ(cell(std::string("\\N")), "\\\\N");  // differs from NULL
  EXPECT_EQ(cell(std::string("")), "");
}

TEST(QueryResponseTest, FormatsTimestampsAsRfc3339Utc) {
  // 2026-01-02T00:15:00Z = 20455 days * 86400 + 900 seconds after the epoch.
  const int64_t t = (int64_t{20455} * 86400 + 900) * 1'000'000'000;
  EXPECT_EQ(cell(query::Timestamp{t}), "2026-01-02T00:15:00Z");
  EXPECT_EQ(cell(query::Timestamp{0}), "1970-01-01T00:00:00Z");
  EXPECT_EQ(cell(query::Timestamp{t + 250'000'000}), "2026-01-02T00:15:00.25Z");
  EXPECT_EQ(cell(query::Timestamp{t + 1}), "2026-01-02T00:15:00.000000001Z");
  EXPECT_EQ(cell(query::Timestamp{t + 120'000}), "2026-01-02T00:15:00.00012Z");
  EXPECT_EQ(cell(query::Timestamp{-1}), "1969-12-31T23:59:59.999999999Z");
  // 2024-02-29 is day 19782.
  EXPECT_EQ(cell(query::Timestamp{int64_t{19782} * 86400 * 1'000'000'000 + 86399'000'000'000}),
            "2024-02-29T23:59:59Z");
  EXPECT_EQ(cell(query::Timestamp{std::numeric_limits<int64_t>::max()}),
            "2262-04-11T23:47:16.854775807Z");
  EXPECT_EQ(cell(query::Timestamp{std::numeric_limits<int64_t>::min()}),
            "1677-09-21T00:12:43.145224192Z");
}

// RFC 3339 of `ns` through civil-from-days arithmetic (query_test_util.h) and
// snprintf, written apart from the formatter (which uses std::chrono): the
// fraction as nine digits with trailing zeros cut.
std::string reference_timestamp(int64_t ns) {
  constexpr int64_t kDay = int64_t{86'400} * 1'000'000'000;
  const int64_t days = ns / kDay - (ns % kDay < 0 ? 1 : 0);
  const int64_t of_day = ns - days * kDay;
  const auto [y, m, d] = query::testing::civil_from_days(days);
  const int64_t secs = of_day / 1'000'000'000;
  char buf[160];  // room for any long long fields: -Wformat-truncation in debug builds
  std::snprintf(buf, sizeof buf, "%04lld-%02lld-%02lldT%02lld:%02lld:%02lld",
                static_cast<long long>(y), static_cast<long long>(m), static_cast<long long>(d),
                static_cast<long long>(secs / 3600), static_cast<long long>(secs / 60 % 60),
                static_cast<long long>(secs % 60));
  std::string out = buf;
  if (const int64_t frac = of_day % 1'000'000'000; frac != 0) {
    std::snprintf(buf, sizeof buf, ".%09lld", static_cast<long long>(frac));
    std::string digits = buf;
    while (digits.back() == '0') digits.pop_back();
    out += digits;
  }
  return out + "Z";
}

TEST(QueryResponseTest, FormatsRandomTimestampsLikeCivilArithmetic) {
  std::mt19937_64 rng(20261206);
  for (int i = 0; i < 20000; ++i) {
    int64_t ns = static_cast<int64_t>(rng());
    if (i % 3 == 1) ns -= ns % 1'000'000'000;                      // whole seconds
    if (i % 3 == 2) ns %= int64_t{4'000'000'000} * 1'000'000'000;  // near the epoch
    ASSERT_EQ(cell(query::Timestamp{ns}), reference_timestamp(ns)) << ns;
  }
}

TEST(QueryResponseTest, FramesStatusHeaderAndRows) {
  query::ResultSet rs;
  rs.columns = {"tenant", "sum(x)", "a\tb"};
  rs.rows = {{std::string("ws_1"), int64_t{3}, std::monostate{}},
             {std::string("ws\n2"), 1.5, true}};
  EXPECT_EQ(format_result(rs, 17),
            "OK 3 2 17\n"
            "tenant\tsum(x)\ta\\tb\n"
            "ws_1\t3\t\\N\n"
            "ws\\n2\t1.5\ttrue\n");
}

TEST(QueryResponseTest, FramesEmptyResultWithEmptyHeaderLine) {
  EXPECT_EQ(format_result({}, 5), "OK 0 0 5\n\n");
  query::ResultSet rs;
  rs.columns = {"table"};
  EXPECT_EQ(format_result(rs, 0), "OK 1 0 0\ntable\n");
}

TEST(QueryResponseTest, MapsEveryErrorCodeToItsWireCode) {
  const std::pair<ErrorCode, const char*> cases[] = {
      {ErrorCode::kSyntax, "syntax"},
      {ErrorCode::kUnknownTable, "unknown_table"},
      {ErrorCode::kUnknownColumn, "unknown_column"},
      {ErrorCode::kUnknownFunction, "unknown_function"},
      {ErrorCode::kTypeMismatch, "type"},
      {ErrorCode::kInvalidInput, "invalid_argument"},
      {ErrorCode::kUnauthenticated, "auth"},
      {ErrorCode::kPermissionDenied, "permission"},
      {ErrorCode::kLimitExceeded, "limit"},
      {ErrorCode::kUnavailable, "unavailable"},
      {ErrorCode::kCorruption, "internal"},
      {ErrorCode::kIoError, "internal"},
      {ErrorCode::kNotFound, "internal"},
      {ErrorCode::kInternal, "internal"},
  };
  for (const auto& [code, wire] : cases) EXPECT_EQ(wire_error_code(code), wire);
}

TEST(QueryResponseTest, ErrorRepliesAreOneLine) {
  EXPECT_EQ(format_error_reply(make_error(ErrorCode::kSyntax, "at column 8: expected FROM")),
            "ERR syntax at column 8: expected FROM\n");
  EXPECT_EQ(format_error_reply(make_error(ErrorCode::kInternal, "two\nlines\r\n")),
            "ERR internal two lines  \n");
}

}  // namespace
}  // namespace tessera::server
