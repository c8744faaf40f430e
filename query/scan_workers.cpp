#include "query/scan_workers.h"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <latch>

namespace tessera::query {

// One run(): tasks are claimed through `next`, so each runs exactly once whoever
// claims it. `task` lives on the caller's stack: a worker calls it only after
// claiming an index below `count`, and the caller does not return before every
// claimed task has finished, so the reference is alive whenever it is used.
struct ScanWorkers::Job {
  size_t count = 0;
  const std::function<void(size_t)>* task = nullptr;
  std::atomic<size_t> next{0};
  std::mutex mutex;
  std::condition_variable all_done;
  size_t finished = 0;  // guarded by mutex

  void wait_until_done() {
    std::unique_lock lock(mutex);
    all_done.wait(lock, [&] { return finished == count; });
  }

  // Claims and runs tasks until none is left.
  void help() {
    size_t ran = 0;
    for (size_t i = next.fetch_add(1); i < count; i = next.fetch_add(1)) {
      (*task)(i);
      ++ran;
    }
    if (ran == 0) return;
    std::lock_guard lock(mutex);
    finished += ran;
    if (finished == count) all_done.notify_all();
  }
};

ScanWorkers::ScanWorkers(size_t threads, int nice_increment) {
  // Each worker lowers its own priority before the constructor returns, so that
  // priority_lowered() is known and no task ever runs at the old priority.
  std::latch started(static_cast<std::ptrdiff_t>(threads));
  std::atomic<bool> all_lowered{true};
  threads_.reserve(threads);
  for (size_t i = 0; i < threads; ++i) {
    threads_.emplace_back([this, nice_increment, &started, &all_lowered] {
      if (nice_increment != 0) {
        errno = 0;
        const int nice_now = getpriority(PRIO_PROCESS, static_cast<id_t>(gettid()));
        if ((nice_now == -1 && errno != 0) || setpriority(PRIO_PROCESS, static_cast<id_t>(gettid()),
                                                          nice_now + nice_increment) != 0) {
          all_lowered = false;
        }
      }
      started.count_down();
      work();
    });
  }
  started.wait();
  priority_lowered_ = all_lowered;
}

ScanWorkers::~ScanWorkers() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  for (std::thread& t : threads_) t.join();
}

std::shared_ptr<ScanWorkers::Job> ScanWorkers::submit(size_t count,
                                                      const std::function<void(size_t)>& task,
                                                      size_t helpers) {
  auto job = std::make_shared<Job>();
  job->count = count;
  job->task = &task;
  {
    std::lock_guard lock(mutex_);
    for (size_t h = 0; h < helpers; ++h) queue_.push_back(job);
  }
  for (size_t h = 0; h < helpers; ++h) wake_.notify_one();
  return job;
}

void ScanWorkers::run(size_t count, const std::function<void(size_t)>& task) {
  if (count == 0) return;
  const size_t helpers = std::min(threads_.size(), count - 1);
  if (helpers == 0) {
    for (size_t i = 0; i < count; ++i) task(i);
    return;
  }
  const std::shared_ptr<Job> job = submit(count, task, helpers);
  job->help();
  {
    // Workers that have not picked the job up yet would find nothing left to claim:
    // take their entries back so they do not wake for nothing.
    std::lock_guard lock(mutex_);
    std::erase(queue_, job);
  }
  job->wait_until_done();
}

void ScanWorkers::run_on_workers(size_t count, const std::function<void(size_t)>& task) {
  if (threads_.empty()) {
    for (size_t i = 0; i < count; ++i) task(i);
    return;
  }
  if (count == 0) return;
  const std::shared_ptr<Job> job = submit(count, task, std::min(threads_.size(), count));
  job->wait_until_done();
  // Entries of workers that found the job finished before they reached it.
  std::lock_guard lock(mutex_);
  std::erase(queue_, job);
}

void ScanWorkers::work() {
  for (;;) {
    std::shared_ptr<Job> job;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (stopping_) return;
      job = std::move(queue_.front());
      queue_.pop_front();
    }
    job->help();
  }
}

}  // namespace tessera::query
