// IngestDriver: N ingest connections, each on its own thread, sending blocks
// of line-protocol lines from a shared LineBlockSource, each block followed by
// `#sync <n>`, at a target total rate or as fast as possible. One block is in
// flight per connection: the connection waits for the block's `ok` before
// sending the next, and the time from handing `#sync` to the socket (after the
// block's bytes) to reading its `ok` is the block's ack latency.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "server/loadgen/dashboard_driver.h"
#include "server/loadgen/latency_stats.h"
#include "server/loadgen/line_block_source.h"
#include "storage/base/status.h"

namespace tessera::loadgen {

struct IngestOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 9009;
  std::optional<std::string> token;  // sent as `#auth <token>` first
  uint32_t connections = 1;
  uint64_t sync_every_rows = 10'000;
  double rate_rows_per_s = 0;  // total over all connections; 0: as fast as possible
};

inline constexpr uint32_t kMaxIngestConnections = 256;

class IngestDriver {
 public:
  // `source` must outlive the driver.
  IngestDriver(IngestOptions options, LineBlockSource& source);
  ~IngestDriver();  // joins

  // Connects every connection, then starts their threads; they run until
  // `stop` is true or the source runs dry. Syncs sent before `measure_from`
  // are not recorded. Errors: kUnavailable (cannot connect), kInvalidInput
  // (connection count out of range).
  Status start(const std::atomic<bool>& stop, Clock::time_point measure_from);
  void join();
  // True once every connection has finished (source dry, stop, or error).
  bool is_done() const { return running_.load() == 0; }

  // Rows acknowledged (accepted) in recorded syncs; live, for progress lines.
  uint64_t rows_acked() const { return rows_acked_.load(std::memory_order_relaxed); }
  uint64_t rows_rejected() const { return rows_rejected_.load(std::memory_order_relaxed); }
  // Ack latencies ("ingest_ack"); errors are refused syncs, broken
  // connections and unreadable data. Requires: join() returned.
  KindStats results() const;

 private:
  void connection_loop(size_t index, const std::atomic<bool>& stop, Clock::time_point measure_from);

  IngestOptions options_;
  LineBlockSource& source_;
  struct Connections;
  std::unique_ptr<Connections> connections_;
  std::vector<KindStats> per_connection_;
  std::vector<std::thread> threads_;
  std::atomic<uint64_t> rows_acked_{0}, rows_rejected_{0};
  std::atomic<uint32_t> running_{0};
};

}  // namespace tessera::loadgen
