// The file seam: the one place that talks to the operating system about files.
// Everything above it (segments, the WAL, the engine's manifest) goes through
// these functions, so durability rules live here once: data is fsynced before
// it is renamed into place, and directories are fsynced after entries change.
//
// Errors: kNotFound when a file that must exist does not, kIoError for any other
// refusal by the OS, kCorruption for a file shorter than a read needs, and
// kLimitExceeded past kMaxReadFileBytes. Messages name the path and the errno text.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>

#include "storage/base/status.h"

namespace tessera::storage {

// read_file refuses files larger than this (kLimitExceeded): it is meant for
// small metadata files; large files are read piecewise with RandomAccessFile.
inline constexpr uint64_t kMaxReadFileBytes = uint64_t{1} << 30;

// The whole contents of `path`.
Result<std::string> read_file(const std::filesystem::path& path);

// Replaces `path` atomically and durably: writes `contents` to path + ".tmp"
// (replacing any stale one), fsyncs it, renames it over `path`, fsyncs the directory.
// After a crash `path` holds either the old or the new contents, never a mix.
Status write_file_durably(const std::filesystem::path& path, std::string_view contents);

// Makes the creation, removal and renaming of entries in `dir` durable.
Status fsync_directory(const std::filesystem::path& dir);

// Creates `dir` and any missing parents (like mkdir -p) and fsyncs the parent of
// every directory it creates, outermost first, so that the new directories survive
// a power loss. A `dir` that already exists is left alone (nothing is synced).
Status create_directories_durably(const std::filesystem::path& dir);

// Cuts `path` to `size_bytes` bytes and fsyncs it.
Status truncate_file(const std::filesystem::path& path, uint64_t size_bytes);

// A sequential writer that owns one file descriptor. Not thread-safe: one writer
// at a time. The descriptor is closed by the destructor.
class AppendFile {
 public:
  // Creates `path`; fails (kIoError) if it exists. The caller fsyncs the parent
  // directory when the file's existence must survive a crash.
  static Result<std::unique_ptr<AppendFile>> create(const std::filesystem::path& path);
  // Opens an existing file for appending at its current end.
  static Result<std::unique_ptr<AppendFile>> open_existing(const std::filesystem::path& path);

  ~AppendFile();
  AppendFile(const AppendFile&) = delete;
  AppendFile& operator=(const AppendFile&) = delete;

  // Writes all of `bytes` at the end, retrying short writes and EINTR. On error
  // the file may hold a prefix of `bytes`; size_bytes() counts what was written.
  Status append(std::string_view bytes);
  // fdatasync: everything appended so far is durable when this returns ok.
  Status sync();
  // Cuts the file back to `size_bytes` (at most size_bytes()) and fdatasyncs it,
  // so that the cut is durable: undoes a failed append. On error the file's
  // length is unknown; size_bytes() is unchanged.
  Status truncate(uint64_t size_bytes);
  uint64_t size_bytes() const { return size_bytes_; }
  const std::filesystem::path& path() const { return path_; }

 private:
  AppendFile(std::filesystem::path path, int fd, uint64_t size_bytes)
      : path_(std::move(path)), fd_(fd), size_bytes_(size_bytes) {}

  std::filesystem::path path_;
  int fd_;
  uint64_t size_bytes_;
};

// Positional reads of a file whose size is fixed at open (immutable files such as
// segments, or a WAL during recovery). Thread-safe: read_at uses pread.
class RandomAccessFile {
 public:
  static Result<std::unique_ptr<RandomAccessFile>> open(const std::filesystem::path& path);

  ~RandomAccessFile();
  RandomAccessFile(const RandomAccessFile&) = delete;
  RandomAccessFile& operator=(const RandomAccessFile&) = delete;

  // The size when the file was opened.
  uint64_t size_bytes() const { return size_bytes_; }
  const std::filesystem::path& path() const { return path_; }

  // Replaces *out with the `length` bytes at `offset`. A range that ends past
  // size_bytes(), or a short read, is kCorruption naming the path and offset;
  // nothing is allocated for such a range.
  Status read_at(uint64_t offset, size_t length, std::string* out) const;
  // The same into `out`, whose size is the length: no allocation.
  Status read_at(uint64_t offset, std::span<char> out) const;

 private:
  RandomAccessFile(std::filesystem::path path, int fd, uint64_t size_bytes)
      : path_(std::move(path)), fd_(fd), size_bytes_(size_bytes) {}
  // kCorruption for a read of `length` bytes at `offset` that ends past the file.
  Status past_end(uint64_t offset, size_t length) const;

  std::filesystem::path path_;
  int fd_;
  uint64_t size_bytes_;
};

}  // namespace tessera::storage
