#include "storage/base/crc32c.h"

#include <array>
#include <cstring>

#if defined(__SSE4_2__)
#include <nmmintrin.h>
#endif

namespace tessera::storage {
namespace {

#if !defined(__SSE4_2__)
// Portable fallback: one 256-entry table for the reflected polynomial.
constexpr uint32_t kPolynomial = 0x82F63B78u;

constexpr std::array<uint32_t, 256> make_table() {
  std::array<uint32_t, 256> table{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t c = i;
    for (int bit = 0; bit < 8; ++bit) c = (c & 1u) ? (c >> 1) ^ kPolynomial : c >> 1;
    table[i] = c;
  }
  return table;
}

constexpr std::array<uint32_t, 256> kTable = make_table();
#endif

// Works on the inverted register; callers invert on entry and exit.
uint32_t update(uint32_t crc, const unsigned char* p, size_t n) {
#if defined(__SSE4_2__)
  uint64_t c = crc;
  while (n >= 8) {
    uint64_t word;
    std::memcpy(&word, p, 8);  // unaligned-safe; the instruction takes little-endian words
    c = _mm_crc32_u64(c, word);
    p += 8;
    n -= 8;
  }
  auto c32 = static_cast<uint32_t>(c);
  while (n > 0) {
    c32 = _mm_crc32_u8(c32, *p);
    ++p;
    --n;
  }
  return c32;
#else
  while (n > 0) {
    crc = kTable[(crc ^ *p) & 0xFFu] ^ (crc >> 8);
    ++p;
    --n;
  }
  return crc;
#endif
}

}  // namespace

uint32_t crc32c(std::span<const std::byte> data, uint32_t seed) {
  return ~update(~seed, reinterpret_cast<const unsigned char*>(data.data()), data.size());
}

uint32_t crc32c(std::string_view data, uint32_t seed) {
  return ~update(~seed, reinterpret_cast<const unsigned char*>(data.data()), data.size());
}

}  // namespace tessera::storage
