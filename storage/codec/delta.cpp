// delta payload (docs/format/codecs.md, "delta"):
//
//   payload := count u16 | order u8 (1|2)
//              | first i64                      if count >= 1
//              | first_delta i64                if order = 2 and count >= 2
//              | frame_of_reference body of the count - order residuals
//                                               if count > order
//
// Differences are taken in uint64 (wrapping), so every int64 sequence decodes
// bit-exactly.
#include "storage/codec/delta.h"

#include <array>

#include "storage/base/byte_reader.h"
#include "storage/base/little_endian.h"
#include "storage/codec/codec_format.h"
#include "storage/codec/frame_of_reference.h"
#include "storage/codec/vector_header.h"

namespace tessera::storage {
namespace {

constexpr std::string_view kCodec = "delta";

uint64_t u(int64_t v) { return static_cast<uint64_t>(v); }
int64_t s(uint64_t v) { return static_cast<int64_t>(v); }

}  // namespace

Status delta_encode(std::span<const int64_t> values, DeltaOrder order, std::string* out) {
  TESSERA_RETURN_IF_ERROR(check_vector_size(kCodec, values.size()));
  const size_t n = values.size();
  const size_t k = static_cast<size_t>(order);
  append_vector_count(out, n);
  append_u8(out, static_cast<uint8_t>(order));
  if (n >= 1) append_u64(out, u(values[0]));
  if (order == DeltaOrder::kDeltaOfDelta && n >= 2) append_u64(out, u(values[1]) - u(values[0]));
  if (n <= k) return Status::ok();
  std::array<int64_t, kMaxVectorValues> residuals;
  for (size_t i = k; i < n; ++i) {
    const uint64_t delta = u(values[i]) - u(values[i - 1]);
    residuals[i - k] =
        order == DeltaOrder::kDelta ? s(delta) : s(delta - (u(values[i - 1]) - u(values[i - 2])));
  }
  append_frame_of_reference_body(std::span<const int64_t>(residuals.data(), n - k), out);
  return Status::ok();
}

Status delta_decode(std::string_view in, std::span<int64_t> out) {
  ByteReader reader(in);
  TESSERA_RETURN_IF_ERROR(read_vector_count(&reader, kCodec, out.size()));
  uint8_t order = 0;
  if (!reader.read_u8(&order)) return codec_corruption(kCodec, "missing order byte at offset 2");
  if (order != 1 && order != 2) {
    return codec_corruption(kCodec, "order " + std::to_string(order) + " is not 1 or 2");
  }
  const size_t n = out.size();
  uint64_t first = 0;
  uint64_t first_delta = 0;
  if (n >= 1 && !reader.read_u64(&first)) {
    return codec_corruption(kCodec, "need the 8-byte first value at offset 3, have " +
                                        std::to_string(reader.remaining()));
  }
  if (order == 2 && n >= 2 && !reader.read_u64(&first_delta)) {
    return codec_corruption(kCodec, "need the 8-byte first delta at offset 11, have " +
                                        std::to_string(reader.remaining()));
  }
  if (n > order) {
    // Residuals decode in place into the tail of `out`; the prefix sums below
    // read out[i] before overwriting it.
    TESSERA_RETURN_IF_ERROR(read_frame_of_reference_body(&reader, kCodec, out.subspan(order)));
  }
  TESSERA_RETURN_IF_ERROR(expect_end(reader, kCodec));
  if (n >= 1) out[0] = s(first);
  if (order == 1) {
    uint64_t prev = first;
    for (size_t i = 1; i < n; ++i) {
      prev += u(out[i]);
      out[i] = s(prev);
    }
  } else {
    undo_delta_of_delta(first, first_delta, out);
  }
  return Status::ok();
}

void undo_delta_of_delta(uint64_t first, uint64_t first_delta, std::span<int64_t> out) {
  const size_t n = out.size();
  if (n >= 1) out[0] = s(first);
  if (n >= 2) out[1] = s(first + first_delta);
  uint64_t prev = first + first_delta;
  uint64_t delta = first_delta;
  for (size_t i = 2; i < n; ++i) {
    delta += u(out[i]);
    prev += delta;
    out[i] = s(prev);
  }
}

}  // namespace tessera::storage
