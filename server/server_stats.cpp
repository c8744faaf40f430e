#include "server/server_stats.h"

namespace tessera::server {

query::ResultSet stats_result(const ServerStats& stats, const engine::EngineStats& engine_stats) {
  query::ResultSet result;
  result.columns = {"counter", "value"};
  auto add = [&result](const char* name, uint64_t value) {
    result.rows.push_back({std::string(name), static_cast<int64_t>(value)});
  };
  add("connections_open", stats.connections_open.load());
  add("connections_total", stats.connections_total.load());
  add("connections_refused", stats.connections_refused.load());
  add("lines_accepted", stats.lines_accepted.load());
  add("lines_rejected", stats.lines_rejected.load());
  add("syncs", stats.syncs.load());
  add("queries", stats.queries.load());
  add("query_errors", stats.query_errors.load());
  add("session_failures", stats.session_failures.load());
  add("engine_rows_written", engine_stats.rows_written);
  add("engine_lines_rejected", engine_stats.lines_rejected);
  add("engine_flushes", engine_stats.flushes);
  add("engine_segments", engine_stats.segments);
  add("engine_wal_syncs", engine_stats.wal_syncs);
  add("engine_head_rows", engine_stats.head_rows);
  return result;
}

}  // namespace tessera::server
