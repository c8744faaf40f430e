// The plain encoding of one column of one block: the uncompressed bytes inside a
// kEncodingPlainZstd chunk (docs/format/segment.md, "Plain chunks").
//
//   time_chunk   := row_count × i64
//   column_chunk := has_nulls u8 (0|1) | bitmap[ceil(rows/8)] if has_nulls | values
//   values       := INT64: rows × i64 | FLOAT64: rows × f64 bits | BOOL: rows × u8 (0|1)
//                 | STRING: dict_count u32 | dict_count × (len u32 | bytes) | rows × code u32
//
// Bitmap bit r (byte r/8, bit r%8, least significant first) is 1 when row r has a
// value; the unused high bits of the last byte are 0.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "storage/base/status.h"
#include "storage/block/column.h"

namespace tessera::storage {

std::string encode_time_chunk(std::span<const int64_t> time_ns);

// Requires: `column` is well formed (values, codes and `valid` of one length;
// codes < dictionary size), as checked by the segment writer.
std::string encode_column_chunk(const Column& column);

// The exact size of an encoded chunk of a fixed-width type (not kString), which
// lets the reader reject a chunk size before decompressing it.
uint64_t fixed_column_chunk_bytes(ColumnType type, uint64_t row_count, bool has_nulls);

// Decoders take untrusted bytes and check every length; they fail with
// kCorruption (a message without location; the caller adds file and offset)
// when `raw` is not exactly a well-formed chunk of `row_count` rows.
Result<std::vector<int64_t>> decode_time_chunk(std::string_view raw, uint64_t row_count);
Result<Column> decode_column_chunk(std::string_view raw, ColumnType type, uint64_t row_count);

}  // namespace tessera::storage
