// The vector encoding of one column of one block: the bytes of a
// kEncodingVectors chunk, or of a kEncodingVectorsZstd chunk once its zstd frame
// is undone (docs/format/segment.md, "Vector chunks"). Values are cut into
// 1024-value vectors, each encoded by trying (storage/codec/codec_registry.h).
//
//   time_chunk   := vector_seq
//   column_chunk := null_section values
//   null_section := 0 | 1 bitmap | 2 vector_seq (validity 0/1 as int64)
//   values       := INT64: vector_seq | FLOAT64: vector_seq | BOOL: bitmap
//                 | STRING: dict_count u32 | dict_count × (len u32 | bytes) | vector_seq (codes)
//   vector_seq   := ceil(rows / 1024) × (vector_bytes u16 | encoded_vector)
//   bitmap       := ceil(rows / 8) bytes, bit r = byte r/8 bit r%8, padding bits 0
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "storage/base/status.h"
#include "storage/block/column.h"

namespace tessera::storage {

// Null section kinds (the first byte of a column chunk). Stable on-disk ids.
inline constexpr uint8_t kNullsAbsent = 0;
inline constexpr uint8_t kNullsBitmap = 1;
inline constexpr uint8_t kNullsVectors = 2;

std::string encode_time_vectors(std::span<const int64_t> time_ns);

// Requires: `column` is well formed (as checked by the segment writer) and has at
// most segment_format::kMaxBlockRows rows.
std::string encode_column_vectors(const Column& column);

// Decoders take untrusted bytes and check every length; kCorruption (without
// location, the caller adds it) unless `raw` is exactly one well-formed chunk of
// `row_count` rows. Allocations are bounded by a multiple of raw.size().
Result<std::vector<int64_t>> decode_time_vectors(std::string_view raw, uint64_t row_count);
Result<Column> decode_column_vectors(std::string_view raw, ColumnType type, uint64_t row_count);

// The encoding id (codec_registry EncodingId) of every vector in a chunk, in
// order, for `tessera inspect`: the null-section vectors are not included.
// kCorruption as for the decoders (only the framing is checked).
Result<std::vector<uint8_t>> list_vector_encodings(std::string_view raw, ColumnType type,
                                                   uint64_t row_count, bool is_time);

}  // namespace tessera::storage
