// Frame of reference: a vector of int64 stored as its minimum plus the
// bit-packed differences (value - min), computed in uint64 so that any mix of
// INT64_MIN and INT64_MAX round-trips. Best for values in a narrow range
// (small counters, dictionary codes). docs/format/codecs.md, "frame_of_reference".
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "storage/base/byte_reader.h"
#include "storage/base/status.h"

namespace tessera::storage {

// Appends count u16 | body to `out`. kInvalidInput when values.size() >
// kMaxVectorValues (out untouched).
Status frame_of_reference_encode(std::span<const int64_t> values, std::string* out);

// Decodes exactly `in` into `out`; kCorruption unless `in` is one well-formed
// payload of exactly out.size() values (kInvalidInput if out.size() is over the
// vector limit).
Status frame_of_reference_decode(std::string_view in, std::span<int64_t> out);

// The body without the count, reused by codecs that know their count from
// elsewhere: width u8 | min i64 | bitpacked (value - min).
// Requires: values.size() <= kMaxVectorValues.
void append_frame_of_reference_body(std::span<const int64_t> values, std::string* out);
// Reads one body of out.size() values at the reader's position; kCorruption
// (prefixed with `codec`) when it is malformed or runs past the end.
Status read_frame_of_reference_body(ByteReader* reader, std::string_view codec,
                                    std::span<int64_t> out);

}  // namespace tessera::storage
