// GroupCommit: makes write-ahead-log appends durable with as few fsyncs as
// possible. Concurrent sync() callers share one fdatasync: the first becomes the
// leader and syncs everything appended so far; the others wait for its result.
// Thread-safe.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>

#include "storage/base/status.h"
#include "storage/wal/wal_writer.h"

namespace tessera::engine {

class GroupCommit {
 public:
  // Records that the log holds everything up to `lsn` (a logical byte position
  // across all log files), `writer` being the file that now receives appends.
  void appended(std::shared_ptr<storage::WalWriter> writer, uint64_t lsn);
  // Switches to a new log file. Requires: the old file is already synced through
  // `lsn` (the engine syncs it before rotating).
  void rotated(std::shared_ptr<storage::WalWriter> writer, uint64_t lsn);
  // Returns once the log is durable through `lsn`; kIoError if an fsync failed
  // (then every later call fails too: nothing after a failed fsync is acknowledged).
  Status sync(uint64_t lsn);
  uint64_t syncs() const;

 private:
  mutable std::mutex mu_;
  std::condition_variable synced_;
  std::shared_ptr<storage::WalWriter> writer_;
  uint64_t appended_lsn_ = 0;
  uint64_t durable_lsn_ = 0;
  bool is_syncing_ = false;
  uint64_t syncs_ = 0;
  std::optional<Error> failure_;
};

}  // namespace tessera::engine
