// The u16 value count that starts every codec payload, and the error helpers the
// codecs share, so that every decoder reports damage the same way.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "storage/base/byte_reader.h"
#include "storage/base/status.h"
#include "storage/codec/codec_format.h"

namespace tessera::storage {

inline Error codec_corruption(std::string_view codec, std::string what) {
  return make_error(ErrorCode::kCorruption, std::string(codec) + ": " + what);
}

// kInvalidInput when an encoder is handed more than kMaxVectorValues values.
inline Status check_vector_size(std::string_view codec, size_t value_count) {
  if (value_count > kMaxVectorValues) {
    return make_error(ErrorCode::kInvalidInput,
                      std::string(codec) + ": " + std::to_string(value_count) +
                          " values exceed the vector limit of " + std::to_string(kMaxVectorValues));
  }
  return Status::ok();
}

inline void append_u16(std::string* out, uint16_t v) {
  out->push_back(static_cast<char>(v & 0xff));
  out->push_back(static_cast<char>(v >> 8));
}

// Requires: value_count <= kMaxVectorValues (checked by check_vector_size).
inline void append_vector_count(std::string* out, size_t value_count) {
  append_u16(out, static_cast<uint16_t>(value_count));
}

inline bool read_u16(ByteReader* reader, uint16_t* v) {
  std::string_view bytes;
  if (!reader->read_bytes(2, &bytes)) return false;
  *v =
      static_cast<uint16_t>(static_cast<uint8_t>(bytes[0]) | (static_cast<uint8_t>(bytes[1]) << 8));
  return true;
}

// Reads the count and checks it against the caller's expectation: a decoder
// never returns fewer (or more) values than the caller asked for.
inline Status read_vector_count(ByteReader* reader, std::string_view codec, size_t expected_count) {
  if (expected_count > kMaxVectorValues) {
    return make_error(ErrorCode::kInvalidInput,
                      std::string(codec) + ": asked for " + std::to_string(expected_count) +
                          " values, over the vector limit of " + std::to_string(kMaxVectorValues));
  }
  uint16_t count = 0;
  if (!read_u16(reader, &count)) {
    return codec_corruption(
        codec, "need a 2-byte value count, have " + std::to_string(reader->remaining()) + " bytes");
  }
  if (count != expected_count) {
    return codec_corruption(codec, "stored value count " + std::to_string(count) + ", expected " +
                                       std::to_string(expected_count));
  }
  return Status::ok();
}

inline Status expect_end(const ByteReader& reader, std::string_view codec) {
  if (!reader.at_end()) {
    return codec_corruption(codec, std::to_string(reader.remaining()) +
                                       " trailing bytes at offset " +
                                       std::to_string(reader.offset()));
  }
  return Status::ok();
}

}  // namespace tessera::storage
