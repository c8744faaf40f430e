// patched_delta payload (docs/format/codecs.md, "patched_delta"):
//
//   payload := count u16
//              | first i64                      if count >= 1
//              | first_delta i64                if count >= 2
//              | patched body of the count - 2 delta-of-delta residuals
//                                               if count > 2
//
// residual[i] = (v[i] - v[i-1]) - (v[i-1] - v[i-2]), wrapping mod 2^64.
#include "storage/codec/patched_delta.h"

#include <array>

#include "storage/base/byte_reader.h"
#include "storage/base/little_endian.h"
#include "storage/codec/codec_format.h"
#include "storage/codec/delta.h"
#include "storage/codec/patched_frame_of_reference.h"
#include "storage/codec/vector_header.h"

namespace tessera::storage {
namespace {

constexpr std::string_view kCodec = "patched_delta";

uint64_t u(int64_t v) { return static_cast<uint64_t>(v); }
int64_t s(uint64_t v) { return static_cast<int64_t>(v); }

}  // namespace

Status patched_delta_encode(std::span<const int64_t> values, std::string* out) {
  TESSERA_RETURN_IF_ERROR(check_vector_size(kCodec, values.size()));
  const size_t n = values.size();
  append_vector_count(out, n);
  if (n >= 1) append_u64(out, u(values[0]));
  if (n >= 2) append_u64(out, u(values[1]) - u(values[0]));
  if (n <= 2) return Status::ok();
  std::array<int64_t, kMaxVectorValues> residuals;
  for (size_t i = 2; i < n; ++i) {
    residuals[i - 2] = s((u(values[i]) - u(values[i - 1])) - (u(values[i - 1]) - u(values[i - 2])));
  }
  append_patched_body(std::span<const int64_t>(residuals.data(), n - 2), out);
  return Status::ok();
}

Status patched_delta_decode(std::string_view in, std::span<int64_t> out) {
  ByteReader reader(in);
  TESSERA_RETURN_IF_ERROR(read_vector_count(&reader, kCodec, out.size()));
  const size_t n = out.size();
  uint64_t first = 0;
  uint64_t first_delta = 0;
  if ((n >= 1 && !reader.read_u64(&first)) || (n >= 2 && !reader.read_u64(&first_delta))) {
    return codec_corruption(kCodec, "need the first value and delta at offset 2, have " +
                                        std::to_string(reader.remaining()));
  }
  // Residuals decode in place into the tail of `out`; the prefix sums read
  // out[i] before overwriting it.
  if (n > 2) TESSERA_RETURN_IF_ERROR(read_patched_body(&reader, kCodec, out.subspan(2)));
  TESSERA_RETURN_IF_ERROR(expect_end(reader, kCodec));
  undo_delta_of_delta(first, first_delta, out);
  return Status::ok();
}

}  // namespace tessera::storage
