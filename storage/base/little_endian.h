// Little-endian fixed-width integers: how every on-disk format writes numbers.
// Tessera targets little-endian machines only, so bulk arrays are copied as-is;
// the static_assert below is where a big-endian port would start.
#pragma once

#include <bit>
#include <cstdint>
#include <cstring>
#include <string>

namespace tessera::storage {

static_assert(std::endian::native == std::endian::little,
              "on-disk formats copy little-endian arrays directly");

inline void append_u8(std::string* out, uint8_t v) { out->push_back(static_cast<char>(v)); }

inline void append_u32(std::string* out, uint32_t v) {
  char bytes[4];
  std::memcpy(bytes, &v, 4);
  out->append(bytes, 4);
}

inline void append_u64(std::string* out, uint64_t v) {
  char bytes[8];
  std::memcpy(bytes, &v, 8);
  out->append(bytes, 8);
}

// Requires: `p` points at 4 (resp. 8) readable bytes.
inline uint32_t load_u32(const char* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}

inline uint64_t load_u64(const char* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}

}  // namespace tessera::storage
