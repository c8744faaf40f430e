// ScanWorkers: a few threads that scan a query's blocks on more than one core. A
// query splits its scan into tasks. With run(), the calling thread claims tasks too,
// and never waits for a worker that has not started one, so when every worker is
// busy (other queries) the caller runs all of its tasks itself, as fast as without
// them. With run_on_workers(), the workers alone run them, one job after another:
// the pool of big scans, whose threads can run at a lower priority (a higher nice
// value) so that short queries and ingest go first.
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
  // Starts `threads` worker threads (0: run() calls every task on the caller), each
  // raising its nice value by `nice_increment` (Linux: a thread's own priority)
  // before it takes a task.
  explicit ScanWorkers(size_t threads, int nice_increment = 0);
  // Joins the workers. Requires: no run() in progress.
  ~ScanWorkers();
  ScanWorkers(const ScanWorkers&) = delete;
  ScanWorkers& operator=(const ScanWorkers&) = delete;

  size_t thread_count() const { return threads_.size(); }
  // False when a worker could not raise its nice value (it then runs at the
  // process's priority); true without an increment.
  bool priority_lowered() const { return priority_lowered_; }

  // Calls task(i) once for every i in [0, count), on the calling thread and on idle
  // workers, tasks claimed in ascending order; returns when every call has returned.
  // `task` must not throw. Thread-safe: queries may call run() concurrently.
  void run(size_t count, const std::function<void(size_t)>& task);
  // Calls task(i) once for every i in [0, count) on the workers only, while the
  // caller waits; jobs start in the order they were submitted. Without worker
  // threads the caller runs them. `task` must not throw. Thread-safe.
  void run_on_workers(size_t count, const std::function<void(size_t)>& task);

 private:
  struct Job;
  void work();
  // Queues `helpers` entries of a new job of `count` tasks.
  std::shared_ptr<Job> submit(size_t count, const std::function<void(size_t)>& task,
                              size_t helpers);

  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::shared_ptr<Job>> queue_;  // one entry per helper a job asks for
  bool stopping_ = false;
  std::vector<std::thread> threads_;
  bool priority_lowered_ = true;  // set before the constructor returns
};

}  // namespace tessera::query
