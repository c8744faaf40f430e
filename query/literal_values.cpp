#include "query/literal_values.h"

#include <charconv>
#include <limits>
#include <string>
#include <system_error>

#include "engine/table_schema.h"

namespace tessera::query::detail {
namespace {

constexpr int64_t kNanosPerMinute = 60 * engine::kNanosPerSecond;
constexpr int64_t kNanosPerHour = 60 * kNanosPerMinute;
constexpr int64_t kNanosPerWeek = 7 * engine::kNanosPerDay;

}  // namespace

std::optional<int64_t> parse_integer(std::string_view digits, bool is_negative) {
  uint64_t magnitude = 0;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), magnitude);
  if (ec != std::errc() || end != digits.data() + digits.size()) return std::nullopt;
  constexpr auto kMax = static_cast<uint64_t>(std::numeric_limits<int64_t>::max());
  if (!is_negative) {
    if (magnitude > kMax) return std::nullopt;
    return static_cast<int64_t>(magnitude);
  }
  if (magnitude > kMax + 1) return std::nullopt;
  if (magnitude == kMax + 1) return std::numeric_limits<int64_t>::min();
  return -static_cast<int64_t>(magnitude);
}

Result<int64_t> integer_value(const Token& token, bool is_negative) {
  const std::optional<int64_t> value = parse_integer(token.text, is_negative);
  if (!value) {
    return error_at(ErrorCode::kInvalidInput, token.offset,
                    "integer " + std::string(is_negative ? "-" : "") + std::string(token.text) +
                        " out of range");
  }
  return *value;
}

Result<double> decimal_value(const Token& token, bool is_negative) {
  double value = 0;
  const char* first = token.text.data();
  const char* last = first + token.text.size();
  const auto [end, ec] = std::from_chars(first, last, value);
  if (ec != std::errc() || end != last) {
    return error_at(ErrorCode::kInvalidInput, token.offset,
                    "number " + std::string(token.text) + " out of range");
  }
  return is_negative ? -value : value;
}

Result<int64_t> interval_value(const Token& token) {
  const std::string_view digits = token.text.substr(0, token.text.size() - 1);
  int64_t unit_ns = engine::kNanosPerSecond;
  switch (token.text.back()) {
    case 'm':
      unit_ns = kNanosPerMinute;
      break;
    case 'h':
      unit_ns = kNanosPerHour;
      break;
    case 'd':
      unit_ns = engine::kNanosPerDay;
      break;
    case 'w':
      unit_ns = kNanosPerWeek;
      break;
    default:
      break;
  }
  const std::optional<int64_t> count = parse_integer(digits, false);
  if (!count || *count > std::numeric_limits<int64_t>::max() / unit_ns) {
    return error_at(ErrorCode::kInvalidInput, token.offset,
                    "interval " + std::string(token.text) + " out of range");
  }
  return *count * unit_ns;
}

Result<int64_t> parse_positive_interval(TokenStream& tokens, std::string_view what) {
  if (!tokens.at(TokenKind::kInterval)) {
    return tokens.syntax_error(tokens.current(),
                               "expected " + std::string(what) + " interval (e.g. 1d)");
  }
  TESSERA_ASSIGN_OR_RETURN(const int64_t ns, interval_value(tokens.current()));
  if (ns <= 0) {
    return error_at(ErrorCode::kInvalidInput, tokens.current().offset,
                    std::string(what) + " interval must be greater than zero");
  }
  tokens.advance();
  return ns;
}

}  // namespace tessera::query::detail
