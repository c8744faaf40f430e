#include "server/loadgen/ingest_driver.h"

#include <cstdlib>

#include "server/client/tcp_client.h"

namespace tessera::loadgen {
namespace {

using server::TcpClient;

// Reads the reply to `#sync <id>`: err lines, then `ok <id> accepted=<n> rejected=<m>`.
Status read_ack(TcpClient& client, uint64_t& accepted, uint64_t& rejected) {
  while (true) {
    TESSERA_ASSIGN_OR_RETURN(std::string line, client.read_line());
    if (line.starts_with("err - sync failed")) {
      return make_error(ErrorCode::kUnavailable, "server: " + line);
    }
    if (line.starts_with("err ")) continue;  // counted by rejected=
    if (!line.starts_with("ok ")) {
      return make_error(ErrorCode::kInvalidInput, "unexpected ingest reply: " + line);
    }
    const size_t a = line.find(" accepted=");
    const size_t r = line.find(" rejected=");
    if (a == std::string::npos || r == std::string::npos) {
      return make_error(ErrorCode::kInvalidInput, "malformed ack: " + line);
    }
    accepted = std::strtoull(line.c_str() + a + 10, nullptr, 10);
    rejected = std::strtoull(line.c_str() + r + 10, nullptr, 10);
    return Status::ok();
  }
}

}  // namespace

struct IngestDriver::Connections {
  std::vector<std::unique_ptr<TcpClient>> clients;
};

IngestDriver::IngestDriver(IngestOptions options, LineBlockSource& source)
    : options_(std::move(options)),
      source_(source),
      connections_(std::make_unique<Connections>()) {}

IngestDriver::~IngestDriver() { join(); }

Status IngestDriver::start(const std::atomic<bool>& stop, Clock::time_point measure_from) {
  if (options_.connections == 0 || options_.connections > kMaxIngestConnections) {
    return make_error(ErrorCode::kInvalidInput,
                      "--ingest-conns: expected 1.." + std::to_string(kMaxIngestConnections));
  }
  for (uint32_t i = 0; i < options_.connections; ++i) {
    TESSERA_ASSIGN_OR_RETURN(auto client, TcpClient::connect(options_.host, options_.port));
    if (options_.token)
      TESSERA_RETURN_IF_ERROR(client->write_all("#auth " + *options_.token + "\n"));
    connections_->clients.push_back(std::move(client));
    per_connection_.push_back(KindStats{"ingest_ack", {}, {}, 0, {}});
  }
  running_ = options_.connections;
  for (size_t i = 0; i < options_.connections; ++i) {
    threads_.emplace_back([this, i, &stop, measure_from] {
      connection_loop(i, stop, measure_from);
      running_.fetch_sub(1);
    });
  }
  return Status::ok();
}

void IngestDriver::join() {
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
}

void IngestDriver::connection_loop(size_t index, const std::atomic<bool>& stop,
                                   Clock::time_point measure_from) {
  TcpClient& client = *connections_->clients[index];
  KindStats& stats = per_connection_[index];
  const double rate = options_.rate_rows_per_s / options_.connections;
  const auto started = Clock::now();
  uint64_t rows_sent = 0;
  std::string block;
  for (uint64_t sync_id = 1; !stop.load(std::memory_order_relaxed); ++sync_id) {
    auto rows = source_.next_block(block);
    if (!rows.is_ok()) {
      stats.add_error("data: " + rows.error().message);
      return;
    }
    if (*rows == 0) return;
    if (rate > 0) {
      // Paced by blocks: this block may start once the previous rows are due.
      const auto due = started + std::chrono::duration_cast<Clock::duration>(
                                     std::chrono::duration<double>(rows_sent / rate));
      while (Clock::now() < due && !stop.load(std::memory_order_relaxed)) {
        std::this_thread::sleep_for(
            std::min<Clock::duration>(due - Clock::now(), std::chrono::milliseconds(50)));
      }
    }
    rows_sent += *rows;
    block += "#sync " + std::to_string(sync_id) + "\n";
    Status sent = client.write_all(block);
    const auto synced = Clock::now();
    const bool record = synced >= measure_from;
    uint64_t accepted = 0, rejected = 0;
    if (sent.is_ok()) sent = read_ack(client, accepted, rejected);
    if (!sent.is_ok()) {
      stats.add_error(sent.error().message);
      return;  // the server closes after a failed sync; nothing more is acknowledged
    }
    if (!record) continue;
    stats.latency.record(static_cast<uint64_t>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - synced).count()));
    rows_acked_.fetch_add(accepted, std::memory_order_relaxed);
    rows_rejected_.fetch_add(rejected, std::memory_order_relaxed);
  }
}

KindStats IngestDriver::results() const {
  KindStats total{"ingest_ack", {}, {}, 0, {}};
  for (const auto& s : per_connection_) total.merge(s);
  return total;
}

}  // namespace tessera::loadgen
