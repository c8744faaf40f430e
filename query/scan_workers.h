// ScanWorkers: a few threads that help one query scan its blocks on more than one
// core. A query splits its scan into tasks; the calling thread claims tasks too, and
// never waits for a worker that has not started one, so when every worker is busy
// (other queries) the caller runs all of its tasks itself, as fast as without them.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace tessera::query {

class ScanWorkers {
 public:
  // Starts `threads` worker threads (0: run() calls every task on the caller).
  explicit ScanWorkers(size_t threads);
  // Joins the workers. Requires: no run() in progress.
  ~ScanWorkers();
  ScanWorkers(const ScanWorkers&) = delete;
  ScanWorkers& operator=(const ScanWorkers&) = delete;

  size_t thread_count() const { return threads_.size(); }

  // Calls task(i) once for every i in [0, count), on the calling thread and on idle
  // workers, tasks claimed in ascending order; returns when every call has returned.
  // `task` must not throw. Thread-safe: queries may call run() concurrently.
  void run(size_t count, const std::function<void(size_t)>& task);

 private:
  struct Job;
  void work();

  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::shared_ptr<Job>> queue_;  // one entry per helper a job asks for
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace tessera::query
