// WalReader: reads back the records of a write-ahead log for recovery.
// Format: docs/format/wal.md. The log ends at the first record that is torn
// (cut short by a crash) or corrupt (crc mismatch, absurd length): everything
// before it is returned, nothing after it. The caller typically truncates the
// file to valid_bytes() before appending again. Not thread-safe.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "storage/base/file_io.h"
#include "storage/base/status.h"

namespace tessera::storage {

class WalReader {
 public:
  // Opens `path` and checks its file header: a missing file is kNotFound, a short
  // or wrong header (magic or version) is kCorruption. Reads the file as it is at
  // open; bytes appended later are not seen.
  static Result<std::unique_ptr<WalReader>> open(const std::filesystem::path& path);

  // The next record's payload, or nullopt at the end of the log. A torn or
  // corrupt record ends the log: next() returns nullopt from then on and
  // tail_problem() says what was wrong and at which offset. Errors only for I/O.
  Result<std::optional<std::string>> next();

  // The end offset of the last good record (or of the header before any).
  uint64_t valid_bytes() const { return valid_bytes_; }

  // Why the log ended before the end of the file, or nullopt for a clean end.
  const std::optional<std::string>& tail_problem() const { return tail_problem_; }

 private:
  explicit WalReader(std::unique_ptr<RandomAccessFile> file);

  // Makes file bytes [offset, offset + length) available in buffer_.
  // Requires: offset + length <= file size.
  Status fill(uint64_t offset, size_t length);
  std::string_view buffered(uint64_t offset, size_t length) const;
  void end_with_problem(std::string problem);

  std::unique_ptr<RandomAccessFile> file_;
  std::string buffer_;  // file bytes starting at buffer_offset_
  uint64_t buffer_offset_ = 0;
  uint64_t valid_bytes_;
  bool is_done_ = false;
  std::optional<std::string> tail_problem_;
};

}  // namespace tessera::storage
