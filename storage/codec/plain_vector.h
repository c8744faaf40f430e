// The plain encoding: the values' 8-byte little-endian bits, as they are. The
// fallback every other encoding must beat, for int64 and double (as IEEE-754
// bits) alike. docs/format/codecs.md, "plain".
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "storage/base/status.h"

namespace tessera::storage {

// Append count u16 | count × u64; kInvalidInput when values.size() >
// kMaxVectorValues.
Status plain_vector_encode(std::span<const int64_t> values, std::string* out);
Status plain_vector_encode(std::span<const double> values, std::string* out);

// Decode exactly `in`; kCorruption unless it is one payload of out.size() values.
Status plain_vector_decode(std::string_view in, std::span<int64_t> out);
Status plain_vector_decode(std::string_view in, std::span<double> out);

}  // namespace tessera::storage
