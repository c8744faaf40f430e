// The stable on-disk id of each vector encoding, and "encode by trying": a
// vector is encoded with every applicable encoding and the smallest wins. An
// encoded vector is the id byte followed by that encoding's payload
// (docs/format/codecs.md, "Encoded vector"). Ids are never reused or
// renumbered; a new encoding takes a new id.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "storage/base/status.h"

namespace tessera::storage {

enum class EncodingId : uint8_t {
  kPlain = 1,             // int64 or double
  kFrameOfReference = 2,  // int64
  kDelta = 3,             // int64 (delta or delta-of-delta; the order is in the payload)
  kRunLength = 4,         // int64
  kAlp = 5,               // double
  kGorillaXor = 6,        // double
  kPatchedDelta = 7,      // int64 (delta-of-delta, outliers as exceptions)
};

// "plain", "frame_of_reference", ...; "unknown" for other values.
std::string_view encoding_name(EncodingId id);

// The id of an encoded vector (its first byte); kCorruption when `in` is empty
// or the id is not one of the above.
Result<EncodingId> read_encoding_id(std::string_view in);

// Append the smallest encoding of `values` (id byte + payload) to `out`: ints
// try plain, frame_of_reference, delta (both orders), run_length and
// patched_delta; doubles
// try plain, alp and gorilla_xor. Ties keep the earlier candidate in that
// order. kInvalidInput when values.size() > kMaxVectorValues.
Status encode_int64_vector(std::span<const int64_t> values, std::string* out);
Status encode_double_vector(std::span<const double> values, std::string* out);

// Append `values` in one given encoding (id byte + payload). kInvalidInput
// when `id` does not apply to the value type or values.size() > kMaxVectorValues.
Status encode_int64_vector_as(EncodingId id, std::span<const int64_t> values, std::string* out);
Status encode_double_vector_as(EncodingId id, std::span<const double> values, std::string* out);

// Decode one encoded vector that is exactly `in` into `out`; kCorruption when
// the id is unknown or not an encoding of this value type, or the payload is
// not exactly out.size() well-formed values.
Status decode_int64_vector(std::string_view in, std::span<int64_t> out);
Status decode_double_vector(std::string_view in, std::span<double> out);

}  // namespace tessera::storage
