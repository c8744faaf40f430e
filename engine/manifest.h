// Manifest: the durable list of what a data directory holds — the catalog (table
// schemas), the segment files, and the first write-ahead-log file still needed.
// Replaced atomically (write-new, fsync, rename, fsync dir) after every flush.
// Layout: docs/format/manifest.md.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "engine/table_schema.h"
#include "storage/base/status.h"

namespace tessera::engine {

struct ManifestSegment {
  std::string table;
  int64_t partition_start_ns = 0;
  std::string file_name;  // relative to <data>/segments/
  // Rows sorted by the table's sort key (engine/partition_sort.h) and free of
  // duplicate dedup keys: written by a sorted flush or by compaction.
  bool is_sorted = false;

  bool operator==(const ManifestSegment&) const = default;
};

struct Manifest {
  // Log files numbered below this are fully reflected in segments and may be deleted.
  uint64_t wal_start = 1;
  // The next number to give a log or segment file.
  uint64_t next_file_number = 1;
  std::vector<TableSchema> tables;
  std::vector<ManifestSegment> segments;
};

std::string encode_manifest(const Manifest& manifest);
// kCorruption naming the line on malformed or checksum-failing text.
Result<Manifest> decode_manifest(std::string_view text);

// One schema as manifest text lines ("table ..." then "column ..."); also the
// payload of a CREATE TABLE log record.
std::string encode_schema(const TableSchema& schema);
Result<TableSchema> decode_schema(std::string_view text);

}  // namespace tessera::engine
