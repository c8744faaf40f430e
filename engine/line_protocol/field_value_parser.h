// Internal to the line-protocol parser (line_parser.cpp); not an engine API.
// Parsing of the values inside a line once the line scanner has cut them out:
// field values (floats, `i` integers, `u` unsigned integers, booleans, quoted
// strings with escapes) and the timestamp with its precision scaling.
// Grammar and error messages: docs/protocol/ingest.md.
//
// Every function takes the byte offset of its text in the line, so that errors
// carry the line's column ("col 17: field \"spend\": ..."), and whether the whole
// line is ASCII, so that UTF-8 checks are skipped on the common path. None
// allocates on success except for a string value's own bytes. Thread-safe.
// The unquoted forms are told apart by their first and last bytes (t/T/f/F:
// boolean; trailing i/u: integer), so each token is examined once. Their
// parsers are inline here so that the per-field hot path stays free of calls;
// error messages are built out of line (field_value_parser.cpp).
#pragma once

#include <charconv>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>

#include "engine/line_protocol/parse_error.h"
#include "engine/line_protocol/parsed_line.h"
#include "engine/line_protocol/utf8.h"
#include "storage/base/status.h"

namespace tessera::engine::detail {

inline bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Parses "-"? digit+ into an int64. Returns false on bad syntax; sets
// `overflow` (and leaves `value` alone) when the digits are fine but the value
// is outside int64.
inline bool parse_decimal(std::string_view text, int64_t& value, bool& overflow) {
  overflow = false;
  bool negative = false;
  size_t i = 0;
  if (!text.empty() && text[0] == '-') {
    negative = true;
    i = 1;
  }
  if (i == text.size()) return false;
  const uint64_t limit =
      static_cast<uint64_t>(std::numeric_limits<int64_t>::max()) + (negative ? 1 : 0);
  uint64_t magnitude = 0;
  for (; i < text.size(); ++i) {
    if (!is_digit(text[i])) return false;
    const auto digit = static_cast<uint64_t>(text[i] - '0');
    if (magnitude > (limit - digit) / 10) {
      overflow = true;
    } else {
      magnitude = magnitude * 10 + digit;
    }
  }
  if (overflow) return true;
  if (!negative) {
    value = static_cast<int64_t>(magnitude);
  } else if (magnitude == limit) {
    value = std::numeric_limits<int64_t>::min();
  } else {
    value = -static_cast<int64_t>(magnitude);
  }
  return true;
}

// InfluxDB's float syntax: "-"? (digits ("." digits?)? | "." digits) exponent?,
// which excludes "nan", "inf", hex and a leading "+".
inline bool is_float_syntax(std::string_view text) {
  size_t i = 0;
  const size_t n = text.size();
  if (i < n && text[i] == '-') ++i;
  size_t digits = 0;
  for (; i < n && is_digit(text[i]); ++i) ++digits;
  if (i < n && text[i] == '.') {
    for (++i; i < n && is_digit(text[i]); ++i) ++digits;
  }
  if (digits == 0) return false;
  if (i < n && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    if (i < n && (text[i] == '+' || text[i] == '-')) ++i;
    const size_t exponent_begin = i;
    while (i < n && is_digit(text[i])) ++i;
    if (i == exponent_begin) return false;
  }
  return i == n;
}

inline bool parse_bool(std::string_view text, bool& value) {
  if (text == "t" || text == "T" || text == "true" || text == "True" || text == "TRUE") {
    value = true;
    return true;
  }
  if (text == "f" || text == "F" || text == "false" || text == "False" || text == "FALSE") {
    value = false;
    return true;
  }
  return false;
}

// The error for a bad unquoted value: "col N: field \"name\": <what> \"<token>\"",
// or the invalid UTF-8 in `token` if there is any. Out of line: off the hot path.
Error number_error(ErrorCode code, std::string_view token, size_t offset, bool line_is_ascii,
                   const std::string& name, std::string_view what);
// The error "col N: <what> \"<token>\"" for a bad timestamp.
Error timestamp_error(ErrorCode code, std::string_view token, size_t offset, std::string_view what);
inline Error timestamp_utf8_error(size_t pos) {
  return error_at(ErrorCode::kInvalidInput, pos, "timestamp: invalid UTF-8");
}

// Parses an unquoted field value `token` (at byte `offset` of the line) of the
// field `name` into `field` (type and value).
// Requires: `token` is non-empty and holds no ',' or ' '.
// Errors: kSyntax for bad syntax, kInvalidInput for a value out of range
// (integers outside int64, unsigned integers outside [0, INT64_MAX], floats that
// overflow or underflow to zero) or for invalid UTF-8.
// Always inlined: it runs once per field, and its single caller
// (LineParser::parse_fields) was measured faster with it inline.
[[gnu::always_inline]] inline Status parse_scalar_value(std::string_view token, size_t offset,
                                                        bool line_is_ascii, const std::string& name,
                                                        ParsedField& field) {
  auto fail = [&](ErrorCode code, std::string_view what) {
    return number_error(code, token, offset, line_is_ascii, name, what);
  };
  const char first = token.front();  // the caller guarantees a non-empty token
  const char last = token.back();
  if (first == 't' || first == 'T' || first == 'f' || first == 'F') {
    if (!parse_bool(token, field.bool_value)) return fail(ErrorCode::kSyntax, "invalid value");
    field.type = storage::ColumnType::kBool;
    return Status::ok();
  }
  if (last == 'i' || last == 'u') {
    const bool is_unsigned = last == 'u';
    bool overflow = false;
    if (!parse_decimal(token.substr(0, token.size() - 1), field.int_value, overflow)) {
      return fail(ErrorCode::kSyntax, is_unsigned ? "invalid unsigned integer" : "invalid integer");
    }
    if (is_unsigned && (overflow || first == '-')) {
      return fail(ErrorCode::kInvalidInput,
                  "unsigned integer out of range [0, 9223372036854775807]");
    }
    if (overflow) return fail(ErrorCode::kInvalidInput, "integer out of range");
    field.type = storage::ColumnType::kInt64;
    return Status::ok();
  }
  if (!is_float_syntax(token)) {
    const bool looks_numeric = is_digit(first) || first == '-' || first == '.' || first == '+';
    return fail(ErrorCode::kSyntax, looks_numeric ? "invalid number" : "invalid value");
  }
  double parsed = 0;
  const auto result = std::from_chars(token.data(), token.data() + token.size(), parsed);
  if (result.ec == std::errc::result_out_of_range) {
    // Both overflow (1e400) and underflow to zero (1e-400) land here.
    return fail(ErrorCode::kInvalidInput, "number out of range");
  }
  if (result.ec != std::errc() || result.ptr != token.data() + token.size()) {
    return fail(ErrorCode::kSyntax, "invalid number");
  }
  field.type = storage::ColumnType::kFloat64;
  field.float_value = parsed;
  return Status::ok();
}

// Parses the quoted string value of the field `name` into `field`. `line` is the
// line up to the end of its last section (trailing blanks cut off); `pos` is at
// the opening quote and on success is just past the closing one, which must be
// followed by ',', ' ' or the end of `line`.
// Errors: kSyntax (unterminated string, text after the closing quote),
// kInvalidInput (invalid UTF-8).
Status parse_string_value(std::string_view line, size_t& pos, bool line_is_ascii,
                          const std::string& name, ParsedField& field);

// Parses the timestamp `token` ("-"? digit+, at byte `offset` of the line) and
// stores it in `timestamp_ns` scaled from `precision` to nanoseconds.
// Errors: kSyntax for bad syntax, kInvalidInput for invalid UTF-8 or a value
// outside int64 nanoseconds.
inline Status parse_timestamp(std::string_view token, size_t offset, bool line_is_ascii,
                              Precision precision, std::optional<int64_t>& timestamp_ns) {
  if (!line_is_ascii) {
    const size_t valid = utf8_valid_prefix(token);
    if (valid < token.size()) {
      return timestamp_utf8_error(offset + valid);
    }
  }
  int64_t raw = 0;
  bool overflow = false;
  if (!parse_decimal(token, raw, overflow)) {
    return timestamp_error(ErrorCode::kSyntax, token, offset, "invalid timestamp");
  }
  int64_t scale = 1;
  switch (precision) {
    case Precision::kNanoseconds:
      scale = 1;
      break;
    case Precision::kMicroseconds:
      scale = 1'000;
      break;
    case Precision::kMilliseconds:
      scale = 1'000'000;
      break;
    case Precision::kSeconds:
      scale = 1'000'000'000;
      break;
  }
  int64_t nanos = 0;
  if (overflow || __builtin_mul_overflow(raw, scale, &nanos)) {
    return timestamp_error(ErrorCode::kInvalidInput, token, offset, "timestamp out of range");
  }
  timestamp_ns = nanos;
  return Status::ok();
}

}  // namespace tessera::engine::detail
