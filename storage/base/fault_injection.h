// Fault injection: a process-wide, test-only switch that makes the file seam
// (storage/base/file_io.h) fail the way a full or dying disk does, so tests can
// prove that nothing is acknowledged after such a failure and that the engine
// recovers when the disk does. Consulted by AppendFile::append, ::sync and
// ::truncate, write_file_durably, fsync_directory and truncate_file.
//
//   FaultInjector::arm({.op = FaultOp::kAppend, .path_contains = "/wal/", .error = ENOSPC});
//   ... the next WAL append fails with "No space left on device" ...
//   FaultInjector::disarm();
//
// Cost when not armed: one relaxed atomic load per file operation.
// Thread-safety: every function may be called from any thread.
#pragma once

#include <atomic>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace tessera::storage {

enum class FaultOp {
  kAppend,            // AppendFile::append (WAL records, segment bodies)
  kSync,              // AppendFile::sync (fdatasync)
  kWriteFileDurably,  // write_file_durably (the manifest), before anything is written
  kFsyncDirectory,    // fsync_directory
  kTruncate,          // AppendFile::truncate, truncate_file
};

struct FaultSpec {
  FaultOp op = FaultOp::kAppend;
  // Only operations on paths containing this substring match ("" matches all).
  std::string path_contains = {};
  // The first matching operation that fails (1: the next one).
  uint64_t first_failure = 1;
  // How many consecutive matching operations fail from there (0: all of them,
  // until disarm() — a disk that stays full).
  uint64_t failures = 1;
  // The errno the failing operation reports.
  int error = ENOSPC;
  // kAppend only: write this many bytes of the buffer before failing (a short
  // write that leaves a prefix on disk). Nullopt: write nothing.
  std::optional<size_t> short_write_bytes = std::nullopt;
  // Called (outside any injector lock) for every matching operation before it
  // runs, failing or not: lets a test hold an operation to order threads.
  std::function<void()> on_match = nullptr;
};

// What the seam must do for one operation.
struct InjectedFault {
  int error = 0;                  // 0: run the operation normally
  size_t write_prefix_bytes = 0;  // kAppend: bytes to write before reporting `error`
};

class FaultInjector {
 public:
  // Replaces any armed fault. Counting of matching operations restarts.
  static void arm(FaultSpec spec);
  static void disarm();
  // Matching operations seen since arm() (failed or not).
  static uint64_t matched();
  // The paths of those operations in order, the first kMaxRecordedPaths of them:
  // lets a test check which files and directories were synced.
  static std::vector<std::filesystem::path> matched_paths();
  static constexpr size_t kMaxRecordedPaths = 10'000;

  static bool is_armed() { return armed_.load(std::memory_order_relaxed); }
  // For file_io.cpp: what to do for `op` on `path`. Requires: is_armed().
  static InjectedFault consult(FaultOp op, const std::filesystem::path& path);

 private:
  static std::atomic<bool> armed_;
};

// Disarms on scope exit, so a failing test does not leave faults for the next.
class ScopedFault {
 public:
  explicit ScopedFault(FaultSpec spec) { FaultInjector::arm(std::move(spec)); }
  ~ScopedFault() { FaultInjector::disarm(); }
  ScopedFault(const ScopedFault&) = delete;
  ScopedFault& operator=(const ScopedFault&) = delete;
};

}  // namespace tessera::storage
