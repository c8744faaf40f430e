// Writes blocks as one immutable segment file. Format: docs/format/segment.md.
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>

#include "storage/base/status.h"
#include "storage/block/column.h"
#include "storage/segment/segment_format.h"

namespace tessera::storage {

// Writes `blocks` as one immutable segment file at `path`, which must not exist.
// The file is written to path + ".tmp" (a stale one is replaced), fsynced, linked
// to `path` (failing if it appeared meanwhile), and the directory is fsynced, so
// after a crash `path` is either absent or complete.
//
// Each block must have row_count() > 0, columns as long as time_ns, a `valid`
// that is empty or as long as the column, codes below the dictionary size, bools
// of 0 or 1, and distinct column names: otherwise kInvalidInput, and nothing is
// written. Blocks, columns, rows or encoded sizes beyond the segment_format limits
// give kLimitExceeded; an existing `path` or OS failure gives kIoError.
Status write_segment(const std::filesystem::path& path, std::span<const Block> blocks);

struct SegmentWriteOptions {
  // segment_format::kVersion (vector chunks, sums in the footer), or kVersion1
  // (plain zstd chunks, no sums) for a file that older readers can open.
  uint32_t version = segment_format::kVersion;
};

// As above, in the given format version; kInvalidInput for an unknown version.
Status write_segment(const std::filesystem::path& path, std::span<const Block> blocks,
                     const SegmentWriteOptions& options);

}  // namespace tessera::storage
