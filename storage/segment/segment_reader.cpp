// Reads the segment layout of docs/format/segment.md:
//   segment := header chunk* footer trailer
//   header  := "TSRASEG\0" | version u32
//   trailer := footer_offset u64 | footer_size u32 | footer_crc32c u32 | version u32 | magic
// Nothing read from the file is used before it is checked: the trailer against
// the file size, the footer against its crc32c, its zstd frame size (version 2) and
// the FlatBuffers verifier, each
// footer field against the limits, each chunk against its crc32c and row count.
#include "storage/segment/segment_reader.h"

#include <zstd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <numeric>
#include <string>
#include <unordered_set>
#include <utility>

#include "storage/base/crc32c.h"
#include "storage/base/little_endian.h"
#include "storage/base/scratch_buffer.h"
#include "storage/block/stats_total.h"
#include "storage/segment/plain_chunk.h"
#include "storage/segment/segment_footer_generated.h"
#include "storage/segment/segment_format.h"
#include "storage/segment/vector_chunk.h"

namespace tessera::storage {
namespace {

using ChunkLocation = SegmentReader::ChunkLocation;

std::string hex32(uint32_t v) {
  char text[11];
  std::snprintf(text, sizeof text, "0x%08x", v);
  return text;
}

Error corrupt(const std::filesystem::path& path, uint64_t offset, std::string message) {
  return make_error(ErrorCode::kCorruption,
                    path.string() + " @ " + std::to_string(offset) + ": " + std::move(message));
}

struct Trailer {
  uint64_t footer_offset;
  uint32_t footer_size;
  uint32_t footer_crc;
};

bool is_known_version(uint32_t version) {
  return version == segment_format::kVersion1 || version == segment_format::kVersion;
}

// Copies the FlatBuffers footer of `stored` (the checksum-verified footer bytes) into
// `aligned`, undoing version 2's zstd frame, whose declared size must be known and
// within kMaxFooterBytes before anything is allocated for it. Returns its size.
Result<size_t> unpack_footer(const std::filesystem::path& path, uint64_t offset, uint32_t version,
                             std::string_view stored, std::vector<uint64_t>* aligned) {
  if (version == segment_format::kVersion1) {
    aligned->resize((stored.size() + 7) / 8);
    std::memcpy(aligned->data(), stored.data(), stored.size());
    return stored.size();
  }
  const unsigned long long declared = ZSTD_getFrameContentSize(stored.data(), stored.size());
  if (declared == ZSTD_CONTENTSIZE_UNKNOWN || declared == ZSTD_CONTENTSIZE_ERROR ||
      declared > segment_format::kMaxFooterBytes) {
    return corrupt(path, offset, "footer is not a zstd frame of a known size within the limit");
  }
  aligned->resize((declared + 7) / 8);
  const size_t size = ZSTD_decompress(aligned->data(), declared, stored.data(), stored.size());
  if (ZSTD_isError(size)) {
    return corrupt(path, offset,
                   std::string("footer zstd decompression failed: ") + ZSTD_getErrorName(size));
  }
  if (size != declared) {
    return corrupt(path, offset,
                   "footer decompressed to " + std::to_string(size) + " bytes, its frame says " +
                       std::to_string(declared));
  }
  return size;
}

Result<uint32_t> check_header(const RandomAccessFile& file) {
  std::string header;
  TESSERA_RETURN_IF_ERROR(file.read_at(0, segment_format::kHeaderBytes, &header));
  if (std::string_view(header).substr(0, 8) != segment_format::kMagic) {
    return corrupt(file.path(), 0, "not a segment file (bad magic)");
  }
  const uint32_t version = load_u32(header.data() + 8);
  if (!is_known_version(version)) {
    return corrupt(file.path(), 8, "unsupported segment version " + std::to_string(version));
  }
  return version;
}

Result<Trailer> read_trailer(const RandomAccessFile& file, uint32_t header_version) {
  const uint64_t start = file.size_bytes() - segment_format::kTrailerBytes;
  std::string bytes;
  TESSERA_RETURN_IF_ERROR(file.read_at(start, segment_format::kTrailerBytes, &bytes));
  if (std::string_view(bytes).substr(20, 8) != segment_format::kMagic) {
    return corrupt(file.path(), start + 20, "bad trailer magic (file truncated or not a segment)");
  }
  const uint32_t version = load_u32(bytes.data() + 16);
  if (version != header_version) {
    return corrupt(file.path(), start + 16,
                   "trailer version " + std::to_string(version) + " does not match the header");
  }
  Trailer trailer{load_u64(bytes.data()), load_u32(bytes.data() + 8), load_u32(bytes.data() + 12)};
  if (trailer.footer_size > segment_format::kMaxFooterBytes) {
    return corrupt(file.path(), start + 8,
                   "footer size " + std::to_string(trailer.footer_size) + " exceeds the limit of " +
                       std::to_string(segment_format::kMaxFooterBytes));
  }
  // The footer must sit exactly between the chunks and the trailer.
  if (trailer.footer_offset < segment_format::kHeaderBytes || trailer.footer_offset > start ||
      start - trailer.footer_offset != trailer.footer_size) {
    return corrupt(file.path(), start,
                   "footer at " + std::to_string(trailer.footer_offset) + " of " +
                       std::to_string(trailer.footer_size) +
                       " bytes does not end at the trailer (" + std::to_string(start) + ")");
  }
  return trailer;
}

bool is_known_type(uint8_t type) {
  return type >= static_cast<uint8_t>(ColumnType::kInt64) &&
         type <= static_cast<uint8_t>(ColumnType::kString);
}

// Checks a chunk reference's own fields. Version 1 chunks are plain zstd, and
// `min_raw` and `max_raw` bound their raw size; version 2 chunks are vector
// chunks, whose size only the decoder can check.
Status check_chunk(const std::filesystem::path& path, uint64_t footer_offset, uint32_t version,
                   const fb::ChunkRef& ref, uint64_t min_raw, uint64_t max_raw,
                   const std::string& what, ChunkLocation* out) {
  const uint8_t encoding = ref.encoding();
  const bool is_known = version == segment_format::kVersion1
                            ? encoding == segment_format::kEncodingPlainZstd
                            : encoding == segment_format::kEncodingVectors ||
                                  encoding == segment_format::kEncodingVectorsZstd;
  if (!is_known) {
    return corrupt(path, footer_offset,
                   what + ": unknown chunk encoding " + std::to_string(encoding) +
                       " for segment version " + std::to_string(version));
  }
  if (version != segment_format::kVersion1) {
    min_raw = 1;
    max_raw = segment_format::kMaxChunkRawBytes;
  }
  if (ref.raw_size() > segment_format::kMaxChunkRawBytes || ref.raw_size() < min_raw ||
      ref.raw_size() > max_raw) {
    return corrupt(path, footer_offset,
                   what + ": raw size " + std::to_string(ref.raw_size()) + " is not in [" +
                       std::to_string(min_raw) + ", " + std::to_string(max_raw) + "]");
  }
  if (encoding == segment_format::kEncodingVectors && ref.compressed_size() != ref.raw_size()) {
    return corrupt(path, footer_offset,
                   what + ": uncompressed chunk of " + std::to_string(ref.compressed_size()) +
                       " stored bytes but raw size " + std::to_string(ref.raw_size()));
  }
  *out = ChunkLocation{ref.offset(), ref.compressed_size(), ref.raw_size(), ref.crc32c(), encoding};
  return Status::ok();
}

// One zstd decompression context per thread, reused: ZSTD_decompress would create
// and initialise one (about 100 KiB) per chunk, which costs more than decoding a
// small chunk itself.
ZSTD_DCtx* thread_decompression_context() {
  struct Context {
    ZSTD_DCtx* dctx = ZSTD_createDCtx();
    ~Context() { ZSTD_freeDCtx(dctx); }
  };
  thread_local Context context;
  return context.dctx;
}

ColumnStats to_stats(const fb::ColumnStats& fb_stats, uint32_t version) {
  ColumnStats stats;
  stats.null_count = fb_stats.null_count();
  stats.has_min_max = fb_stats.has_min_max();
  stats.min_int = fb_stats.min_int();
  stats.max_int = fb_stats.max_int();
  stats.min_float = fb_stats.min_float();
  stats.max_float = fb_stats.max_float();
  if (fb_stats.min_string() != nullptr) stats.min_string = fb_stats.min_string()->str();
  if (fb_stats.max_string() != nullptr) stats.max_string = fb_stats.max_string()->str();
  // Unknown sums (version 1, or has_sum false) read so that no caller can take
  // them for real ones: not exact, and a NaN float sum.
  stats.has_sum = version != segment_format::kVersion1 && fb_stats.has_sum();
  if (stats.has_sum) {
    stats.sum_int_exact = fb_stats.sum_int_exact();
    stats.sum_int = fb_stats.sum_int();
    stats.sum_float = fb_stats.sum_float();
  } else {
    stats.sum_int_exact = false;
    stats.sum_int = 0;
    stats.sum_float = std::numeric_limits<double>::quiet_NaN();
  }
  if (const auto* sketch = fb_stats.quantile_sketch(); sketch != nullptr) {
    stats.quantile_sketch.assign(reinterpret_cast<const char*>(sketch->data()), sketch->size());
  }
  return stats;
}

// Every byte between header and footer must belong to exactly one chunk, so that
// a damaged byte anywhere is caught by some checksum.
Status check_tiling(const std::filesystem::path& path, std::vector<ChunkLocation> chunks,
                    uint64_t footer_offset) {
  std::sort(chunks.begin(), chunks.end(),
            [](const ChunkLocation& a, const ChunkLocation& b) { return a.offset < b.offset; });
  uint64_t expected = segment_format::kHeaderBytes;
  for (const ChunkLocation& chunk : chunks) {
    if (chunk.offset != expected || chunk.compressed_size == 0) {
      return corrupt(path, expected,
                     "chunks do not tile the file: next chunk at " + std::to_string(chunk.offset) +
                         " of " + std::to_string(chunk.compressed_size) + " bytes");
    }
    expected += chunk.compressed_size;
  }
  if (expected != footer_offset) {
    return corrupt(path, expected,
                   "chunks end here but the footer starts at " + std::to_string(footer_offset));
  }
  return Status::ok();
}

// The verified, decompressed bytes of `chunk`, in this thread's scratch buffers:
// valid until the thread's next read_chunk. The stored bytes come from `ahead`
// (the file's bytes from `ahead_offset` on) when it holds them, else from a read
// of their own. `what()` names the chunk in errors; it is called only on an
// error, so that a healthy read builds no strings.
template <typename Name>
Result<std::string_view> read_chunk(const RandomAccessFile& file, const ChunkLocation& chunk,
                                    const Name& what, uint64_t ahead_offset = 0,
                                    std::string_view ahead = {}) {
  thread_local ScratchBuffer stored_buffer;
  thread_local ScratchBuffer raw_buffer;
  std::span<const char> stored;
  if (chunk.offset >= ahead_offset &&
      chunk.offset + chunk.compressed_size <= ahead_offset + ahead.size()) {
    stored =
        std::span<const char>(ahead.data() + (chunk.offset - ahead_offset), chunk.compressed_size);
  } else {
    const std::span<char> buffer = stored_buffer.get(chunk.compressed_size);
    TESSERA_RETURN_IF_ERROR(file.read_at(chunk.offset, buffer));
    stored = buffer;
  }
  const uint32_t computed_crc = crc32c(std::string_view(stored.data(), stored.size()));
  if (computed_crc != chunk.crc32c) {
    return corrupt(file.path(), chunk.offset,
                   what() + ": chunk checksum mismatch (stored " + hex32(chunk.crc32c) +
                       ", computed " + hex32(computed_crc) + ")");
  }
  if (chunk.encoding == segment_format::kEncodingVectors) {  // no second stage
    return std::string_view(stored.data(), stored.size());
  }
  // raw_size was bounded by kMaxChunkRawBytes at open.
  const std::span<char> raw = raw_buffer.get(chunk.raw_size);
  const size_t size = ZSTD_decompressDCtx(thread_decompression_context(), raw.data(), raw.size(),
                                          stored.data(), stored.size());
  if (ZSTD_isError(size)) {
    return corrupt(file.path(), chunk.offset,
                   what() + ": zstd decompression failed: " + ZSTD_getErrorName(size));
  }
  if (size != raw.size()) {
    return corrupt(file.path(), chunk.offset,
                   what() + ": decompressed to " + std::to_string(size) + " bytes, footer says " +
                       std::to_string(raw.size()));
  }
  return std::string_view(raw.data(), raw.size());
}

}  // namespace

Result<std::shared_ptr<const SegmentReader>> SegmentReader::open(
    const std::filesystem::path& path) {
  TESSERA_ASSIGN_OR_RETURN(std::unique_ptr<RandomAccessFile> file, RandomAccessFile::open(path));
  if (file->size_bytes() < segment_format::kHeaderBytes + segment_format::kTrailerBytes) {
    return corrupt(path, 0,
                   "segment of " + std::to_string(file->size_bytes()) +
                       " bytes is shorter than a header and trailer");
  }
  TESSERA_ASSIGN_OR_RETURN(const uint32_t version, check_header(*file));
  TESSERA_ASSIGN_OR_RETURN(Trailer trailer, read_trailer(*file, version));

  std::string footer;
  TESSERA_RETURN_IF_ERROR(file->read_at(trailer.footer_offset, trailer.footer_size, &footer));
  const uint32_t computed_crc = crc32c(footer);
  if (computed_crc != trailer.footer_crc) {
    return corrupt(path, trailer.footer_offset,
                   "footer checksum mismatch (stored " + hex32(trailer.footer_crc) + ", computed " +
                       hex32(computed_crc) + ")");
  }
  // FlatBuffers wants its buffer 8-byte aligned; a std::string does not promise that.
  std::vector<uint64_t> aligned;
  TESSERA_ASSIGN_OR_RETURN(const size_t footer_bytes,
                           unpack_footer(path, trailer.footer_offset, version, footer, &aligned));
  const auto* buffer = reinterpret_cast<const uint8_t*>(aligned.data());
  // Every table takes at least 4 bytes, so this bound never rejects an honest footer.
  flatbuffers::Verifier verifier(buffer, footer_bytes, /*max_depth=*/16,
                                 /*max_tables=*/static_cast<uint32_t>(footer_bytes / 4 + 1));
  if (!fb::VerifySegmentFooterBuffer(verifier)) {
    return corrupt(path, trailer.footer_offset, "footer fails FlatBuffers verification");
  }
  const fb::SegmentFooter* root = fb::GetSegmentFooter(buffer);
  const uint64_t at = trailer.footer_offset;  // where footer field errors point

  std::shared_ptr<SegmentReader> reader(new SegmentReader(std::move(file)));
  reader->version_ = version;
  const size_t block_count = root->blocks() == nullptr ? 0 : root->blocks()->size();
  if (block_count > segment_format::kMaxBlocksPerSegment) {
    return corrupt(path, at, std::to_string(block_count) + " blocks exceed the limit");
  }
  std::vector<ChunkLocation> all_chunks;
  reader->blocks_.resize(block_count);
  for (size_t b = 0; b < block_count; ++b) {
    const fb::BlockMeta& meta = *root->blocks()->Get(static_cast<flatbuffers::uoffset_t>(b));
    BlockEntry& entry = reader->blocks_[b];
    const std::string where = "block " + std::to_string(b);
    const uint64_t rows = meta.row_count();
    if (rows == 0 || rows > segment_format::kMaxBlockRows) {
      return corrupt(path, at, where + ": row count " + std::to_string(rows) + " out of range");
    }
    if (meta.min_time_ns() > meta.max_time_ns()) {
      return corrupt(path, at, where + ": min time above max time");
    }
    entry.stats.row_count = rows;
    entry.stats.min_time_ns = meta.min_time_ns();
    entry.stats.max_time_ns = meta.max_time_ns();
    TESSERA_RETURN_IF_ERROR(check_chunk(path, at, version, *meta.time_chunk(), rows * 8, rows * 8,
                                        where + " time", &entry.time_chunk));
    all_chunks.push_back(entry.time_chunk);

    const size_t column_count = meta.columns() == nullptr ? 0 : meta.columns()->size();
    if (column_count > segment_format::kMaxColumnsPerBlock) {
      return corrupt(path, at,
                     where + ": " + std::to_string(column_count) + " columns exceed the limit");
    }
    std::unordered_set<std::string_view> names;
    for (size_t c = 0; c < column_count; ++c) {
      const fb::ColumnMeta& column = *meta.columns()->Get(static_cast<flatbuffers::uoffset_t>(c));
      const std::string_view name = column.name()->string_view();
      const std::string column_where = where + " column " + std::to_string(c);
      if (name.size() > segment_format::kMaxColumnNameBytes || !names.insert(name).second) {
        return corrupt(path, at, column_where + ": name too long or repeated");
      }
      if (!is_known_type(column.type())) {
        return corrupt(path, at, column_where + ": unknown type " + std::to_string(column.type()));
      }
      const auto type = static_cast<ColumnType>(column.type());
      ColumnStats stats = to_stats(*column.stats(), version);
      if (stats.null_count > rows) {
        return corrupt(path, at, column_where + ": null count above row count");
      }
      uint64_t min_raw = 0;
      uint64_t max_raw = segment_format::kMaxChunkRawBytes;
      if (type == ColumnType::kString) {
        // has_nulls, bitmap?, dictionary count, one code per row.
        min_raw = fixed_column_chunk_bytes(ColumnType::kInt64, rows, stats.null_count > 0) -
                  8 * rows + 4 + 4 * rows;
      } else {
        min_raw = max_raw = fixed_column_chunk_bytes(type, rows, stats.null_count > 0);
      }
      ChunkLocation chunk;
      TESSERA_RETURN_IF_ERROR(
          check_chunk(path, at, version, *column.chunk(), min_raw, max_raw, column_where, &chunk));
      all_chunks.push_back(chunk);
      entry.column_chunks.push_back(chunk);
      entry.stats.column_names.emplace_back(name);
      entry.stats.column_types.push_back(type);
      entry.stats.columns.push_back(std::move(stats));
    }
  }
  TESSERA_RETURN_IF_ERROR(check_tiling(path, std::move(all_chunks), trailer.footer_offset));
  std::vector<const BlockStats*> block_stats;
  block_stats.reserve(block_count);
  for (const BlockEntry& entry : reader->blocks_) block_stats.push_back(&entry.stats);
  reader->totals_ = total_of(block_stats);
  return std::shared_ptr<const SegmentReader>(std::move(reader));
}

SegmentReader::ReadAhead SegmentReader::read_ahead(size_t i, std::span<const size_t> columns,
                                                   bool with_time) const {
  thread_local ScratchBuffer ahead_buffer;
  const BlockEntry& entry = blocks_[i];
  uint64_t begin = std::numeric_limits<uint64_t>::max();
  uint64_t end = 0;
  uint64_t wanted = 0;
  if (with_time) {
    begin = entry.time_chunk.offset;
    end = begin + entry.time_chunk.compressed_size;
    wanted = entry.time_chunk.compressed_size;
  }
  for (const size_t c : columns) {
    const ChunkLocation& chunk = entry.column_chunks[c];
    begin = std::min(begin, chunk.offset);
    end = std::max(end, chunk.offset + chunk.compressed_size);
    wanted += chunk.compressed_size;
  }
  if (columns.empty() || end - begin > 4 * wanted) return {};
  const std::span<char> bytes = ahead_buffer.get(static_cast<size_t>(end - begin));
  if (!file_->read_at(begin, bytes).is_ok()) return {};
  return {begin, std::string_view(bytes.data(), bytes.size())};
}

Result<std::vector<int64_t>> SegmentReader::read_time(size_t i, const ReadAhead& ahead) const {
  const BlockEntry& entry = blocks_[i];
  auto what = [i] { return "block " + std::to_string(i) + " time"; };
  TESSERA_ASSIGN_OR_RETURN(std::string_view raw,
                           read_chunk(*file_, entry.time_chunk, what, ahead.offset, ahead.bytes));
  auto time = entry.time_chunk.encoding == segment_format::kEncodingPlainZstd
                  ? decode_time_chunk(raw, entry.stats.row_count)
                  : decode_time_vectors(raw, entry.stats.row_count);
  if (!time.is_ok()) {
    return corrupt(path(), entry.time_chunk.offset, what() + ": " + time.error().message);
  }
  if (const auto [lo, hi] = min_max(*time);
      lo != entry.stats.min_time_ns || hi != entry.stats.max_time_ns) {
    return corrupt(path(), entry.time_chunk.offset, what() + ": range differs from the footer's");
  }
  return time;
}

Result<Column> SegmentReader::read_column(size_t i, size_t c, const ReadAhead& ahead) const {
  const BlockEntry& entry = blocks_[i];
  const ChunkLocation& chunk = entry.column_chunks[c];
  auto what = [&] {
    return "block " + std::to_string(i) + " column \"" + entry.stats.column_names[c] + "\"";
  };
  TESSERA_ASSIGN_OR_RETURN(std::string_view raw,
                           read_chunk(*file_, chunk, what, ahead.offset, ahead.bytes));
  const ColumnType type = entry.stats.column_types[c];
  const uint64_t rows = entry.stats.row_count;
  auto column = chunk.encoding == segment_format::kEncodingPlainZstd
                    ? decode_column_chunk(raw, type, rows)
                    : decode_column_vectors(raw, type, rows);
  if (!column.is_ok()) {
    return corrupt(path(), chunk.offset, what() + ": " + column.error().message);
  }
  const auto nulls =
      static_cast<uint64_t>(std::count(column->valid.begin(), column->valid.end(), uint8_t{0}));
  if (nulls != entry.stats.columns[c].null_count) {
    return corrupt(path(), chunk.offset,
                   what() + ": " + std::to_string(nulls) + " NULLs but the footer says " +
                       std::to_string(entry.stats.columns[c].null_count));
  }
  return column;
}

Result<Block> SegmentReader::read_block(size_t i) const {
  const BlockEntry& entry = blocks_[i];
  std::vector<size_t> every(entry.column_chunks.size());
  std::iota(every.begin(), every.end(), size_t{0});
  return read_block_columns(i, every, /*with_time=*/true);
}

Result<Block> SegmentReader::read_columns(size_t i, std::span<const std::string> names,
                                          bool with_time) const {
  const BlockEntry& entry = blocks_[i];
  // In block order, each stored column at most once, whatever the order or
  // repetitions of `names`.
  std::vector<size_t> wanted;
  for (size_t c = 0; c < entry.column_chunks.size(); ++c) {
    const std::string& name = entry.stats.column_names[c];
    if (std::find(names.begin(), names.end(), name) != names.end()) wanted.push_back(c);
  }
  return read_block_columns(i, wanted, with_time);
}

Result<Block> SegmentReader::read_block_columns(size_t i, std::span<const size_t> columns,
                                                bool with_time) const {
  const BlockEntry& entry = blocks_[i];
  // A block's chunks lie side by side: one read instead of one per chunk.
  const ReadAhead ahead = read_ahead(i, columns, with_time);
  Block block;
  if (with_time) {
    TESSERA_ASSIGN_OR_RETURN(block.time_ns, read_time(i, ahead));
  }
  for (const size_t c : columns) {
    TESSERA_ASSIGN_OR_RETURN(Column column, read_column(i, c, ahead));
    block.column_names.push_back(entry.stats.column_names[c]);
    block.columns.push_back(std::move(column));
  }
  return block;
}

Result<std::string> SegmentReader::read_chunk_bytes(const ChunkLocation& chunk) const {
  TESSERA_ASSIGN_OR_RETURN(std::string_view raw, read_chunk(*file_, chunk, [&] {
                             return "chunk at " + std::to_string(chunk.offset);
                           }));
  return std::string(raw);
}

}  // namespace tessera::storage
