// ByteReader: a bounds-checked cursor over untrusted bytes. Every read checks the
// bytes really there first and reports failure instead of running past the end,
// so decoders can say "need N bytes at offset X, have Y" rather than crash.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "storage/base/little_endian.h"

namespace tessera::storage {

class ByteReader {
 public:
  // `bytes` must outlive the reader and every view it returns.
  explicit ByteReader(std::string_view bytes) : bytes_(bytes) {}

  size_t offset() const { return offset_; }
  size_t remaining() const { return bytes_.size() - offset_; }
  bool at_end() const { return offset_ == bytes_.size(); }

  // Each returns false, consuming nothing, when too few bytes remain.
  bool read_u8(uint8_t* v) {
    if (remaining() < 1) return false;
    *v = static_cast<uint8_t>(bytes_[offset_]);
    offset_ += 1;
    return true;
  }
  bool read_u32(uint32_t* v) {
    if (remaining() < 4) return false;
    *v = load_u32(bytes_.data() + offset_);
    offset_ += 4;
    return true;
  }
  bool read_u64(uint64_t* v) {
    if (remaining() < 8) return false;
    *v = load_u64(bytes_.data() + offset_);
    offset_ += 8;
    return true;
  }
  // A view of the next `n` bytes.
  bool read_bytes(size_t n, std::string_view* out) {
    if (remaining() < n) return false;
    *out = bytes_.substr(offset_, n);
    offset_ += n;
    return true;
  }

 private:
  std::string_view bytes_;
  size_t offset_ = 0;
};

}  // namespace tessera::storage
