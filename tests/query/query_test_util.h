// Helpers shared by the query tests: compact renderings of results, hand-computable
// timestamps and PostgreSQL's percentile_cont (computed here, never by the code
// under test).
#pragma once

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "query/value.h"

namespace tessera::query::testing {

// PostgreSQL's order of doubles: NaN greatest and equal to NaN; -0.0 == 0.0.
inline bool postgres_less(double a, double b) {
  if (std::isnan(a)) return false;
  if (std::isnan(b)) return true;
  return a < b;
}

// PostgreSQL's percentile_cont(p) over `values`: a full sort in its order, then
// the row arithmetic of percentile_cont_float8_final written out directly. Nullopt
// over no values.
inline std::optional<double> postgres_percentile_cont(std::vector<double> values, double p) {
  if (values.empty()) return std::nullopt;
  std::sort(values.begin(), values.end(), postgres_less);
  const double pos = p * static_cast<double>(values.size() - 1);
  const double first = std::floor(pos);
  const double second = std::ceil(pos);
  const double lo = values[static_cast<size_t>(first)];
  if (first == second) return lo;
  const double hi = values[static_cast<size_t>(second)];
  return lo + ((pos - first) * (hi - lo));
}

// Days since 1970-01-01 of a proleptic Gregorian date (civil calendar arithmetic).
inline int64_t days_from_civil(int64_t y, int64_t m, int64_t d) {
  y -= m <= 2 ? 1 : 0;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

constexpr int64_t kSecond = 1'000'000'000;
constexpr int64_t kMinute = 60 * kSecond;
constexpr int64_t kHour = 60 * kMinute;
constexpr int64_t kDay = 24 * kHour;

inline int64_t utc(int64_t y, int64_t m, int64_t d, int64_t hh = 0, int64_t mm = 0) {
  return days_from_civil(y, m, d) * kDay + hh * kHour + mm * kMinute;
}

struct CivilDate {
  int64_t y, m, d;
};

// The proleptic Gregorian date of a day number: the inverse of days_from_civil.
inline CivilDate civil_from_days(int64_t days) {
  const int64_t z = days + 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int64_t d = doy - (153 * mp + 2) / 5 + 1;
  const int64_t m = mp + (mp < 10 ? 3 : -9);
  return {yoe + era * 400 + (m <= 2 ? 1 : 0), m, d};
}

inline std::string render_time(int64_t ns) {
  int64_t days = ns / kDay;
  int64_t rem = ns % kDay;
  if (rem < 0) {
    rem += kDay;
    --days;
  }
  const auto [y, m, d] = civil_from_days(days);
  char buf[160];
  std::snprintf(buf, sizeof(buf), "%04lld-%02lld-%02lldT%02lld:%02lld:%02lldZ",
                static_cast<long long>(y), static_cast<long long>(m), static_cast<long long>(d),
                static_cast<long long>(rem / kHour), static_cast<long long>(rem % kHour / kMinute),
                static_cast<long long>(rem % kMinute / kSecond));
  std::string out = buf;
  if (rem % kSecond != 0) {
    out += '+';
    out += std::to_string(rem % kSecond);
    out += "ns";
  }
  return out;
}

// NULL, 5 (int), 5.0 (float), 'text', true, 2025-01-16T00:00:00Z.
inline std::string render(const Value& v) {
  if (is_null(v)) return "NULL";
  if (const int64_t* i = std::get_if<int64_t>(&v)) return std::to_string(*i);
  if (const double* d = std::get_if<double>(&v)) {
    char buf[64];
    auto res = std::to_chars(buf, buf + sizeof(buf), *d);
    std::string s(buf, res.ptr);
    if (s.find_first_of(".einf") == std::string::npos) s += ".0";
    return s;
  }
  if (const bool* b = std::get_if<bool>(&v)) return *b ? "true" : "false";
  if (const std::string* s = std::get_if<std::string>(&v)) return "'" + *s + "'";
  return render_time(std::get<Timestamp>(v).ns);
}

// "col|col\nv|v\n..." — compact, readable in failure output.
inline std::string render(const ResultSet& r) {
  std::string out;
  for (size_t i = 0; i < r.columns.size(); ++i) {
    if (i) out += "|";
    out += r.columns[i];
  }
  for (const auto& row : r.rows) {
    out += "\n";
    for (size_t i = 0; i < row.size(); ++i) {
      if (i) out += "|";
      out += render(row[i]);
    }
  }
  return out;
}

}  // namespace tessera::query::testing
