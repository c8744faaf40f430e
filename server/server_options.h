// ServerOptions: where the server listens, who may connect, and the named limits
// of both ports (docs/protocol/errors.md lists the error of each limit).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "server/auth/token_table.h"

namespace tessera::server {

struct ServerLimits {
  // Ingest: longer lines are rejected ("line exceeds N bytes") and skipped.
  size_t max_line_bytes = size_t{1} << 20;
  // Query port: longer statements get `ERR limit` and are skipped.
  size_t max_statement_bytes = size_t{1} << 20;
  // Both ports together; extra connections get one error line and are closed.
  size_t max_connections = 1024;
  // Connections from one peer address (both ports together); 0: no limit.
  size_t max_connections_per_peer = 64;
  // Failed AUTH / #auth attempts per peer address within auth_failure_window;
  // further attempts are refused without comparing tokens until the oldest
  // counted failure is a window old. 0: no rate limiting.
  size_t max_auth_failures = 5;
  std::chrono::milliseconds auth_failure_window{60'000};
  // A connection with no bytes received for this long is closed (not while the
  // server is working on its input).
  std::chrono::milliseconds idle_timeout{300'000};
  // With a tokens file: a connection not authenticated this long after it was
  // accepted (or after a failed AUTH ended its authentication) is closed, the query
  // port first sending `ERR auth authentication timeout`.
  std::chrono::milliseconds auth_timeout{10'000};
  // Data lines handed to the engine in one write.
  size_t max_batch_lines = 10'000;
  // Bytes read from a socket at once: with the batch, bounds a session's memory.
  size_t read_buffer_bytes = 256 * 1024;
  // Per query (query::QueryContext).
  size_t max_result_rows = 1'000'000;
  size_t max_query_memory_bytes = size_t{1} << 30;
  std::chrono::milliseconds query_timeout{30'000};
  // After SIGTERM: how long sessions get to finish their input before being closed.
  std::chrono::milliseconds shutdown_grace{5'000};
};

struct ServerOptions {
  std::string bind_address = "127.0.0.1";
  uint16_t ingest_port = 9009;  // 0: any free port
  uint16_t query_port = 9010;   // 0: any free port
  // Null: no authentication, and only a loopback bind_address is allowed.
  std::shared_ptr<const TokenTable> tokens;
  ServerLimits limits;
  // Stop on SIGINT / SIGTERM (for `tessera serve`; off for in-process servers).
  bool handle_signals = false;
  int io_threads = 2;
  // Threads running ingest's engine calls (parse, apply, fsync): a pool of their
  // own, so that acknowledgements never wait for a free query thread.
  int write_threads = 2;
  // Threads serving query sessions (QueryThreads), each running the queries its
  // sessions read; a new session goes to the thread serving the fewest. More than
  // cores: a query whose scan runs on the background scan threads waits on its
  // thread meanwhile, holding up that thread's other sessions, so eight dashboard
  // clients should each find a thread of their own.
  // Not many more: each thread's malloc arena grows on its first big query, and 16
  // threads made that first-run cost show in the p95 of Q5b (docs/performance.md).
  int query_threads = 8;
  // Threads that help one query scan its blocks on more cores (query::ScanWorkers),
  // shared by all queries; -1: one fewer than the machine's hardware threads. None by
  // default: with eight dashboard clients and ingest on two cores, a query waited for
  // the range a preempted helper had started, and one-tenant queries' p95 was 1.4-1.8
  // ms with one helper against 0.56-0.59 ms without (docs/performance.md). Scans big
  // enough for the background threads still use every core.
  int scan_threads = 0;
  // A query scanning at least this many rows runs its scan on the background scan
  // threads (one per hardware thread, at nice +10: short queries and ingest go
  // first), its query thread waiting; 0: no background scans.
  uint64_t background_scan_rows = 500'000;
  // Called once on the io thread when shutdown begins (stop() or a signal), e.g. to
  // start the shutdown deadline of `tessera serve`. Must not block.
  std::function<void()> on_shutdown_begin;
};

}  // namespace tessera::server
