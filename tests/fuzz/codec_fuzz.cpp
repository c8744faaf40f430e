// Fuzz target for the column codecs' decoders (storage/codec/codec_registry.h).
// Input: byte 0 picks the value type (bit 0: int64 or double) and, with byte 1,
// the value count (0..kMaxVectorValues); the rest is an encoded vector. For a
// vector that decodes, the invariants are: encoding it again (smallest encoding,
// and the same encoding id it was read with) decodes to the same values, bit for
// bit, and the smallest encoding is no larger than the one the input used.
#include <bit>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "storage/codec/codec_format.h"
#include "storage/codec/codec_registry.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

namespace storage = tessera::storage;

template <typename T>
bool same_bits(const std::vector<T>& a, const std::vector<T>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::bit_cast<uint64_t>(a[i]) != std::bit_cast<uint64_t>(b[i])) return false;
  }
  return true;
}

template <typename T>
tessera::Status encode_as(storage::EncodingId id, std::span<const T> values, std::string* out) {
  if constexpr (std::is_same_v<T, int64_t>) {
    return storage::encode_int64_vector_as(id, values, out);
  } else {
    return storage::encode_double_vector_as(id, values, out);
  }
}

template <typename T>
tessera::Status encode_best(std::span<const T> values, std::string* out) {
  if constexpr (std::is_same_v<T, int64_t>) {
    return storage::encode_int64_vector(values, out);
  } else {
    return storage::encode_double_vector(values, out);
  }
}

template <typename T>
tessera::Status decode(std::string_view in, std::span<T> out) {
  if constexpr (std::is_same_v<T, int64_t>) {
    return storage::decode_int64_vector(in, out);
  } else {
    return storage::decode_double_vector(in, out);
  }
}

template <typename T>
void check_round_trip(std::string_view encoded, size_t count) {
  std::vector<T> values(count);
  const tessera::Status status = decode<T>(encoded, values);
  if (!status.is_ok()) {
    TESSERA_FUZZ_CHECK(!status.message().empty());
    return;
  }
  auto id = storage::read_encoding_id(encoded);
  TESSERA_FUZZ_CHECK(id.is_ok());

  std::string best;
  TESSERA_FUZZ_CHECK(encode_best<T>(values, &best).is_ok());
  std::vector<T> from_best(count);
  TESSERA_FUZZ_CHECK(decode<T>(best, std::span<T>(from_best)).is_ok());
  TESSERA_FUZZ_CHECK(same_bits(values, from_best));

  std::string same_id;
  TESSERA_FUZZ_CHECK(encode_as<T>(*id, values, &same_id).is_ok());
  std::vector<T> from_same_id(count);
  TESSERA_FUZZ_CHECK(decode<T>(same_id, std::span<T>(from_same_id)).is_ok());
  TESSERA_FUZZ_CHECK(same_bits(values, from_same_id));
  // Encode-by-trying includes the encoding the input used, so it is never larger.
  TESSERA_FUZZ_CHECK(best.size() <= same_id.size());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  const bool is_double = (data[0] & 1) != 0;
  const size_t count = ((size_t{data[0]} >> 1) << 8 | data[1]) % (storage::kMaxVectorValues + 1);
  const std::string_view encoded(reinterpret_cast<const char*>(data) + 2, size - 2);
  if (is_double) {
    check_round_trip<double>(encoded, count);
  } else {
    check_round_trip<int64_t>(encoded, count);
  }
  return 0;
}
