// Bit-packing of uint64 values at a fixed width 0..64, in a FastLanes-style
// layout of 4 interleaved 64-bit lanes so that one AVX2 register unpacks four
// consecutive values with the same shifts (docs/format/codecs.md, "Bit-packed
// array"). The building block of frame_of_reference, delta, run_length and alp.
//
// Layout: value j lives in lane j % 4 at lane position j / 4. Each lane is a
// little-endian bit stream of 64-bit words, least significant bit first; word w
// of lane l is stored at word index 4*w + l. The value count is rounded up to a
// multiple of 4 with zero values, and each lane is rounded up to whole words, so
// a packed array takes 32 * ceil(ceil(n / 4) * width / 64) bytes (exactly
// n * width / 8 for a full vector of 1024).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "storage/base/status.h"

namespace tessera::storage {

inline constexpr size_t kBitpackLanes = 4;

// Bytes of a packed array of `value_count` values at `width` bits.
// Requires: width <= 64.
size_t bitpack_bytes(size_t value_count, unsigned width);

// Bits needed for `v` (0 for 0, 64 for values with the top bit set).
unsigned bitpack_width(uint64_t v);

// Appends the packed array of `values` to `out`.
// Requires: width <= 64 and every value < 2^width.
void bitpack_pack(std::span<const uint64_t> values, unsigned width, std::string* out);

// Unpacks `out.size()` values from `in`, adding `base` to each (wrapping mod
// 2^64; pass 0 for plain unpacking). `in` must be exactly
// bitpack_bytes(out.size(), width) bytes: kCorruption for a wrong size or a
// width over 64. Uses the AVX2 kernel.
Status bitpack_unpack(std::string_view in, unsigned width, uint64_t base, std::span<uint64_t> out);

// The scalar reference for bitpack_unpack, one value at a time; same contract.
// Tests use it as the oracle for the vector kernel.
Status bitpack_unpack_scalar(std::string_view in, unsigned width, uint64_t base,
                             std::span<uint64_t> out);

}  // namespace tessera::storage
