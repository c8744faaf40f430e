// Constants of the segment file format, shared by the segment writer and reader.
// Specification: docs/format/segment.md (a change here changes the version and the doc).
//
//   segment := header chunk* footer trailer
//   header  := magic[8] "TSRASEG\0" | version u32
//   chunk   := version 1: zstd frame of a plain chunk (plain_chunk.h);
//              version 2: a vector chunk (vector_chunk.h), alone or in one zstd frame;
//              referenced by the footer
//   footer  := FlatBuffers SegmentFooter (segment_footer.fbs)
//   trailer := footer_offset u64 | footer_size u32 | footer_crc32c u32 | version u32 | magic[8]
//
// All integers little-endian. The chunks tile the bytes between header and footer
// exactly, so every byte of the file is covered by a check: header and trailer by
// exact comparison, chunks and footer by their crc32c.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace tessera::storage::segment_format {

inline constexpr std::string_view kMagic{"TSRASEG\0", 8};
// The version this code writes. Readers accept kVersion1 files too.
inline constexpr uint32_t kVersion = 2;
inline constexpr uint32_t kVersion1 = 1;
inline constexpr size_t kHeaderBytes = 12;   // magic + version
inline constexpr size_t kTrailerBytes = 28;  // offset + size + crc + version + magic

// Chunk encodings (ChunkRef.encoding). Stable on-disk ids: never renumber.
// kEncodingPlainZstd: the plain little-endian layout of plain_chunk.h, in one zstd frame.
// Only in version-1 files.
inline constexpr uint8_t kEncodingPlainZstd = 1;
// kEncodingVectors: the vector chunk of vector_chunk.h, stored as is
// (compressed_size == raw_size).
inline constexpr uint8_t kEncodingVectors = 2;
// kEncodingVectorsZstd: the same vector chunk in one zstd frame.
inline constexpr uint8_t kEncodingVectorsZstd = 3;

// The writer keeps zstd's second stage only when it saves at least this share of
// the vector chunk: below that, the decode cost of zstd buys too little.
inline constexpr unsigned kZstdMinSavingsPercent = 10;

// Limits. The writer refuses input beyond them (kLimitExceeded); the reader treats
// a file beyond them as corrupt before allocating anything for it.
inline constexpr uint64_t kMaxBlockRows = uint64_t{1} << 24;
inline constexpr size_t kMaxColumnsPerBlock = 4096;
inline constexpr size_t kMaxColumnNameBytes = 4096;
inline constexpr size_t kMaxBlocksPerSegment = size_t{1} << 20;
inline constexpr uint32_t kMaxChunkRawBytes = uint32_t{256} << 20;  // one decompressed chunk
inline constexpr uint32_t kMaxFooterBytes = uint32_t{256} << 20;

}  // namespace tessera::storage::segment_format
