// plain payload (docs/format/codecs.md, "plain"):
//
//   payload := count u16 | count × value u64 (int64, or a double's bits)
#include "storage/codec/plain_vector.h"

#include <cstring>

#include "storage/base/byte_reader.h"
#include "storage/codec/vector_header.h"

namespace tessera::storage {
namespace {

constexpr std::string_view kCodec = "plain";

// Both value types are 8 bytes copied as-is: little_endian.h guarantees the
// machine order is the disk order.
Status encode_bytes(const void* data, size_t count, std::string* out) {
  TESSERA_RETURN_IF_ERROR(check_vector_size(kCodec, count));
  append_vector_count(out, count);
  out->append(static_cast<const char*>(data), count * 8);
  return Status::ok();
}

Status decode_bytes(std::string_view in, void* data, size_t count) {
  ByteReader reader(in);
  TESSERA_RETURN_IF_ERROR(read_vector_count(&reader, kCodec, count));
  std::string_view values;
  if (!reader.read_bytes(count * 8, &values)) {
    return codec_corruption(kCodec, std::to_string(count) + " values need " +
                                        std::to_string(count * 8) + " bytes, have " +
                                        std::to_string(reader.remaining()));
  }
  TESSERA_RETURN_IF_ERROR(expect_end(reader, kCodec));
  if (count > 0) std::memcpy(data, values.data(), count * 8);
  return Status::ok();
}

}  // namespace

Status plain_vector_encode(std::span<const int64_t> values, std::string* out) {
  return encode_bytes(values.data(), values.size(), out);
}
Status plain_vector_encode(std::span<const double> values, std::string* out) {
  return encode_bytes(values.data(), values.size(), out);
}
Status plain_vector_decode(std::string_view in, std::span<int64_t> out) {
  return decode_bytes(in, out.data(), out.size());
}
Status plain_vector_decode(std::string_view in, std::span<double> out) {
  return decode_bytes(in, out.data(), out.size());
}

}  // namespace tessera::storage
