// Constants of the write-ahead log file format, shared by WalWriter and WalReader.
// Specification: docs/format/wal.md (a change here changes the version and the doc).
//
//   file   := header record*
//   header := magic[8] "TSRAWAL\0" | version u32
//   record := crc32c u32 (over length and payload) | length u32 | payload[length]
//
// All integers little-endian.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace tessera::storage::wal_format {

inline constexpr std::string_view kMagic{"TSRAWAL\0", 8};
inline constexpr uint32_t kVersion = 1;
inline constexpr size_t kHeaderBytes = 12;       // magic + version
inline constexpr size_t kRecordHeaderBytes = 8;  // crc32c + length
// Largest payload of one record; the writer refuses larger ones (kLimitExceeded)
// and the reader treats a larger length as a torn tail.
inline constexpr uint32_t kMaxRecordBytes = uint32_t{64} << 20;

}  // namespace tessera::storage::wal_format
