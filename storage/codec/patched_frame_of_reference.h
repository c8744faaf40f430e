// Patched frame of reference (after PFOR, Zukowski et al., ICDE 2006): like
// frame_of_reference, but up to kMaxPatchExceptions outliers at either end of
// the value range are stored verbatim with their positions, so that a few
// large values (a series boundary in sorted timestamps) do not widen every
// packed value. A body without a count, used inside patched_delta.
// docs/format/codecs.md, "patched_delta".
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "storage/base/byte_reader.h"
#include "storage/base/status.h"

namespace tessera::storage {

// Most exceptions one body holds. Sorted 15-minute snapshots of a one-day
// partition put a series boundary every 96 values, two exceptions each: about 22
// per 1024-value vector, so 64 leaves room for shorter series while choosing
// them (a 65 x 65 / 2 search over the sorted ends) stays cheap.
inline constexpr size_t kMaxPatchExceptions = 64;

// Appends width u8 | min i64 | exception_count u16 | positions u16 × k |
// values u64 × k | bitpacked (value - min) with exceptions packed as 0.
// Requires: values.size() <= kMaxVectorValues.
void append_patched_body(std::span<const int64_t> values, std::string* out);

// Reads one body of out.size() values at the reader's position; kCorruption
// (prefixed with `codec`) when it is malformed or runs past the end.
Status read_patched_body(ByteReader* reader, std::string_view codec, std::span<int64_t> out);

}  // namespace tessera::storage
