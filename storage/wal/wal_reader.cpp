// Reads the WAL format of docs/format/wal.md:
//   header := "TSRAWAL\0" | version u32
//   record := crc32c(length | payload) u32 | length u32 | payload
// Records are read through a buffer of kReadAheadBytes to keep syscalls few
// when replaying many small records.
#include "storage/wal/wal_reader.h"

#include <algorithm>
#include <cstdio>

#include "storage/base/crc32c.h"
#include "storage/base/little_endian.h"
#include "storage/wal/wal_format.h"

namespace tessera::storage {
namespace {

constexpr size_t kReadAheadBytes = size_t{1} << 20;

std::string hex32(uint32_t v) {
  char text[11];
  std::snprintf(text, sizeof text, "0x%08x", v);
  return text;
}

}  // namespace

WalReader::WalReader(std::unique_ptr<RandomAccessFile> file)
    : file_(std::move(file)), valid_bytes_(wal_format::kHeaderBytes) {}

Result<std::unique_ptr<WalReader>> WalReader::open(const std::filesystem::path& path) {
  TESSERA_ASSIGN_OR_RETURN(std::unique_ptr<RandomAccessFile> file, RandomAccessFile::open(path));
  if (file->size_bytes() < wal_format::kHeaderBytes) {
    return make_error(ErrorCode::kCorruption,
                      path.string() + " @ 0: WAL file of " + std::to_string(file->size_bytes()) +
                          " bytes is shorter than its " + std::to_string(wal_format::kHeaderBytes) +
                          "-byte header");
  }
  std::string header;
  TESSERA_RETURN_IF_ERROR(file->read_at(0, wal_format::kHeaderBytes, &header));
  if (std::string_view(header).substr(0, wal_format::kMagic.size()) != wal_format::kMagic) {
    return make_error(ErrorCode::kCorruption, path.string() + " @ 0: not a WAL file (bad magic)");
  }
  const uint32_t version = load_u32(header.data() + wal_format::kMagic.size());
  if (version != wal_format::kVersion) {
    return make_error(ErrorCode::kCorruption, path.string() + " @ 8: unsupported WAL version " +
                                                  std::to_string(version) + " (this build reads " +
                                                  std::to_string(wal_format::kVersion) + ")");
  }
  return std::unique_ptr<WalReader>(new WalReader(std::move(file)));
}

Status WalReader::fill(uint64_t offset, size_t length) {
  if (offset >= buffer_offset_ && offset + length <= buffer_offset_ + buffer_.size()) {
    return Status::ok();
  }
  const uint64_t left = file_->size_bytes() - offset;
  const size_t want =
      static_cast<size_t>(std::min<uint64_t>(std::max(length, kReadAheadBytes), left));
  buffer_offset_ = offset;
  Status status = file_->read_at(offset, want, &buffer_);
  if (!status.is_ok()) buffer_.clear();  // never serve half-read bytes later
  return status;
}

std::string_view WalReader::buffered(uint64_t offset, size_t length) const {
  return std::string_view(buffer_).substr(static_cast<size_t>(offset - buffer_offset_), length);
}

void WalReader::end_with_problem(std::string problem) {
  is_done_ = true;
  tail_problem_ =
      file_->path().string() + " @ " + std::to_string(valid_bytes_) + ": " + std::move(problem);
}

Result<std::optional<std::string>> WalReader::next() {
  if (is_done_) return std::optional<std::string>();
  const uint64_t offset = valid_bytes_;
  const uint64_t left = file_->size_bytes() - offset;
  if (left == 0) {
    is_done_ = true;
    return std::optional<std::string>();
  }
  if (left < wal_format::kRecordHeaderBytes) {
    end_with_problem("torn record: " + std::to_string(left) +
                     " bytes left, fewer than a record header");
    return std::optional<std::string>();
  }
  TESSERA_RETURN_IF_ERROR(fill(offset, wal_format::kRecordHeaderBytes));
  std::string_view head = buffered(offset, wal_format::kRecordHeaderBytes);
  const uint32_t stored_crc = load_u32(head.data());
  const uint32_t length = load_u32(head.data() + 4);
  if (length > wal_format::kMaxRecordBytes) {
    end_with_problem("corrupt record: length " + std::to_string(length) + " exceeds the limit of " +
                     std::to_string(wal_format::kMaxRecordBytes));
    return std::optional<std::string>();
  }
  if (length > left - wal_format::kRecordHeaderBytes) {
    end_with_problem("torn record: length " + std::to_string(length) + " but only " +
                     std::to_string(left - wal_format::kRecordHeaderBytes) + " payload bytes left");
    return std::optional<std::string>();
  }
  const size_t record_bytes = wal_format::kRecordHeaderBytes + length;
  TESSERA_RETURN_IF_ERROR(fill(offset, record_bytes));
  std::string_view record = buffered(offset, record_bytes);
  const uint32_t computed_crc = crc32c(record.substr(4));
  if (computed_crc != stored_crc) {
    end_with_problem("corrupt record: checksum mismatch (stored " + hex32(stored_crc) +
                     ", computed " + hex32(computed_crc) + ")");
    return std::optional<std::string>();
  }
  valid_bytes_ = offset + record_bytes;
  return std::optional<std::string>(std::string(record.substr(wal_format::kRecordHeaderBytes)));
}

}  // namespace tessera::storage
