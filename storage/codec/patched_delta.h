// Delta-of-delta with a patched residual body, for sorted timestamps of many
// series: inside a series the residuals are near 0, and the jump at each
// series boundary becomes one of a few exceptions instead of widening the
// whole vector to 64 bits. docs/format/codecs.md, "patched_delta".
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "storage/base/status.h"

namespace tessera::storage {

// Appends one payload; kInvalidInput when values.size() > kMaxVectorValues.
// Arithmetic wraps mod 2^64, so every int64 sequence round-trips.
Status patched_delta_encode(std::span<const int64_t> values, std::string* out);

// Decodes exactly `in` into `out`; kCorruption unless `in` is one well-formed
// payload of exactly out.size() values.
Status patched_delta_decode(std::string_view in, std::span<int64_t> out);

}  // namespace tessera::storage
