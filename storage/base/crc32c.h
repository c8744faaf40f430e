// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78): the checksum of every
// on-disk structure (segment chunks and footers, WAL records).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace tessera::storage {

// The CRC-32C of `data`, continuing from `seed`, the CRC of the bytes before it
// (0 for none): crc32c(b, crc32c(a)) == crc32c(a + b). Standard parameters
// (init and final xor 0xFFFFFFFF), so crc32c("123456789") == 0xE3069283.
// Uses the SSE4.2 crc32 instruction when the build targets it. Thread-safe.
uint32_t crc32c(std::span<const std::byte> data, uint32_t seed = 0);
uint32_t crc32c(std::string_view data, uint32_t seed = 0);

}  // namespace tessera::storage
