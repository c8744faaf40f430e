#include "bench/datagen/civil_date.h"

#include <cstdio>

namespace tessera::datagen {
namespace {

bool is_leap(int year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

unsigned days_in_month(int year, unsigned month) {
  static constexpr unsigned kDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && is_leap(year) ? 29 : kDays[month - 1];
}

// Parses exactly `width` ASCII digits.
bool parse_digits(std::string_view text, size_t pos, size_t width, int& out) {
  if (pos + width > text.size()) return false;
  out = 0;
  for (size_t i = pos; i < pos + width; ++i) {
    if (text[i] < '0' || text[i] > '9') return false;
    out = out * 10 + (text[i] - '0');
  }
  return true;
}

// Inverse of days_from_civil, for formatting (era-based, as in the days_from_civil derivation).
void civil_from_days(int64_t z, int& year, unsigned& month, unsigned& day) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  day = doy - (153 * mp + 2) / 5 + 1;
  month = mp < 10 ? mp + 3 : mp - 9;
  year = static_cast<int>(static_cast<int64_t>(yoe) + era * 400 + (month <= 2 ? 1 : 0));
}

}  // namespace

int64_t days_from_civil(int year, unsigned month, unsigned day) {
  // Count from 0000-03-01 so the leap day is the last day of the counted year.
  const int y = year - (month <= 2 ? 1 : 0);
  const int era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return static_cast<int64_t>(era) * 146097 + static_cast<int64_t>(doe) - 719468;
}

Result<int64_t> parse_civil_date(std::string_view text) {
  int year = 0, month = 0, day = 0;
  if (text.size() != 10 || text[4] != '-' || text[7] != '-' || !parse_digits(text, 0, 4, year) ||
      !parse_digits(text, 5, 2, month) || !parse_digits(text, 8, 2, day)) {
    return make_error(ErrorCode::kInvalidInput,
                      "start date \"" + std::string(text) + "\" is not YYYY-MM-DD");
  }
  if (year < 1970 || year > 2199) {
    return make_error(ErrorCode::kInvalidInput,
                      "start date \"" + std::string(text) + "\": year must be 1970..2199");
  }
  if (month < 1 || month > 12 || day < 1 ||
      static_cast<unsigned>(day) > days_in_month(year, static_cast<unsigned>(month))) {
    return make_error(ErrorCode::kInvalidInput,
                      "start date \"" + std::string(text) + "\" is not a calendar day");
  }
  return days_from_civil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
}

int weekday_monday0(int64_t days_since_epoch) {
  // 1970-01-01 was a Thursday (3 with Monday = 0).
  const int64_t r = (days_since_epoch + 3) % 7;
  return static_cast<int>(r < 0 ? r + 7 : r);
}

std::string format_iso_seconds(int64_t epoch_seconds) {
  int64_t days = epoch_seconds / kSecondsPerDay;
  int64_t secs = epoch_seconds % kSecondsPerDay;
  if (secs < 0) {
    secs += kSecondsPerDay;
    --days;
  }
  int year = 0;
  unsigned month = 0, day = 0;
  civil_from_days(days, year, month, day);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02dZ", year, month, day,
                static_cast<int>(secs / 3600), static_cast<int>(secs / 60 % 60),
                static_cast<int>(secs % 60));
  return buf;
}

}  // namespace tessera::datagen
