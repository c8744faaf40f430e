// Internal to the parser (query/parser.cpp and its helpers); not a public API.
// The values of number and interval tokens, with their range checks.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "query/lexer.h"
#include "query/token_stream.h"
#include "storage/base/status.h"

namespace tessera::query::detail {

// Decimal digits to int64, with an optional minus applied before the range check so
// that -9223372036854775808 is representable. nullopt when out of range or when
// `digits` is not all decimal digits.
std::optional<int64_t> parse_integer(std::string_view digits, bool is_negative);

// The value of a kInteger token, negated when `is_negative`.
// kInvalidInput "at column N: integer <text> out of range" past int64.
Result<int64_t> integer_value(const Token& token, bool is_negative);

// The value of a kDecimal token, negated when `is_negative`.
// kInvalidInput "at column N: number <text> out of range" past double.
Result<double> decimal_value(const Token& token, bool is_negative);

// The nanoseconds of a kInterval token (units s, m, h, d, w).
// kInvalidInput "at column N: interval <text> out of range" past int64.
Result<int64_t> interval_value(const Token& token);

// Consumes an interval where a positive duration is required (bucket width,
// partition, retention); `what` names it in the errors: kSyntax "expected <what>
// interval (e.g. 1d)" when the current token is no interval, kInvalidInput
// "<what> interval must be greater than zero" for 0s.
Result<int64_t> parse_positive_interval(TokenStream& tokens, std::string_view what);

}  // namespace tessera::query::detail
