#include "engine/data_dir_inspector.h"

#include <algorithm>
#include <map>

#include "engine/data_dir_layout.h"
#include "engine/manifest.h"
#include "storage/base/file_io.h"
#include "storage/codec/codec_registry.h"
#include "storage/segment/segment_format.h"
#include "storage/segment/segment_reader.h"
#include "storage/segment/vector_chunk.h"

namespace tessera::engine {

namespace fs = std::filesystem;

namespace {

std::string encoding_name(uint8_t id) {
  namespace format = storage::segment_format;
  if (id == format::kEncodingPlainZstd) return "plain+zstd";
  if (id == format::kEncodingVectors) return "vectors";
  if (id == format::kEncodingVectorsZstd) return "vectors+zstd";
  return "encoding#" + std::to_string(id);
}

std::string join_counts(const std::map<std::string, uint64_t>& counts) {
  std::string out;
  for (const auto& [name, count] : counts) {
    out += (out.empty() ? "" : ", ") + name + ":" + std::to_string(count);
  }
  return out;
}

// Counts the chunk and, for vector chunks, each vector's encoding (reading the
// chunk; a chunk that cannot be read counts as "unreadable").
void add_chunk(ColumnStorage& column, const storage::SegmentReader& segment,
               const storage::SegmentReader::ChunkLocation& chunk, storage::ColumnType type,
               bool is_time, uint64_t values, uint64_t nulls) {
  column.values += values;
  column.null_values += nulls;
  column.stored_bytes += chunk.compressed_size;
  column.raw_bytes += chunk.raw_size;
  column.baseline_bytes += values * (type == storage::ColumnType::kString ? 4 : 8);
  ++column.chunk_encoding_counts[encoding_name(chunk.encoding)];
  column.encoding = join_counts(column.chunk_encoding_counts);
  if (chunk.encoding == storage::segment_format::kEncodingPlainZstd) return;
  auto raw = segment.read_chunk_bytes(chunk);
  auto ids = raw.is_ok() ? storage::list_vector_encodings(*raw, type, values, is_time)
                         : Result<std::vector<uint8_t>>(raw.error());
  if (!ids.is_ok()) {
    ++column.vector_encoding_counts["unreadable"];
  } else {
    for (uint8_t id : *ids) {
      ++column.vector_encoding_counts[std::string(
          storage::encoding_name(static_cast<storage::EncodingId>(id)))];
    }
  }
  column.vector_encodings = join_counts(column.vector_encoding_counts);
}

void add_segment(TableStorage& table, const storage::SegmentReader& segment,
                 std::map<std::string, ColumnStorage>& columns, ColumnStorage& time) {
  ++table.segments;
  table.segment_bytes += segment.size_bytes();
  for (size_t b = 0; b < segment.block_count(); ++b) {
    const storage::BlockStats& stats = segment.block_stats(b);
    ++table.blocks;
    table.rows += stats.row_count;
    add_chunk(time, segment, segment.time_chunk(b), storage::ColumnType::kInt64, true,
              stats.row_count, 0);
    for (size_t c = 0; c < stats.columns.size(); ++c) {
      ColumnStorage& column = columns[stats.column_names[c]];
      column.name = stats.column_names[c];
      column.type = std::string(storage::column_type_name(stats.column_types[c]));
      add_chunk(column, segment, segment.column_chunk(b, c), stats.column_types[c], false,
                stats.row_count, stats.columns[c].null_count);
    }
  }
}

}  // namespace

Result<DataDirReport> inspect_data_dir(const fs::path& dir) {
  DataDirReport report;
  std::error_code ec;
  if (fs::is_directory(dir / kLogDirName, ec)) {
    for (const auto& entry : fs::directory_iterator(dir / kLogDirName, ec)) {
      ++report.wal_files;
      report.wal_bytes += entry.file_size(ec);
    }
  }
  fs::path manifest_path = dir / kManifestFileName;
  if (!fs::exists(manifest_path, ec)) {
    if (report.wal_files == 0) {
      return make_error(ErrorCode::kNotFound, dir.string() + " is not a Tessera data directory");
    }
    return report;  // nothing flushed yet: all rows are still in the log
  }
  TESSERA_ASSIGN_OR_RETURN(std::string text, storage::read_file(manifest_path));
  auto manifest = decode_manifest(text);
  if (!manifest)
    return make_error(ErrorCode::kCorruption,
                      manifest_path.string() + ": " + manifest.error().message);

  for (const TableSchema& schema : manifest->tables) {
    TableStorage table;
    table.name = schema.name;
    ColumnStorage time;
    time.name = "time";
    time.type = "TIME";
    std::map<std::string, ColumnStorage> columns;
    std::vector<int64_t> partitions;
    for (const ManifestSegment& entry : manifest->segments) {
      if (entry.table != schema.name) continue;
      partitions.push_back(entry.partition_start_ns);
      auto segment = storage::SegmentReader::open(dir / kSegmentDirName / entry.file_name);
      if (!segment) {
        report.problems.push_back(schema.name + ": " + segment.error().message);
        continue;
      }
      add_segment(table, **segment, columns, time);
    }
    std::sort(partitions.begin(), partitions.end());
    table.partitions = std::unique(partitions.begin(), partitions.end()) - partitions.begin();
    table.columns.push_back(std::move(time));
    for (auto& [name, column] : columns) table.columns.push_back(std::move(column));
    report.tables.push_back(std::move(table));
  }
  return report;
}

}  // namespace tessera::engine
