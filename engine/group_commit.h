// GroupCommit: makes write-ahead-log appends durable with as few fsyncs as
// possible, under the engine's FsyncPolicy (engine/engine.h, docs/durability.md).
//   kAlways:   concurrent sync() callers share one fdatasync: the first becomes the
//              leader and syncs everything appended so far; the others wait for it.
//   kInterval: a background thread fsyncs every interval when something is pending;
//              sync() waits for the fsync that covers its lsn and never forces one.
// Under both, sync(lsn) returns ok only after an fdatasync that began after `lsn`
// was appended. Thread-safe.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string_view>
#include <thread>

#include "engine/engine.h"
#include "storage/base/status.h"
#include "storage/wal/wal_writer.h"

namespace tessera::engine {

// "always" or "interval=<ms>" (1 .. kMaxFsyncInterval ms); kInvalidInput otherwise,
// with a message naming the accepted forms.
Result<FsyncPolicy> parse_fsync_policy(std::string_view text);

class GroupCommit {
 public:
  GroupCommit() = default;
  // Stops the interval thread, if any (without a last fsync: the engine's close
  // flushes, and a crash is what the log is for).
  ~GroupCommit();
  GroupCommit(const GroupCommit&) = delete;
  GroupCommit& operator=(const GroupCommit&) = delete;

  // Applies `policy`; for kInterval starts the background thread. Call once,
  // before the first sync().
  void set_policy(const FsyncPolicy& policy);

  // Records that the log holds everything up to `lsn` (a logical byte position
  // across all log files), `writer` being the file that now receives appends.
  void appended(std::shared_ptr<storage::WalWriter> writer, uint64_t lsn);
  // Switches to a new log file. Requires: the old file is already synced through
  // `lsn` (the engine syncs it before rotating).
  void rotated(std::shared_ptr<storage::WalWriter> writer, uint64_t lsn);
  // Returns once the log is durable through `lsn`; kIoError if an fsync failed
  // (then every later call fails too: nothing after a failed fsync is acknowledged).
  Status sync(uint64_t lsn);
  // fdatasync calls made so far.
  uint64_t syncs() const;
  // Callers blocked in sync() waiting for another's fsync (for tests and stats).
  uint64_t waiters() const;

 private:
  // Requires: lock held on mu_, !is_syncing_. Syncs everything appended so far,
  // releasing the lock meanwhile.
  void lead_sync(std::unique_lock<std::mutex>& lock);
  void interval_loop();

  mutable std::mutex mu_;
  std::condition_variable synced_;
  std::condition_variable timer_wakeup_;
  std::shared_ptr<storage::WalWriter> writer_;
  uint64_t appended_lsn_ = 0;
  uint64_t durable_lsn_ = 0;
  bool is_syncing_ = false;
  uint64_t syncs_ = 0;
  uint64_t waiters_ = 0;
  std::optional<Error> failure_;
  FsyncPolicy policy_;
  bool is_stopping_ = false;
  std::thread timer_thread_;
};

}  // namespace tessera::engine
