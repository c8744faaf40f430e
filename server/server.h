// Server: the TCP front of an Engine. Owns two io_contexts: one (options.io_threads
// threads) for the acceptors, the optional SIGINT/SIGTERM handler and the ingest
// sessions, whose blocking engine calls (parse, apply, fsync) run on a write pool;
// and QueryThreads (options.query_threads threads, an io_context each) for the
// query sessions, which run each query on the thread that read it.
//
//   auto server = Server::start(engine, options);   // listening on return
//   std::puts((*server)->listening_line().c_str());
//   (*server)->wait();                               // until stop() or a signal
//
// Shutdown (stop() or a signal): stop accepting, stop reading on every session
// (each one finishes and answers the input it already has), close what is left
// after limits.shutdown_grace, then the io threads end. The caller flushes the
// engine afterwards.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "engine/engine.h"
#include "server/asio.h"
#include "server/query_threads.h"
#include "server/server_context.h"
#include "server/server_options.h"
#include "server/server_stats.h"
#include "server/session.h"
#include "server/session_registry.h"
#include "storage/base/status.h"

namespace tessera::server {

class Server {
 public:
  // Binds both ports and starts serving. Errors: kPermissionDenied for a
  // non-loopback bind_address without tokens; kInvalidInput for an address that
  // does not parse; kIoError when a port cannot be bound.
  // Requires: `engine` outlives the Server.
  static Result<std::unique_ptr<Server>> start(engine::Engine& engine, ServerOptions options);
  // Stops and waits.
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  tcp::endpoint ingest_endpoint() const { return ingest_endpoint_; }
  tcp::endpoint query_endpoint() const { return query_endpoint_; }
  // "listening ingest=<addr>:<port> query=<addr>:<port>" (no newline).
  std::string listening_line() const;
  // False when the background scan threads run at the server's own priority
  // (setpriority refused).
  bool background_priority_lowered() const { return background_workers_.priority_lowered(); }

  // Begins a graceful shutdown. Thread-safe, idempotent, returns at once.
  void stop();
  // Blocks until shutdown completed (all sessions ended, io threads joined).
  // Call from one thread only.
  void wait();

  const ServerStats& stats() const { return stats_; }

 private:
  Server(engine::Engine& engine, ServerOptions options);
  Status listen(tcp::acceptor& acceptor, uint16_t port, tcp::endpoint* bound);
  // Accepts connections of `acceptor` as SessionType sessions, each run where
  // `place()` says (a QueryThreads::Place).
  template <typename SessionType, typename PlaceFn>
  awaitable<void> accept_loop(tcp::acceptor& acceptor, PlaceFn place);
  awaitable<void> refuse_connection(std::shared_ptr<Session> session);
  void begin_stop();  // on control_

  engine::Engine& engine_;
  const ServerOptions options_;
  ServerStats stats_;
  SessionRegistry registry_;
  asio::io_context io_;
  // The acceptors, the signal set and the grace timer are not thread-safe: the
  // accept loops and begin_stop run on this strand, never on two io threads at once.
  asio::strand<asio::io_context::executor_type> control_;
  // Query sessions read, run and answer a statement on one thread: a short query
  // crosses no thread, since a hand-off and a hand-back cost two wake-ups, more
  // than the query itself.
  QueryThreads query_threads_;
  query::ScanWorkers scan_workers_;        // outlives the query threads, whose queries use it
  query::ScanWorkers background_workers_;  // likewise
  asio::thread_pool write_pool_;
  ServerContext context_;  // what sessions share; refers to the members above
  tcp::acceptor ingest_acceptor_;
  tcp::acceptor query_acceptor_;
  asio::signal_set signals_;
  asio::steady_timer grace_timer_;
  tcp::endpoint ingest_endpoint_, query_endpoint_;
  std::vector<std::thread> threads_;  // running io_
  std::atomic<bool> is_stopping_{false};
  bool is_joined_ = false;
};

}  // namespace tessera::server
