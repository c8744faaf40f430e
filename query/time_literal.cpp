#include "query/time_literal.h"

#include <date/date.h>

#include <string>

namespace tessera::query {
namespace {

constexpr int64_t kNanosPerSecond = 1'000'000'000;
// Years whose instants can fit int64 nanoseconds; the exact bound is checked
// after the arithmetic.
constexpr int kMinYear = 1677;
constexpr int kMaxYear = 2262;

class LiteralParser {
 public:
  explicit LiteralParser(std::string_view text) : text_(text) {}

  Error error(const std::string& why) const {
    return make_error(ErrorCode::kInvalidInput,
                      "invalid time literal '" + std::string(text_) + "': " + why);
  }

  bool at_end() const { return pos_ == text_.size(); }
  size_t pos() const { return pos_; }

  // Reads exactly `n` digits.
  bool digits(size_t n, int* out) {
    if (text_.size() - pos_ < n) return false;
    int v = 0;
    for (size_t i = 0; i < n; ++i) {
      const char c = text_[pos_ + i];
      if (c < '0' || c > '9') return false;
      v = v * 10 + (c - '0');
    }
    pos_ += n;
    *out = v;
    return true;
  }

  bool consume(char c) {
    if (at_end() || text_[pos_] != c) return false;
    ++pos_;
    return true;
  }

  // Consumes one of `chars`, returning it, or '\0'.
  char consume_any(std::string_view chars) {
    if (at_end() || chars.find(text_[pos_]) == std::string_view::npos) return '\0';
    return text_[pos_++];
  }

 private:
  std::string_view text_;
  size_t pos_ = 0;
};

std::string two_digits(int v) {
  return std::string(1, static_cast<char>('0' + v / 10)) + static_cast<char>('0' + v % 10);
}

}  // namespace

Result<int64_t> parse_time_literal(std::string_view text) {
  if (text.size() > kMaxTimeLiteralBytes) {
    return make_error(ErrorCode::kInvalidInput, "time literal of " + std::to_string(text.size()) +
                                                    " bytes exceeds the limit of " +
                                                    std::to_string(kMaxTimeLiteralBytes));
  }
  LiteralParser p(text);
  int year, month, day;
  if (!p.digits(4, &year) || !p.consume('-') || !p.digits(2, &month) || !p.consume('-') ||
      !p.digits(2, &day)) {
    return p.error("expected YYYY-MM-DD");
  }
  if (year < kMinYear || year > kMaxYear) {
    return p.error("year " + std::to_string(year) + " outside " + std::to_string(kMinYear) + ".." +
                   std::to_string(kMaxYear));
  }
  if (month < 1 || month > 12) return p.error("month " + two_digits(month) + " out of range");
  const date::year_month_day ymd{date::year(year), date::month(static_cast<unsigned>(month)),
                                 date::day(static_cast<unsigned>(day))};
  if (!ymd.ok()) {
    return p.error("day " + two_digits(day) + " out of range for " + std::to_string(year) + "-" +
                   two_digits(month));
  }
  const int64_t days = date::sys_days(ymd).time_since_epoch().count();

  int hour = 0, minute = 0, second = 0;
  int64_t fraction_ns = 0;
  int64_t offset_seconds = 0;
  if (!p.at_end()) {
    if (p.consume_any("Tt ") == '\0') return p.error("expected 'T' or ' ' after the date");
    if (!p.digits(2, &hour) || !p.consume(':') || !p.digits(2, &minute) || !p.consume(':') ||
        !p.digits(2, &second)) {
      return p.error("expected HH:MM:SS after the date");
    }
    if (hour > 23) return p.error("hour " + two_digits(hour) + " out of range");
    if (minute > 59) return p.error("minute " + two_digits(minute) + " out of range");
    if (second > 59) return p.error("second " + two_digits(second) + " out of range");
    if (p.consume('.')) {
      int digit_count = 0;
      int digit;
      while (digit_count < 10 && p.digits(1, &digit)) {
        ++digit_count;
        if (digit_count <= 9) fraction_ns = fraction_ns * 10 + digit;
      }
      if (digit_count == 0) return p.error("expected digits after '.'");
      if (digit_count > 9) return p.error("more than 9 fraction digits");
      for (int i = digit_count; i < 9; ++i) fraction_ns *= 10;
    }
    const char zone = p.consume_any("Zz+-");
    if (zone == '\0') return p.error("expected 'Z' or a UTC offset (+HH:MM) after the time");
    if (zone == '+' || zone == '-') {
      int offset_hours, offset_minutes;
      if (!p.digits(2, &offset_hours) || !p.consume(':') || !p.digits(2, &offset_minutes)) {
        return p.error("expected an offset of the form +HH:MM");
      }
      if (offset_hours > 23 || offset_minutes > 59) return p.error("offset out of range");
      offset_seconds = (offset_hours * 3600 + offset_minutes * 60) * (zone == '-' ? -1 : 1);
    }
    if (!p.at_end()) {
      return p.error("unexpected text at offset " + std::to_string(p.pos()));
    }
  }

  // Years 1677..2262 keep these seconds far from overflow; only the final
  // nanosecond conversion can leave int64.
  const int64_t seconds = days * 86'400 + hour * 3600 + minute * 60 + second - offset_seconds;
  // Before the epoch, borrow the fraction from the next second so that the last
  // representable instants (1677-09-21T00:12:43.145224192Z) do not overflow in
  // the intermediate product.
  const bool borrow = seconds < 0 && fraction_ns > 0;
  int64_t ns;
  if (__builtin_mul_overflow(seconds + (borrow ? 1 : 0), kNanosPerSecond, &ns) ||
      __builtin_add_overflow(ns, borrow ? fraction_ns - kNanosPerSecond : fraction_ns, &ns)) {
    return p.error(
        "outside the representable range 1677-09-21T00:12:43.145224192Z .. "
        "2262-04-11T23:47:16.854775807Z");
  }
  return ns;
}

}  // namespace tessera::query
