// Gorilla XOR coding of doubles (Pelkonen et al., VLDB 2015): each value is
// XORed with the previous one and only the meaningful (non-zero) bit window of
// the XOR is written. The fallback for doubles ALP handles badly (values
// without a short decimal form that change slowly). docs/format/codecs.md,
// "gorilla_xor".
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "storage/base/status.h"

namespace tessera::storage {

// Appends one payload; kInvalidInput when values.size() > kMaxVectorValues.
// Every double, including NaN payloads, round-trips bit-exactly.
Status gorilla_xor_encode(std::span<const double> values, std::string* out);

// Decodes exactly `in` into `out`; kCorruption unless `in` is one well-formed
// payload of exactly out.size() values (including zero padding bits).
Status gorilla_xor_decode(std::string_view in, std::span<double> out);

}  // namespace tessera::storage
