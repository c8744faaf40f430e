#include "server/loadgen/dashboard_driver.h"

#include "server/client/query_client.h"
#include "server/client/tcp_client.h"

namespace tessera::loadgen {
namespace {

using server::QueryReply;
using server::TcpClient;

Result<std::unique_ptr<TcpClient>> connect_client(const DashboardOptions& options) {
  TESSERA_ASSIGN_OR_RETURN(auto client, TcpClient::connect(options.host, options.port));
  if (options.token) {
    TESSERA_ASSIGN_OR_RETURN(QueryReply reply,
                             server::run_statement(*client, "AUTH " + *options.token));
    if (!reply.is_ok) {
      return make_error(ErrorCode::kPermissionDenied,
                        "AUTH refused: ERR " + reply.error_code + " " + reply.error_message);
    }
  }
  return client;
}

// Runs one statement; records its wall time and the server's reported time in
// `stats` (or an error) when `record`. Returns the transport error, after which the connection is
// unusable.
Status timed_statement(TcpClient& client, const QueryKind& kind, KindStats& stats, bool record) {
  const auto start = Clock::now();
  auto reply = server::run_statement(client, kind.statement);
  const auto elapsed = Clock::now() - start;
  if (!reply.is_ok()) {
    if (record) stats.add_error("transport: " + reply.error().message);
    return reply.status();
  }
  if (!record) return Status::ok();
  if (!reply->is_ok) {
    stats.add_error("ERR " + reply->error_code + " " + reply->error_message);
  } else {
    stats.latency.record(static_cast<uint64_t>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(elapsed).count()));
    stats.server_latency.record(reply->elapsed_us * 1000);
  }
  return Status::ok();
}

std::vector<KindStats> empty_stats(const std::vector<QueryKind>& kinds) {
  std::vector<KindStats> stats(kinds.size());
  for (size_t i = 0; i < kinds.size(); ++i) stats[i].name = kinds[i].name;
  return stats;
}

}  // namespace

struct DashboardDriver::Connections {
  std::vector<std::unique_ptr<TcpClient>> clients;
};

DashboardDriver::DashboardDriver(DashboardOptions options, std::vector<QueryKind> kinds)
    : options_(std::move(options)),
      kinds_(std::move(kinds)),
      connections_(std::make_unique<Connections>()) {}

DashboardDriver::~DashboardDriver() { join(); }

Status DashboardDriver::start(const std::atomic<bool>& stop, Clock::time_point measure_from) {
  if (options_.clients == 0 || options_.clients > kMaxDashboardClients) {
    return make_error(ErrorCode::kInvalidInput,
                      "--clients: expected 1.." + std::to_string(kMaxDashboardClients));
  }
  for (uint32_t i = 0; i < options_.clients; ++i) {
    TESSERA_ASSIGN_OR_RETURN(auto client, connect_client(options_));
    connections_->clients.push_back(std::move(client));
    per_client_.push_back(empty_stats(kinds_));
  }
  for (size_t i = 0; i < options_.clients; ++i) {
    threads_.emplace_back([this, i, &stop, measure_from] { client_loop(i, stop, measure_from); });
  }
  return Status::ok();
}

void DashboardDriver::join() {
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
}

void DashboardDriver::client_loop(size_t client, const std::atomic<bool>& stop,
                                  Clock::time_point measure_from) {
  std::unique_ptr<TcpClient>& connection = connections_->clients[client];
  std::vector<KindStats>& stats = per_client_[client];
  // Clients start at different kinds, so each kind is in flight at all times.
  size_t next = client % kinds_.size();
  while (!stop.load(std::memory_order_relaxed)) {
    const size_t k = next;
    next = (next + 1) % kinds_.size();
    const bool record = Clock::now() >= measure_from;
    const uint64_t errors_before = stats[k].errors;
    Status status = timed_statement(*connection, kinds_[k], stats[k], record);
    if (record) {
      completed_.fetch_add(1, std::memory_order_relaxed);
      if (stats[k].errors != errors_before) errors_.fetch_add(1, std::memory_order_relaxed);
    }
    if (!status.is_ok()) {
      // A broken connection: try a new one, and stop this client if that fails.
      auto fresh = connect_client(options_);
      if (!fresh.is_ok()) return;
      connection = std::move(*fresh);
    }
    if (options_.think.count() > 0) std::this_thread::sleep_for(options_.think);
  }
}

std::vector<KindStats> DashboardDriver::results() const {
  std::vector<KindStats> total = empty_stats(kinds_);
  for (const auto& client : per_client_) {
    for (size_t k = 0; k < total.size(); ++k) total[k].merge(client[k]);
  }
  return total;
}

Result<std::vector<KindStats>> DashboardDriver::run_fixed_count(const DashboardOptions& options,
                                                                const std::vector<QueryKind>& kinds,
                                                                uint32_t runs, uint32_t warmups) {
  TESSERA_ASSIGN_OR_RETURN(auto client, connect_client(options));
  std::vector<KindStats> stats = empty_stats(kinds);
  for (size_t k = 0; k < kinds.size(); ++k) {
    for (uint32_t i = 0; i < warmups + runs; ++i) {
      Status status = timed_statement(*client, kinds[k], stats[k], i >= warmups);
      if (!status.is_ok()) {
        TESSERA_ASSIGN_OR_RETURN(client, connect_client(options));
      }
    }
  }
  return stats;
}

}  // namespace tessera::loadgen
