// ALP (Adaptive Lossless floating-Point, Afroozeh & Boncz, SIGMOD 2024) for
// doubles that are decimals at heart (money, rates, sensor readings): per
// vector, an exponent e and factor f turn each value v into the integer
// n = round(v * 10^e / 10^f), kept only when (n * 10^f) / 10^e gives back
// exactly v's bits; the integers are then frame-of-reference packed. Values
// that do not round-trip (NaN, ±inf, -0.0, too many digits, out of range) are
// exceptions stored verbatim with their position. docs/format/codecs.md, "alp".
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "storage/base/status.h"

namespace tessera::storage {

// Appends one payload; kInvalidInput when values.size() > kMaxVectorValues.
// Every double, including NaN payloads, round-trips bit-exactly.
Status alp_encode(std::span<const double> values, std::string* out);

// Decodes exactly `in` into `out`; kCorruption unless `in` is one well-formed
// payload of exactly out.size() values.
Status alp_decode(std::string_view in, std::span<double> out);

}  // namespace tessera::storage
