// QueryThreads: the threads that serve query sessions, each running an io_context
// of its own, so that a session's reads, queries and replies all run on one thread.
// Eight threads sharing one io_context passed a session's handlers from thread to
// thread, and each hand-off cost a wake-up: PING took 75-80 us over loopback that
// way against 27-29 us on one thread (docs/performance.md). A new session goes to
// the thread serving the fewest; a long query holds up the sessions of its own
// thread only, so there are more threads than cores (ServerOptions::query_threads).
#pragma once

#include <atomic>
#include <cstddef>
#include <memory>
#include <thread>
#include <vector>

#include "server/asio.h"

namespace tessera::server {

class QueryThreads {
 public:
  // Where a new session runs, and what it holds while it lives: the lease counts
  // it against its thread until the last copy is dropped.
  struct Place {
    asio::any_io_executor executor;
    std::shared_ptr<const void> lease;  // may be null
  };

  // Starts `count` threads (at least one).
  explicit QueryThreads(size_t count);
  // Joins the threads (finish()).
  ~QueryThreads();
  QueryThreads(const QueryThreads&) = delete;
  QueryThreads& operator=(const QueryThreads&) = delete;

  // The thread serving the fewest sessions. Thread-safe.
  Place place();
  // Lets each thread end once it has no work left (no session, nothing posted),
  // and waits for all of them. Idempotent.
  void finish();
  // Sessions each thread serves now, for tests.
  std::vector<size_t> session_counts() const;

 private:
  struct Thread {
    asio::io_context io{1};  // one thread runs it
    asio::executor_work_guard<asio::io_context::executor_type> work = asio::make_work_guard(io);
    std::atomic<size_t> sessions{0};
    std::thread thread;
  };
  std::vector<std::unique_ptr<Thread>> threads_;
};

}  // namespace tessera::server
