// DashboardDriver: M dashboard clients, each on its own query connection and
// thread, issuing the query mix closed-loop (next statement when the previous
// reply is read, after an optional think time) and timing each statement by
// client wall time: from handing the line to the socket to reading the last
// line of the reply.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "server/loadgen/latency_stats.h"
#include "server/loadgen/query_mix.h"
#include "storage/base/status.h"

namespace tessera::loadgen {

using Clock = std::chrono::steady_clock;

struct DashboardOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 9010;
  std::optional<std::string> token;  // sent as AUTH first
  uint32_t clients = 1;
  std::chrono::milliseconds think{0};
};

// Most dashboard clients of one run: each is a thread.
inline constexpr uint32_t kMaxDashboardClients = 1024;

class DashboardDriver {
 public:
  // Requires: kinds is not empty.
  DashboardDriver(DashboardOptions options, std::vector<QueryKind> kinds);
  ~DashboardDriver();  // joins

  // Connects every client (and authenticates), then starts their threads.
  // Statements that start before `measure_from` are not recorded. The threads
  // run until `stop` becomes true. Errors: kUnavailable (cannot connect),
  // kPermissionDenied (AUTH refused), kInvalidInput (too many clients).
  Status start(const std::atomic<bool>& stop, Clock::time_point measure_from);
  void join();

  // Recorded statements so far (successes and errors), for progress lines.
  uint64_t completed() const { return completed_.load(std::memory_order_relaxed); }
  uint64_t errors() const { return errors_.load(std::memory_order_relaxed); }
  // One entry per kind, in mix order. Requires: join() returned.
  std::vector<KindStats> results() const;

  // PEERS.md's method: one client, for each kind in turn `warmups` unrecorded
  // runs then `runs` recorded ones, sequentially. Errors as start().
  static Result<std::vector<KindStats>> run_fixed_count(const DashboardOptions& options,
                                                        const std::vector<QueryKind>& kinds,
                                                        uint32_t runs, uint32_t warmups);

 private:
  void client_loop(size_t client, const std::atomic<bool>& stop, Clock::time_point measure_from);

  DashboardOptions options_;
  std::vector<QueryKind> kinds_;
  std::vector<std::vector<KindStats>> per_client_;  // [client][kind], each owned by its thread
  std::vector<std::thread> threads_;
  std::atomic<uint64_t> completed_{0}, errors_{0};
  struct Connections;
  std::unique_ptr<Connections> connections_;
};

}  // namespace tessera::loadgen
