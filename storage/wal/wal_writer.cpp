// Writes the WAL format of docs/format/wal.md:
//   header := "TSRAWAL\0" | version u32
//   record := crc32c(length | payload) u32 | length u32 | payload
#include "storage/wal/wal_writer.h"

#include <string>

#include "storage/base/crc32c.h"
#include "storage/base/little_endian.h"
#include "storage/wal/wal_format.h"

namespace tessera::storage {

Result<std::unique_ptr<WalWriter>> WalWriter::create(const std::filesystem::path& path) {
  TESSERA_ASSIGN_OR_RETURN(std::unique_ptr<AppendFile> file, AppendFile::create(path));
  std::string header(wal_format::kMagic);
  append_u32(&header, wal_format::kVersion);
  Status status = file->append(header);
  if (status.is_ok()) status = file->sync();
  std::filesystem::path dir = path.parent_path();
  if (status.is_ok()) status = fsync_directory(dir.empty() ? std::filesystem::path(".") : dir);
  if (!status.is_ok()) {
    // A log file newer than the live one must not stay: recovery would take it for
    // the newest log and the live one (which may end in a torn record) for an older one.
    file.reset();
    std::error_code ignored;
    std::filesystem::remove(path, ignored);
    return status.error();
  }
  return std::unique_ptr<WalWriter>(new WalWriter(std::move(file)));
}

namespace {

Error closed_log_error(const std::filesystem::path& path) {
  return Error{ErrorCode::kIoError,
               path.string() + ": an earlier write or fsync of the log failed; the log is closed"};
}

}  // namespace

Result<uint64_t> WalWriter::append(std::string_view payload) {
  if (is_failed()) return closed_log_error(file_->path());
  if (payload.size() > wal_format::kMaxRecordBytes) {
    return make_error(ErrorCode::kLimitExceeded, file_->path().string() + ": WAL record of " +
                                                     std::to_string(payload.size()) +
                                                     " bytes exceeds the limit of " +
                                                     std::to_string(wal_format::kMaxRecordBytes));
  }
  std::string length_bytes;
  append_u32(&length_bytes, static_cast<uint32_t>(payload.size()));
  const uint32_t crc = crc32c(payload, crc32c(length_bytes));

  // One write call for small records keeps a record in one syscall; large payloads
  // are written in place to avoid copying them.
  const uint64_t size_before = file_->size_bytes();
  std::string head;
  append_u32(&head, crc);
  head += length_bytes;
  Status status;
  if (payload.size() <= 4096) {
    head.append(payload);
    status = file_->append(head);
  } else {
    status = file_->append(head);
    if (status.is_ok()) status = file_->append(payload);
  }
  if (!status.is_ok()) {
    // Remove the partial record, so the next record starts where this one did.
    if (Status cut = file_->truncate(size_before); !cut.is_ok()) {
      is_failed_.store(true, std::memory_order_release);
      return make_error(ErrorCode::kIoError, status.message() +
                                                 "; removing the partial record failed too (" +
                                                 cut.message() + "), so the log is closed");
    }
    return status.error();
  }
  return file_->size_bytes();
}

Status WalWriter::sync() {
  if (is_failed()) return closed_log_error(file_->path());
  Status status = file_->sync();
  // After a failed fsync the kernel may have dropped the dirty pages: nothing
  // appended since the last good sync can be trusted, so stop here.
  if (!status.is_ok()) is_failed_.store(true, std::memory_order_release);
  return status;
}

}  // namespace tessera::storage
