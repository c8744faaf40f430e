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
  TESSERA_RETURN_IF_ERROR(file->append(header));
  TESSERA_RETURN_IF_ERROR(file->sync());
  std::filesystem::path dir = path.parent_path();
  TESSERA_RETURN_IF_ERROR(fsync_directory(dir.empty() ? std::filesystem::path(".") : dir));
  return std::unique_ptr<WalWriter>(new WalWriter(std::move(file)));
}

Result<uint64_t> WalWriter::append(std::string_view payload) {
  if (is_failed_) {
    return make_error(ErrorCode::kIoError,
                      file_->path().string() + ": an earlier append failed; the log is closed");
  }
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
    is_failed_ = true;
    return status.error();
  }
  return file_->size_bytes();
}

Status WalWriter::sync() {
  if (is_failed_) {
    return make_error(ErrorCode::kIoError,
                      file_->path().string() + ": an earlier append failed; the log is closed");
  }
  Status status = file_->sync();
  // After a failed fsync the kernel may have dropped the dirty pages: nothing
  // appended since the last good sync can be trusted, so stop here.
  if (!status.is_ok()) is_failed_ = true;
  return status;
}

}  // namespace tessera::storage
