// QueryContext: who runs a statement and under which limits. Built by the server
// from the session's authenticated token (or by an embedded caller), never from
// the statement text.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace tessera::query {

class ScanWorkers;

enum class Role {
  kAdmin,    // reads everything, DDL
  kService,  // reads and writes everything
  kWriter,   // writes only
  kReader,   // reads only its tenant's rows
};

struct QueryContext {
  Role role = Role::kAdmin;
  // For kReader (and tenant-scoped writers): the only tenant whose rows are visible.
  std::optional<std::string> tenant;
  // What now() means for this statement, UTC nanoseconds.
  int64_t now_ns = 0;
  size_t max_result_rows = 1'000'000;
  // Values gathered for exact percentiles and raw rows, summed over the query.
  size_t max_memory_bytes = size_t{1} << 30;
  std::chrono::milliseconds timeout{30'000};
  // Threads that may help scan a query's blocks; null: the calling thread scans
  // alone. Must outlive the statement.
  ScanWorkers* scan_workers = nullptr;
  // With scan_workers: a scan is split into ranges of blocks of at least this many
  // rows (a block answered from statistics counts as 64), so that what a range
  // saves outweighs the hand-over to another thread and the merge of its groups.
  // A scan in ranges whose exact percentiles gathered at least this many values
  // computes them on the same threads, a group per task.
  uint64_t min_rows_per_scan_range = 32'768;
  // Threads for big scans, running at a lower priority than the query threads and
  // ingest, so that short queries are not slowed by them; null: none. A scan of at
  // least background_scan_rows rows runs there in ranges, its thread waiting.
  ScanWorkers* background_workers = nullptr;
  uint64_t background_scan_rows = 500'000;
};

}  // namespace tessera::query
