// ScanWorkers: every task runs exactly once, whoever claims it; concurrent callers
// share the workers; a caller whose helpers are all busy runs its tasks itself
// instead of waiting for them; run_on_workers runs tasks on the workers alone; and
// workers lower their own priority when asked.
#include "query/scan_workers.h"

#include <gtest/gtest.h>

#include <sys/resource.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <latch>
#include <set>
#include <thread>
#include <vector>

namespace tessera::query {
namespace {

// Runs `count` tasks on `workers` and returns how often each index ran.
std::vector<int> run_counts(ScanWorkers& workers, size_t count) {
  std::vector<std::atomic<int>> runs(count);
  workers.run(count, [&](size_t i) { runs[i].fetch_add(1); });
  std::vector<int> out;
  for (const auto& r : runs) out.push_back(r.load());
  return out;
}

TEST(ScanWorkersTest, RunsEveryTaskExactlyOnce) {
  for (const size_t threads : {0, 1, 3}) {
    SCOPED_TRACE("threads " + std::to_string(threads));
    ScanWorkers workers(threads);
    EXPECT_EQ(workers.thread_count(), threads);
    for (const size_t count : {0, 1, 2, 7, 100}) {
      EXPECT_EQ(run_counts(workers, count), std::vector<int>(count, 1)) << "count " << count;
    }
  }
}

TEST(ScanWorkersTest, WorkersTakeTasksBesideTheCaller) {
  // Task 0 waits until another task has started: it returns only if some other
  // thread ran a task while the caller was inside task 0.
  ScanWorkers workers(1);
  std::latch other_started(1);
  std::set<std::thread::id> threads;
  std::mutex mutex;
  workers.run(2, [&](size_t i) {
    {
      std::lock_guard lock(mutex);
      threads.insert(std::this_thread::get_id());
    }
    if (i == 0) {
      other_started.wait();
    } else {
      other_started.count_down();
    }
  });
  EXPECT_EQ(threads.size(), 2u);
}

TEST(ScanWorkersTest, ACallerWhoseWorkersAreBusyRunsItsTasksItself) {
  ScanWorkers workers(1);
  // Occupy the one worker: a first run whose two tasks both block until released,
  // one on its caller's thread and one on the worker.
  std::latch both_entered(2);
  std::latch release(1);
  std::thread first([&] {
    workers.run(2, [&](size_t) {
      both_entered.count_down();
      release.wait();
    });
  });
  both_entered.wait();
  // Every thread of the pool is busy: this run must finish on the calling thread.
  const std::thread::id caller = std::this_thread::get_id();
  std::atomic<int> on_caller{0};
  workers.run(5, [&](size_t) {
    if (std::this_thread::get_id() == caller) on_caller.fetch_add(1);
  });
  EXPECT_EQ(on_caller.load(), 5);
  release.count_down();
  first.join();
}

TEST(ScanWorkersTest, ConcurrentCallersEachRunAllTheirTasks) {
  ScanWorkers workers(2);
  constexpr int kCallers = 4;
  constexpr int kRounds = 200;
  std::atomic<int> failures{0};
  std::vector<std::thread> callers;
  for (int c = 0; c < kCallers; ++c) {
    callers.emplace_back([&, c] {
      for (int round = 0; round < kRounds; ++round) {
        const size_t count = static_cast<size_t>(1 + (round + c) % 9);
        if (run_counts(workers, count) != std::vector<int>(count, 1)) failures.fetch_add(1);
      }
    });
  }
  for (std::thread& t : callers) t.join();
  EXPECT_EQ(failures.load(), 0);
}

TEST(ScanWorkersTest, RunOnWorkersRunsEveryTaskOnAWorkerOnce) {
  const std::thread::id caller = std::this_thread::get_id();
  for (const size_t threads : {1, 2}) {
    ScanWorkers workers(threads);
    for (const size_t count : {0, 1, 2, 7, 100}) {
      std::vector<std::atomic<int>> runs(count);
      std::atomic<int> on_caller{0};
      workers.run_on_workers(count, [&](size_t i) {
        runs[i].fetch_add(1);
        if (std::this_thread::get_id() == caller) on_caller.fetch_add(1);
      });
      for (size_t i = 0; i < count; ++i) EXPECT_EQ(runs[i].load(), 1) << threads << " " << i;
      EXPECT_EQ(on_caller.load(), 0) << threads << " threads, count " << count;
    }
  }
  ScanWorkers none(0);  // no workers: the caller runs them
  std::atomic<int> ran{0};
  none.run_on_workers(3, [&](size_t) { ran.fetch_add(1); });
  EXPECT_EQ(ran.load(), 3);
}

TEST(ScanWorkersTest, ConcurrentRunsOnWorkersEachRunAllTheirTasks) {
  ScanWorkers workers(2);
  std::atomic<int> failures{0};
  std::vector<std::thread> callers;
  for (int c = 0; c < 4; ++c) {
    callers.emplace_back([&, c] {
      for (int round = 0; round < 200; ++round) {
        const size_t count = static_cast<size_t>(1 + (round + c) % 9);
        std::vector<std::atomic<int>> runs(count);
        workers.run_on_workers(count, [&](size_t i) { runs[i].fetch_add(1); });
        for (const auto& r : runs) {
          if (r.load() != 1) failures.fetch_add(1);
        }
      }
    });
  }
  for (std::thread& t : callers) t.join();
  EXPECT_EQ(failures.load(), 0);
}

int own_nice() {
  errno = 0;
  const int nice = getpriority(PRIO_PROCESS, static_cast<id_t>(gettid()));
  EXPECT_EQ(errno, 0);
  return nice;
}

TEST(ScanWorkersTest, WorkersRaiseTheirNiceValueByTheIncrement) {
  const int base = own_nice();
  if (base > 19 - 5) GTEST_SKIP() << "nice " << base << " leaves no room for +5";
  ScanWorkers workers(2, 5);
  EXPECT_TRUE(workers.priority_lowered());
  std::vector<int> seen(4);
  workers.run_on_workers(4, [&](size_t i) { seen[i] = own_nice(); });
  EXPECT_EQ(seen, std::vector<int>(4, base + 5));
  EXPECT_EQ(own_nice(), base);  // the caller's own priority is untouched
  ScanWorkers plain(1);
  EXPECT_TRUE(plain.priority_lowered());
  std::vector<int> plain_seen(1);
  plain.run_on_workers(1, [&](size_t i) { plain_seen[i] = own_nice(); });
  EXPECT_EQ(plain_seen[0], base);
}

}  // namespace
}  // namespace tessera::query
