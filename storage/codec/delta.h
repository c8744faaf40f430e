// Delta and delta-of-delta coding for timestamps and other near-monotone int64
// columns: the first value(s) verbatim, then the residuals (differences, or
// differences of differences) as a frame-of-reference body. A perfect cadence
// leaves all residuals equal, which packs at width 0: a 1024-value vector of
// 15-minute timestamps costs its 20-byte header. All arithmetic wraps mod
// 2^64, so jumps, reversals and INT64_MIN/MAX round-trip exactly.
// docs/format/codecs.md, "delta".
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "storage/base/status.h"

namespace tessera::storage {

enum class DeltaOrder : uint8_t {
  kDelta = 1,         // residual[i] = v[i] - v[i-1]
  kDeltaOfDelta = 2,  // residual[i] = (v[i] - v[i-1]) - (v[i-1] - v[i-2])
};

// Appends one payload; kInvalidInput when values.size() > kMaxVectorValues.
Status delta_encode(std::span<const int64_t> values, DeltaOrder order, std::string* out);

// Decodes exactly `in` (either order; the order is stored) into `out`;
// kCorruption unless `in` is one well-formed payload of exactly out.size() values.
Status delta_decode(std::string_view in, std::span<int64_t> out);

// Rebuilds delta-of-delta values in place: out[2..] hold the residuals on entry,
// `first` and `first_delta` are v[0] and v[1] - v[0]; on return out holds the
// values (wrapping mod 2^64). Shared with patched_delta, whose residuals differ
// only in how they are packed.
void undo_delta_of_delta(uint64_t first, uint64_t first_delta, std::span<int64_t> out);

}  // namespace tessera::storage
