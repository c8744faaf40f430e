// Writes the segment layout of docs/format/segment.md:
//   segment := header chunk* footer trailer
//   header  := "TSRASEG\0" | version u32
//   chunk   := per block: the time chunk, then one per column; version 2: a vector
//              chunk (vector_chunk.h), in a zstd frame when that saves enough;
//              version 1: zstd(plain chunk)
//   footer  := version 2: zstd frame of a FlatBuffers SegmentFooter; version 1: the
//              SegmentFooter itself
//   trailer := footer_offset u64 | footer_size u32 | footer_crc32c u32 | version u32 | magic
#include "storage/segment/segment_writer.h"

#include <unistd.h>
#include <zstd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <string>
#include <unordered_set>
#include <vector>

#include "storage/base/crc32c.h"
#include "storage/base/file_io.h"
#include "storage/base/little_endian.h"
#include "storage/segment/plain_chunk.h"
#include "storage/segment/segment_footer_generated.h"
#include "storage/segment/segment_format.h"
#include "storage/segment/vector_chunk.h"

namespace tessera::storage {
namespace {

// zstd's default level: fast to write, and decompression speed hardly depends on it.
constexpr int kZstdLevel = 3;

Error invalid(size_t block, std::string message) {
  return make_error(ErrorCode::kInvalidInput,
                    "segment block " + std::to_string(block) + ": " + std::move(message));
}

Status validate_block(const Block& block, size_t index) {
  const size_t rows = block.row_count();
  if (rows == 0) return invalid(index, "has no rows");
  if (rows > segment_format::kMaxBlockRows) {
    return make_error(ErrorCode::kLimitExceeded, "segment block " + std::to_string(index) + ": " +
                                                     std::to_string(rows) +
                                                     " rows exceed the limit of " +
                                                     std::to_string(segment_format::kMaxBlockRows));
  }
  if (block.column_names.size() != block.columns.size()) {
    return invalid(index, std::to_string(block.column_names.size()) + " names for " +
                              std::to_string(block.columns.size()) + " columns");
  }
  if (block.columns.size() > segment_format::kMaxColumnsPerBlock) {
    return make_error(ErrorCode::kLimitExceeded,
                      "segment block " + std::to_string(index) + ": " +
                          std::to_string(block.columns.size()) + " columns exceed the limit of " +
                          std::to_string(segment_format::kMaxColumnsPerBlock));
  }
  std::unordered_set<std::string_view> names;
  for (size_t c = 0; c < block.columns.size(); ++c) {
    const std::string& name = block.column_names[c];
    const Column& column = block.columns[c];
    const std::string where = "column \"" + name + "\": ";
    if (name.size() > segment_format::kMaxColumnNameBytes) {
      return make_error(ErrorCode::kLimitExceeded,
                        "segment block " + std::to_string(index) + ": column name of " +
                            std::to_string(name.size()) + " bytes exceeds the limit of " +
                            std::to_string(segment_format::kMaxColumnNameBytes));
    }
    if (!names.insert(name).second) return invalid(index, where + "appears twice");
    switch (column.type) {
      case ColumnType::kInt64:
      case ColumnType::kFloat64:
      case ColumnType::kBool:
      case ColumnType::kString:
        break;
      default:
        return invalid(index,
                       where + "unknown type " + std::to_string(static_cast<int>(column.type)));
    }
    if (column.size() != rows) {
      return invalid(index, where + std::to_string(column.size()) + " values for " +
                                std::to_string(rows) + " rows");
    }
    if (!column.valid.empty() && column.valid.size() != rows) {
      return invalid(index, where + "validity of " + std::to_string(column.valid.size()) +
                                " entries for " + std::to_string(rows) + " rows");
    }
    for (size_t row = 0; row < column.bools.size() && column.type == ColumnType::kBool; ++row) {
      if (column.bools[row] > 1) return invalid(index, where + "bool value is not 0 or 1");
    }
    if (column.type == ColumnType::kString) {
      if (column.dictionary.size() > UINT32_MAX)
        return invalid(index, where + "dictionary too large");
      for (uint32_t code : column.codes) {
        if (code >= column.dictionary.size()) {
          return invalid(index, where + "string code " + std::to_string(code) +
                                    " >= dictionary size " +
                                    std::to_string(column.dictionary.size()));
        }
      }
    }
  }
  return Status::ok();
}

// One zstd compression context per thread, reused: ZSTD_compress creates and
// initialises one per chunk (about 250 KB of tables for a 9 KB chunk at level 3,
// ZSTD_sizeof_CCtx), and a flush compresses a chunk per column per block. The
// output is the same bytes.
ZSTD_CCtx* thread_compression_context() {
  struct Context {
    ZSTD_CCtx* cctx = ZSTD_createCCtx();
    ~Context() { ZSTD_freeCCtx(cctx); }
  };
  thread_local Context context;
  return context.cctx;
}

Result<std::string> zstd_compress(std::string_view raw) {
  ZSTD_CCtx* cctx = thread_compression_context();
  if (cctx == nullptr) {
    return make_error(ErrorCode::kInternal, "zstd compression context could not be created");
  }
  std::string compressed(ZSTD_compressBound(raw.size()), '\0');
  const size_t size = ZSTD_compressCCtx(cctx, compressed.data(), compressed.size(), raw.data(),
                                        raw.size(), kZstdLevel);
  if (ZSTD_isError(size)) {
    return make_error(ErrorCode::kInternal,
                      std::string("zstd compression failed: ") + ZSTD_getErrorName(size));
  }
  compressed.resize(size);
  return compressed;
}

// Compresses (version 1 always; version 2 when zstd saves kZstdMinSavingsPercent),
// checksums and appends one chunk; returns where it went.
Result<fb::ChunkRef> append_chunk(AppendFile* file, uint32_t version, const std::string& raw,
                                  size_t block, std::string_view column) {
  if (raw.size() > segment_format::kMaxChunkRawBytes) {
    return make_error(ErrorCode::kLimitExceeded,
                      "segment block " + std::to_string(block) + " column \"" +
                          std::string(column) + "\": encoded size " + std::to_string(raw.size()) +
                          " exceeds the chunk limit of " +
                          std::to_string(segment_format::kMaxChunkRawBytes));
  }
  TESSERA_ASSIGN_OR_RETURN(std::string compressed, zstd_compress(raw));
  uint8_t encoding = segment_format::kEncodingPlainZstd;
  const std::string* stored = &compressed;
  if (version != segment_format::kVersion1) {
    const bool is_worth_it =
        compressed.size() * 100 <= raw.size() * (100 - segment_format::kZstdMinSavingsPercent);
    encoding =
        is_worth_it ? segment_format::kEncodingVectorsZstd : segment_format::kEncodingVectors;
    if (!is_worth_it) stored = &raw;
  }
  const uint64_t offset = file->size_bytes();
  TESSERA_RETURN_IF_ERROR(file->append(*stored));
  return fb::ChunkRef(offset, static_cast<uint32_t>(stored->size()),
                      static_cast<uint32_t>(raw.size()), crc32c(*stored), encoding);
}

flatbuffers::Offset<fb::ColumnStats> build_stats(flatbuffers::FlatBufferBuilder* builder,
                                                 uint32_t version, const ColumnStats& stats) {
  auto min_string = builder->CreateString(stats.min_string);
  auto max_string = builder->CreateString(stats.max_string);
  flatbuffers::Offset<flatbuffers::Vector<uint8_t>> sketch;
  if (version != segment_format::kVersion1 && !stats.quantile_sketch.empty()) {
    sketch = builder->CreateVector(reinterpret_cast<const uint8_t*>(stats.quantile_sketch.data()),
                                   stats.quantile_sketch.size());
  }
  fb::ColumnStatsBuilder fb_stats(*builder);
  fb_stats.add_null_count(stats.null_count);
  fb_stats.add_has_min_max(stats.has_min_max);
  fb_stats.add_min_int(stats.min_int);
  fb_stats.add_max_int(stats.max_int);
  fb_stats.add_min_float(stats.min_float);
  fb_stats.add_max_float(stats.max_float);
  fb_stats.add_min_string(min_string);
  fb_stats.add_max_string(max_string);
  if (version != segment_format::kVersion1) {  // version 1 has no sum fields
    fb_stats.add_has_sum(stats.has_sum);
    fb_stats.add_sum_int_exact(stats.sum_int_exact);
    fb_stats.add_sum_int(stats.sum_int);
    fb_stats.add_sum_float(stats.sum_float);
    if (!sketch.IsNull()) fb_stats.add_quantile_sketch(sketch);
  }
  return fb_stats.Finish();
}

Status write_body(AppendFile* file, std::span<const Block> blocks, uint32_t version) {
  std::string header(segment_format::kMagic);
  append_u32(&header, version);
  TESSERA_RETURN_IF_ERROR(file->append(header));

  flatbuffers::FlatBufferBuilder builder;
  // Without this, fields equal to their default are omitted, and a -0.0 min_float
  // (== 0.0) would read back as +0.0.
  builder.ForceDefaults(true);
  std::vector<flatbuffers::Offset<fb::BlockMeta>> block_metas;
  for (size_t b = 0; b < blocks.size(); ++b) {
    const Block& block = blocks[b];
    BlockStats stats = compute_stats(block);
    if (version != segment_format::kVersion1) add_quantile_sketches(block, &stats);
    const bool is_v1 = version == segment_format::kVersion1;
    TESSERA_ASSIGN_OR_RETURN(
        fb::ChunkRef time_chunk,
        append_chunk(file, version,
                     is_v1 ? encode_time_chunk(block.time_ns) : encode_time_vectors(block.time_ns),
                     b, "time"));
    std::vector<flatbuffers::Offset<fb::ColumnMeta>> column_metas;
    for (size_t c = 0; c < block.columns.size(); ++c) {
      TESSERA_ASSIGN_OR_RETURN(fb::ChunkRef chunk,
                               append_chunk(file, version,
                                            is_v1 ? encode_column_chunk(block.columns[c])
                                                  : encode_column_vectors(block.columns[c]),
                                            b, block.column_names[c]));
      auto name = builder.CreateString(block.column_names[c]);
      auto column_stats = build_stats(&builder, version, stats.columns[c]);
      column_metas.push_back(fb::CreateColumnMeta(
          builder, name, static_cast<uint8_t>(block.columns[c].type), &chunk, column_stats));
    }
    auto columns = builder.CreateVector(column_metas);
    block_metas.push_back(fb::CreateBlockMeta(builder, stats.row_count, stats.min_time_ns,
                                              stats.max_time_ns, &time_chunk, columns));
  }
  builder.Finish(fb::CreateSegmentFooter(builder, builder.CreateVector(block_metas)));
  if (builder.GetSize() > segment_format::kMaxFooterBytes) {
    return make_error(ErrorCode::kLimitExceeded,
                      "segment footer of " + std::to_string(builder.GetSize()) +
                          " bytes exceeds the limit of " +
                          std::to_string(segment_format::kMaxFooterBytes));
  }
  const std::string_view flatbuffer(reinterpret_cast<const char*>(builder.GetBufferPointer()),
                                    builder.GetSize());
  // Version 2 stores the footer in a zstd frame: per block and column it repeats
  // names, vtables and near-equal statistics, and compresses about 5:1, which
  // on small tenant-pure blocks is a tenth of the file.
  std::string compressed_footer;
  if (version != segment_format::kVersion1) {
    TESSERA_ASSIGN_OR_RETURN(compressed_footer, zstd_compress(flatbuffer));
  }
  const std::string_view footer =
      version == segment_format::kVersion1 ? flatbuffer : std::string_view(compressed_footer);
  const uint64_t footer_offset = file->size_bytes();
  TESSERA_RETURN_IF_ERROR(file->append(footer));

  std::string trailer;
  append_u64(&trailer, footer_offset);
  append_u32(&trailer, static_cast<uint32_t>(footer.size()));
  append_u32(&trailer, crc32c(footer));
  append_u32(&trailer, version);
  trailer += segment_format::kMagic;
  TESSERA_RETURN_IF_ERROR(file->append(trailer));
  return file->sync();
}

}  // namespace

Status write_segment(const std::filesystem::path& path, std::span<const Block> blocks) {
  return write_segment(path, blocks, SegmentWriteOptions{});
}

Status write_segment(const std::filesystem::path& path, std::span<const Block> blocks,
                     const SegmentWriteOptions& options) {
  if (options.version != segment_format::kVersion && options.version != segment_format::kVersion1) {
    return make_error(ErrorCode::kInvalidInput, path.string() + ": cannot write segment version " +
                                                    std::to_string(options.version));
  }
  if (blocks.size() > segment_format::kMaxBlocksPerSegment) {
    return make_error(ErrorCode::kLimitExceeded,
                      path.string() + ": " + std::to_string(blocks.size()) +
                          " blocks exceed the segment limit of " +
                          std::to_string(segment_format::kMaxBlocksPerSegment));
  }
  for (size_t b = 0; b < blocks.size(); ++b) TESSERA_RETURN_IF_ERROR(validate_block(blocks[b], b));

  std::filesystem::path tmp = path;
  tmp += ".tmp";
  std::error_code ignored;
  std::filesystem::remove(tmp, ignored);  // left over from a crash mid-write
  Status status;
  {
    auto file = AppendFile::create(tmp);
    if (!file.is_ok()) return file.status();
    status = write_body(file->get(), blocks, options.version);
  }
  // link() rather than rename(): it refuses to replace an existing segment.
  if (status.is_ok() && ::link(tmp.c_str(), path.c_str()) != 0) {
    const int err = errno;
    status = make_error(ErrorCode::kIoError, "link " + tmp.string() + " to " + path.string() +
                                                 ": " + std::strerror(err));
  }
  std::filesystem::remove(tmp, ignored);
  if (!status.is_ok()) return status;
  std::filesystem::path dir = path.parent_path();
  return fsync_directory(dir.empty() ? std::filesystem::path(".") : dir);
}

}  // namespace tessera::storage
