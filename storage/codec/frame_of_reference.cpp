// frame_of_reference payload (docs/format/codecs.md, "frame_of_reference"):
//
//   payload := count u16 | body
//   body    := width u8 (0..64) | min i64 | bitpacked[bitpack_bytes(count, width)]
//
// value[i] = min + unpacked[i], wrapping mod 2^64.
#include "storage/codec/frame_of_reference.h"

#include <algorithm>
#include <array>

#include "storage/base/little_endian.h"
#include "storage/codec/bitpack.h"
#include "storage/codec/codec_format.h"
#include "storage/codec/vector_header.h"

namespace tessera::storage {
namespace {
constexpr std::string_view kCodec = "frame_of_reference";
}  // namespace

void append_frame_of_reference_body(std::span<const int64_t> values, std::string* out) {
  int64_t min = values.empty() ? 0 : *std::min_element(values.begin(), values.end());
  std::array<uint64_t, kMaxVectorValues> diffs;
  uint64_t max_diff = 0;
  for (size_t i = 0; i < values.size(); ++i) {
    diffs[i] = static_cast<uint64_t>(values[i]) - static_cast<uint64_t>(min);
    max_diff = std::max(max_diff, diffs[i]);
  }
  const unsigned width = bitpack_width(max_diff);
  append_u8(out, static_cast<uint8_t>(width));
  append_u64(out, static_cast<uint64_t>(min));
  bitpack_pack(std::span<const uint64_t>(diffs.data(), values.size()), width, out);
}

Status read_frame_of_reference_body(ByteReader* reader, std::string_view codec,
                                    std::span<int64_t> out) {
  uint8_t width = 0;
  uint64_t min = 0;
  if (!reader->read_u8(&width) || !reader->read_u64(&min)) {
    return codec_corruption(codec, "need a 9-byte frame-of-reference header at offset " +
                                       std::to_string(reader->offset()) + ", have " +
                                       std::to_string(reader->remaining()));
  }
  if (width > kMaxBitWidth) {
    return codec_corruption(codec, "bit width " + std::to_string(width) + " over 64");
  }
  const size_t packed_bytes = bitpack_bytes(out.size(), width);
  std::string_view packed;
  if (!reader->read_bytes(packed_bytes, &packed)) {
    return codec_corruption(codec, "need " + std::to_string(packed_bytes) +
                                       " packed bytes at offset " +
                                       std::to_string(reader->offset()) + ", have " +
                                       std::to_string(reader->remaining()));
  }
  // int64_t and uint64_t may alias each other, so unpack straight into `out`.
  return bitpack_unpack(packed, width, min,
                        std::span<uint64_t>(reinterpret_cast<uint64_t*>(out.data()), out.size()));
}

Status frame_of_reference_encode(std::span<const int64_t> values, std::string* out) {
  TESSERA_RETURN_IF_ERROR(check_vector_size(kCodec, values.size()));
  append_vector_count(out, values.size());
  append_frame_of_reference_body(values, out);
  return Status::ok();
}

Status frame_of_reference_decode(std::string_view in, std::span<int64_t> out) {
  ByteReader reader(in);
  TESSERA_RETURN_IF_ERROR(read_vector_count(&reader, kCodec, out.size()));
  TESSERA_RETURN_IF_ERROR(read_frame_of_reference_body(&reader, kCodec, out));
  return expect_end(reader, kCodec);
}

}  // namespace tessera::storage
