// SinkServer: a stand-in for `tessera serve` that does no work: its ingest
// port counts lines and answers each `#sync <id>` at once with
// `ok <id> accepted=<lines since the last sync> rejected=0`; its query port
// answers each statement with a reply chosen by a responder (by default a
// fixed one-cell table). Runs in-process on its own threads. Used to measure
// the load tool's own ceiling (`tessera bench --ceiling`) and, with injected
// delays and errors, to test its latency accounting.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "server/asio.h"
#include "storage/base/status.h"

namespace tessera::loadgen {

namespace asio = boost::asio;
using server::awaitable;
using server::tcp;

struct SinkReply {
  std::string text;                    // the whole reply, newline-terminated lines
  std::chrono::milliseconds delay{0};  // waited before sending it
};

// Called on the server's threads, possibly concurrently: must be thread-safe.
using SinkResponder = std::function<SinkReply(std::string_view statement)>;

// The default reply: one column "x", one row "1".
inline constexpr const char* kSinkFixedReply = "OK 1 1 0\nx\n1\n";

// A partial line longer than this closes the connection (no real client sends one).
inline constexpr size_t kSinkMaxLineBytes = size_t{1} << 20;

class SinkServer {
 public:
  // Listens on 127.0.0.1 (port 0 picks a free one). kUnavailable when a port
  // cannot be bound.
  static Result<std::unique_ptr<SinkServer>> start(uint16_t ingest_port, uint16_t query_port,
                                                   SinkResponder responder = {},
                                                   unsigned threads = 1);
  ~SinkServer();  // stops the threads; open connections are dropped

  uint16_t ingest_port() const { return ingest_port_; }
  uint16_t query_port() const { return query_port_; }
  uint64_t lines_received() const { return lines_.load(std::memory_order_relaxed); }
  uint64_t statements_received() const { return statements_.load(std::memory_order_relaxed); }

 private:
  SinkServer() = default;
  awaitable<void> accept_loop(tcp::acceptor& acceptor, bool is_ingest);
  awaitable<void> ingest_session(tcp::socket socket);
  awaitable<void> query_session(tcp::socket socket);

  asio::io_context io_;
  std::unique_ptr<tcp::acceptor> ingest_acceptor_, query_acceptor_;
  uint16_t ingest_port_ = 0, query_port_ = 0;
  SinkResponder responder_;
  std::atomic<uint64_t> lines_{0}, statements_{0};
  std::vector<std::thread> threads_;
};

}  // namespace tessera::loadgen
