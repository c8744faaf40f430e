// WalWriter: appends checksummed records to a new write-ahead log file. A record
// is durable once sync() returns ok after its append(). Format: docs/format/wal.md.
// Not thread-safe: the caller serializes appends (group commit batches them).
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string_view>

#include "storage/base/file_io.h"
#include "storage/base/status.h"

namespace tessera::storage {

class WalWriter {
 public:
  // Creates `path` (kIoError if it exists), writes the file header and makes the
  // file and its directory entry durable before returning. On failure the file is
  // removed again (best effort), so no half-made log is left behind a live one.
  static Result<std::unique_ptr<WalWriter>> create(const std::filesystem::path& path);

  // Appends one record holding `payload` and returns the file size after it,
  // which is what WalReader::valid_bytes() reports once the record is read back.
  // Not durable until sync(). kLimitExceeded for a payload larger than
  // wal_format::kMaxRecordBytes (nothing is written). On an I/O error (ENOSPC, EIO)
  // the bytes of the partial record are cut off again (AppendFile::truncate), the
  // error is returned and the writer stays usable: a later append can succeed once
  // the disk has space. If that cut fails too, the file may end in a partial
  // record that later records would follow unreadably, so the writer is failed:
  // is_failed() turns true and every later append and sync is kIoError.
  Result<uint64_t> append(std::string_view payload);

  // fdatasync: every record appended so far survives a crash once this returns ok.
  // After a failed fsync the kernel may already have dropped the dirty pages and
  // marked them clean (a retried fsync would "succeed" without writing them), so
  // the writer is failed for good: is_failed() turns true.
  // May run concurrently with append() (group commit syncs without the write lock).
  Status sync();

  // True after an append whose partial record could not be removed, or a failed
  // sync: the log accepts nothing more; a restart replays what is in it.
  bool is_failed() const { return is_failed_.load(std::memory_order_acquire); }

  uint64_t size_bytes() const { return file_->size_bytes(); }

 private:
  explicit WalWriter(std::unique_ptr<AppendFile> file) : file_(std::move(file)) {}

  std::unique_ptr<AppendFile> file_;
  std::atomic<bool> is_failed_{false};
};

}  // namespace tessera::storage
