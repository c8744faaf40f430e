// WalWriter: appends checksummed records to a new write-ahead log file. A record
// is durable once sync() returns ok after its append(). Format: docs/format/wal.md.
// Not thread-safe: the caller serializes appends (group commit batches them).
#pragma once

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
  // file and its directory entry durable before returning.
  static Result<std::unique_ptr<WalWriter>> create(const std::filesystem::path& path);

  // Appends one record holding `payload` and returns the file size after it,
  // which is what WalReader::valid_bytes() reports once the record is read back.
  // Not durable until sync(). kLimitExceeded for a payload larger than
  // wal_format::kMaxRecordBytes (nothing is written). After an I/O error the file
  // may end in a partial record, which a reader cuts as a torn tail; the writer
  // refuses further appends (kIoError) since later records would follow garbage.
  Result<uint64_t> append(std::string_view payload);

  // fdatasync: every record appended so far survives a crash once this returns ok.
  Status sync();

  uint64_t size_bytes() const { return file_->size_bytes(); }

 private:
  explicit WalWriter(std::unique_ptr<AppendFile> file) : file_(std::move(file)) {}

  std::unique_ptr<AppendFile> file_;
  bool is_failed_ = false;
};

}  // namespace tessera::storage
