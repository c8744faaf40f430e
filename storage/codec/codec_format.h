// Constants shared by the column codecs in storage/codec/. The byte layout of
// every encoding is specified in docs/format/codecs.md; a change here changes
// the on-disk format and needs the doc and the golden tests updated with it.
#pragma once

#include <cstddef>
#include <cstdint>

namespace tessera::storage {

// Codecs work on vectors of up to this many values; a column is cut into full
// vectors, and only its last vector may be shorter. 1024 values keeps the
// per-vector headers below a percent of the data and a decoded vector in L1.
inline constexpr size_t kVectorValues = 1024;
// The named limit every encoder and decoder checks (the u16 count field
// could say more).
inline constexpr size_t kMaxVectorValues = kVectorValues;

// Widest bit-packed value: a full uint64.
inline constexpr unsigned kMaxBitWidth = 64;

// ALP: largest decimal exponent e (10^18 is the largest power of ten that is an
// exact double and fits int64 arithmetic comfortably).
inline constexpr unsigned kAlpMaxExponent = 18;

}  // namespace tessera::storage
