#include "server/protocol/value_format.h"

#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <type_traits>

namespace tessera::server {

void append_escaped(std::string& out, std::string_view s) {
  for (char c : s) {
    switch (c) {
      case '\t':
        out += "\\t";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\\':
        out += "\\\\";
        break;
      default:
        out += c;
    }
  }
}

void append_double(std::string& out, double value) {
  if (std::isnan(value)) {
    out += "NaN";
    return;
  }
  if (std::isinf(value)) {
    out += value < 0 ? "-Infinity" : "Infinity";
    return;
  }
  char buf[64];
  // Without a format argument, to_chars picks the shortest representation that
  // round-trips (fixed or scientific, whichever is shorter).
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
  out.append(buf, ec == std::errc() ? end : buf);
}

void append_timestamp(std::string& out, int64_t ns) {
  using namespace std::chrono;
  // Floor division by hand: chrono's floor<days> overflows near INT64_MIN.
  constexpr int64_t kNanosPerDay = int64_t{86'400} * 1'000'000'000;
  int64_t day_number = ns / kNanosPerDay;
  int64_t ns_of_day = ns % kNanosPerDay;
  if (ns_of_day < 0) {
    ns_of_day += kNanosPerDay;
    --day_number;
  }
  const year_month_day ymd{sys_days{days{day_number}}};
  const int64_t secs = ns_of_day / 1'000'000'000;
  int64_t frac = ns_of_day % 1'000'000'000;
  char buf[64];
  int n = std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d",
                        static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                        static_cast<unsigned>(ymd.day()), static_cast<int>(secs / 3600),
                        static_cast<int>(secs / 60 % 60), static_cast<int>(secs % 60));
  out.append(buf, static_cast<size_t>(n));
  if (frac != 0) {
    int digits = 9;
    while (frac % 10 == 0) {
      frac /= 10;
      --digits;
    }
    n = std::snprintf(buf, sizeof buf, ".%0*lld", digits, static_cast<long long>(frac));
    out.append(buf, static_cast<size_t>(n));
  }
  out += 'Z';
}

void append_value(std::string& out, const query::Value& value) {
  std::visit(
      [&out](const auto& v) {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::monostate>) {
          out += "\\N";
        } else if constexpr (std::is_same_v<T, int64_t>) {
          char buf[24];
          auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
          out.append(buf, end);
        } else if constexpr (std::is_same_v<T, double>) {
          append_double(out, v);
        } else if constexpr (std::is_same_v<T, bool>) {
          out += v ? "true" : "false";
        } else if constexpr (std::is_same_v<T, std::string>) {
          append_escaped(out, v);
        } else {
          append_timestamp(out, v.ns);
        }
      },
      value);
}

}  // namespace tessera::server
