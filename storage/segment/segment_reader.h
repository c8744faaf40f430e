// SegmentReader: an open, verified segment file. Format: docs/format/segment.md.
// open() checks everything but the chunks (header, trailer, footer checksum and
// structure, that the chunks tile the file); read_block() checks the chunks it
// reads. Corrupt bytes give kCorruption naming the file and offset; they are
// never returned as data.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "storage/base/file_io.h"
#include "storage/base/status.h"
#include "storage/block/column.h"

namespace tessera::storage {

class SegmentReader {
 public:
  // Reads and verifies the header, trailer and footer (crc32c and the FlatBuffers
  // verifier, then every field: types, limits, chunk sizes). kNotFound for a
  // missing file, kCorruption for bad bytes, kIoError when the OS fails.
  static Result<std::shared_ptr<const SegmentReader>> open(const std::filesystem::path& path);

  size_t block_count() const { return blocks_.size(); }

  // The stats of block `i` as stored in the footer; no I/O.
  // Requires: i < block_count(). The reference lives as long as the reader.
  const BlockStats& block_stats(size_t i) const { return blocks_[i].stats; }

  // The statistics of all its blocks together (storage::total_of); null when its
  // blocks disagree on a column's type. No I/O; lives as long as the reader.
  const BlockStats* totals() const { return totals_ ? &*totals_ : nullptr; }

  // Reads block `i`: each chunk's crc32c is verified, then it is decompressed and
  // validated (lengths equal to the row count, codes below the dictionary size,
  // null count and time range equal to the footer's). Thread-safe.
  // Requires: i < block_count().
  Result<Block> read_block(size_t i) const;

  // Reads block `i` with only some columns: the time column (unless `with_time`
  // is false: time_ns is then empty, and block_stats(i).row_count gives the rows)
  // plus each stored column whose name is in `names`, in the block's column order
  // (names the block lacks are skipped: those columns are all NULL there). Only the
  // chunks read are verified, as read_block does. Thread-safe.
  // Requires: i < block_count().
  Result<Block> read_columns(size_t i, std::span<const std::string> names,
                             bool with_time = true) const;

  // The format version of the file (segment_format::kVersion or kVersion1).
  uint32_t version() const { return version_; }

  const std::filesystem::path& path() const { return file_->path(); }
  uint64_t size_bytes() const { return file_->size_bytes(); }

  // Where one stored chunk is and how it is encoded (segment_format::kEncoding*).
  struct ChunkLocation {
    uint64_t offset = 0;
    uint32_t compressed_size = 0;
    uint32_t raw_size = 0;
    uint32_t crc32c = 0;
    uint8_t encoding = 0;
  };

  // The stored chunks of block `i`, for `tessera inspect`; no I/O.
  // Requires: i < block_count(), column < block_stats(i).columns.size().
  const ChunkLocation& time_chunk(size_t i) const { return blocks_[i].time_chunk; }
  const ChunkLocation& column_chunk(size_t i, size_t column) const {
    return blocks_[i].column_chunks[column];
  }

  // The checksum-verified bytes of `chunk` (one of the above) with any zstd stage
  // undone: the plain or vector chunk layout, undecoded. For `tessera inspect`.
  Result<std::string> read_chunk_bytes(const ChunkLocation& chunk) const;

 private:
  struct BlockEntry {
    BlockStats stats;
    ChunkLocation time_chunk;
    std::vector<ChunkLocation> column_chunks;  // parallel to stats.columns
  };

  explicit SegmentReader(std::unique_ptr<RandomAccessFile> file) : file_(std::move(file)) {}

  // Bytes of the file read in one pread for several chunks of a block:
  // [offset, offset + bytes.size()).
  struct ReadAhead {
    uint64_t offset = 0;
    std::string_view bytes;
  };
  // One pread covering the time chunk (when `with_time`) and the column chunks
  // `columns` of block `i` when those are at least a quarter of what it reads (copying other
  // columns' bytes from the page cache costs less than a pread per chunk:
  // decoding_scan_bench's time, spend and revenue are about 40% of their span);
  // empty otherwise, or when that read fails (the chunks' own reads then name
  // the error). Valid until this thread's next read_ahead.
  ReadAhead read_ahead(size_t i, std::span<const size_t> columns, bool with_time) const;
  // Block `i` with its time (when `with_time`) and the columns at positions
  // `columns` (ascending).
  Result<Block> read_block_columns(size_t i, std::span<const size_t> columns, bool with_time) const;
  // The decoded, verified time column or column `c` of block `i`, from `ahead`
  // when it holds the chunk.
  Result<std::vector<int64_t>> read_time(size_t i, const ReadAhead& ahead) const;
  Result<Column> read_column(size_t i, size_t c, const ReadAhead& ahead) const;

  std::unique_ptr<RandomAccessFile> file_;
  std::vector<BlockEntry> blocks_;
  std::optional<BlockStats> totals_;
  uint32_t version_ = 0;
};

}  // namespace tessera::storage
