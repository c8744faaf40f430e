// What a data directory stores, for `tessera inspect`: tables, partitions, blocks,
// and per column the encoding, stored bytes and compression. Reads the files
// without opening the engine (no lock taken), so it works beside a running server.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "storage/base/status.h"

namespace tessera::engine {

struct ColumnStorage {
  std::string name;
  std::string type;  // INT, FLOAT, BOOL, STRING; TIME for the time column
  // Chunk encodings with their chunk counts, e.g. "vectors:3, vectors+zstd:1"
  // (or "plain+zstd:2" for version-1 segments).
  std::string encoding;
  // Encodings of the 1024-value vectors inside vector chunks with their counts,
  // e.g. "delta:8, run_length:2"; empty for plain chunks and BOOL bitmaps.
  std::string vector_encodings;
  uint64_t values = 0;
  uint64_t null_values = 0;
  uint64_t stored_bytes = 0;  // in segment files
  uint64_t raw_bytes = 0;     // the chunk layout before any zstd stage
  // The raw baseline for the compression ratio: 8 bytes per value (time, INT,
  // FLOAT, BOOL), 4 per dictionary code for STRING.
  uint64_t baseline_bytes = 0;
  std::map<std::string, uint64_t> chunk_encoding_counts;
  std::map<std::string, uint64_t> vector_encoding_counts;
};

struct TableStorage {
  std::string name;
  uint64_t partitions = 0, segments = 0, blocks = 0, rows = 0;
  uint64_t segment_bytes = 0;          // whole files: chunks, footers, headers
  std::vector<ColumnStorage> columns;  // time first, then by name
};

struct DataDirReport {
  std::vector<TableStorage> tables;
  uint64_t wal_files = 0, wal_bytes = 0;
  // Files that could not be read (corrupt or missing), each with its reason; the rest
  // of the report still describes everything else.
  std::vector<std::string> problems;
};

// kNotFound when `dir` has no MANIFEST and no log; kCorruption for a bad MANIFEST.
Result<DataDirReport> inspect_data_dir(const std::filesystem::path& dir);

}  // namespace tessera::engine
