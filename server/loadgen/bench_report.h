// The result of a `tessera bench` run and its two renderings: an aligned
// text table for people and JSON for scripts (docs/performance.md).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "server/loadgen/latency_stats.h"

namespace tessera::loadgen {

struct BenchResult {
  std::string mode;                // "duration" (closed loop for a time) or "fixed" (PEERS method)
  double seconds = 0;              // length of the measured window (fixed: the whole run)
  std::vector<KindStats> queries;  // one per query kind, in mix order
  std::optional<KindStats> ingest_acks;
  uint64_t ingest_rows = 0;   // accepted rows in the measured window
  double ingest_seconds = 0;  // the part of the window ingest was running (data may run out)
  uint64_t ingest_rejected = 0;
  // Settings echoed into the JSON ("clients" -> "4"), in order.
  std::vector<std::pair<std::string, std::string>> settings;
};

// Columns: kind, count, errors, per_s, p50/p95/p99/max in ms; a row per query
// kind, an "all queries" row, then the ingest rows/s and ack latencies.
std::string format_table(const BenchResult& result);

// One JSON object: {"mode", "seconds", "settings": {...}, "queries": [{"name",
// "count", "errors", "per_s", "p50_ms", "p95_ms", "p99_ms", "max_ms",
// "mean_ms", "first_error"}...], "ingest": {"rows", "rejected", "rows_per_s",
// "acks": {...same fields...}} or null}.
std::string format_json(const BenchResult& result);

}  // namespace tessera::loadgen
