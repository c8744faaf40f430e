#include "server/query_threads.h"

#include <algorithm>

namespace tessera::server {
namespace {

// Counts a session against its thread for as long as it lives.
class Lease {
 public:
  explicit Lease(std::atomic<size_t>& sessions) : sessions_(sessions) { ++sessions_; }
  ~Lease() { --sessions_; }
  Lease(const Lease&) = delete;
  Lease& operator=(const Lease&) = delete;

 private:
  std::atomic<size_t>& sessions_;
};

}  // namespace

QueryThreads::QueryThreads(size_t count) {
  for (size_t i = 0; i < std::max<size_t>(1, count); ++i) {
    threads_.push_back(std::make_unique<Thread>());
    Thread& t = *threads_.back();
    t.thread = std::thread([&t] { t.io.run(); });
  }
}

QueryThreads::~QueryThreads() { finish(); }

QueryThreads::Place QueryThreads::place() {
  Thread* fewest = threads_.front().get();
  for (const auto& t : threads_) {
    if (t->sessions.load() < fewest->sessions.load()) fewest = t.get();
  }
  return Place{fewest->io.get_executor(), std::make_shared<const Lease>(fewest->sessions)};
}

void QueryThreads::finish() {
  for (const auto& t : threads_) t->work.reset();
  for (const auto& t : threads_) {
    if (t->thread.joinable()) t->thread.join();
  }
}

std::vector<size_t> QueryThreads::session_counts() const {
  std::vector<size_t> counts;
  for (const auto& t : threads_) counts.push_back(t->sessions.load());
  return counts;
}

}  // namespace tessera::server
