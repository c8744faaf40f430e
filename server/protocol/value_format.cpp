#include "server/protocol/value_format.h"

#include <charconv>
#include <chrono>
#include <cmath>
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

namespace {

// Writes `value` as exactly `width` decimal digits (zero-padded) at `out`.
void put_digits(char* out, uint64_t value, int width) {
  for (int i = width - 1; i >= 0; --i) {
    out[i] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
}

}  // namespace

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
  // Digits by hand, not snprintf: a result of a few hundred time buckets spent
  // more in formatting its timestamps than in the query. int64 nanoseconds reach
  // from 1677 to 2262: the year always has four digits.
  char buf[30] = "YYYY-MM-DDTHH:MM:SS";
  put_digits(buf, static_cast<uint64_t>(static_cast<int>(ymd.year())), 4);
  put_digits(buf + 5, static_cast<unsigned>(ymd.month()), 2);
  put_digits(buf + 8, static_cast<unsigned>(ymd.day()), 2);
  put_digits(buf + 11, static_cast<uint64_t>(secs / 3600), 2);
  put_digits(buf + 14, static_cast<uint64_t>(secs / 60 % 60), 2);
  put_digits(buf + 17, static_cast<uint64_t>(secs % 60), 2);
  size_t n = 19;
  if (frac != 0) {
    int digits = 9;
    while (frac % 10 == 0) {
      frac /= 10;
      --digits;
    }
    buf[n++] = '.';
    put_digits(buf + n, static_cast<uint64_t>(frac), digits);
    n += static_cast<size_t>(digits);
  }
  buf[n++] = 'Z';
  out.append(buf, n);
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
