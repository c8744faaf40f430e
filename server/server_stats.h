// ServerStats: counters reported by the STATS statement. Thread-safe (atomics).
#pragma once

#include <atomic>
#include <cstdint>

#include "engine/engine.h"
#include "query/value.h"

namespace tessera::server {

struct ServerStats {
  std::atomic<uint64_t> connections_open{0};
  std::atomic<uint64_t> connections_total{0};
  std::atomic<uint64_t> connections_refused{0};  // over max_connections
  std::atomic<uint64_t> lines_accepted{0};
  std::atomic<uint64_t> lines_rejected{0};
  std::atomic<uint64_t> syncs{0};
  std::atomic<uint64_t> queries{0};
  std::atomic<uint64_t> query_errors{0};
  std::atomic<uint64_t> session_failures{0};  // sessions ended by an internal error
};

// The STATS reply: columns `counter`, `value`; one row per counter above, then
// the engine's counters prefixed "engine_".
query::ResultSet stats_result(const ServerStats& stats, const engine::EngineStats& engine_stats);

}  // namespace tessera::server
