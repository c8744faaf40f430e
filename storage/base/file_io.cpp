#include "storage/base/file_io.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

#include "storage/base/fault_injection.h"

namespace tessera::storage {
namespace {

// "<what> <path>: <errno text>", with kNotFound for ENOENT so callers can tell a
// missing file from a failing disk.
Error os_error(std::string_view what, const std::filesystem::path& path, int err) {
  ErrorCode code = err == ENOENT ? ErrorCode::kNotFound : ErrorCode::kIoError;
  return make_error(code, std::string(what) + " " + path.string() + ": " + std::strerror(err));
}

// Closes `fd` on scope exit unless released.
class FdCloser {
 public:
  explicit FdCloser(int fd) : fd_(fd) {}
  ~FdCloser() {
    if (fd_ >= 0) ::close(fd_);
  }
  FdCloser(const FdCloser&) = delete;
  FdCloser& operator=(const FdCloser&) = delete;
  int release() {
    int fd = fd_;
    fd_ = -1;
    return fd;
  }

 private:
  int fd_;
};

int open_retrying(const char* path, int flags, mode_t mode = 0) {
  int fd;
  do {
    fd = ::open(path, flags | O_CLOEXEC, mode);
  } while (fd < 0 && errno == EINTR);
  return fd;
}

Status write_all(int fd, const std::filesystem::path& path, std::string_view bytes,
                 uint64_t* written) {
  while (!bytes.empty()) {
    ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return os_error("write", path, errno);
    }
    bytes.remove_prefix(static_cast<size_t>(n));
    if (written != nullptr) *written += static_cast<uint64_t>(n);
  }
  return Status::ok();
}

Result<uint64_t> file_size(int fd, const std::filesystem::path& path) {
  struct stat st;
  if (::fstat(fd, &st) != 0) return os_error("fstat", path, errno);
  if (!S_ISREG(st.st_mode)) {
    return make_error(ErrorCode::kIoError, "not a regular file: " + path.string());
  }
  return static_cast<uint64_t>(st.st_size);
}

std::filesystem::path parent_or_dot(const std::filesystem::path& path) {
  std::filesystem::path parent = path.parent_path();
  return parent.empty() ? std::filesystem::path(".") : parent;
}

}  // namespace

Result<std::string> read_file(const std::filesystem::path& path) {
  TESSERA_ASSIGN_OR_RETURN(std::unique_ptr<RandomAccessFile> file, RandomAccessFile::open(path));
  if (file->size_bytes() > kMaxReadFileBytes) {
    return make_error(ErrorCode::kLimitExceeded,
                      path.string() + ": " + std::to_string(file->size_bytes()) +
                          " bytes exceeds the whole-file read limit of " +
                          std::to_string(kMaxReadFileBytes));
  }
  std::string contents;
  TESSERA_RETURN_IF_ERROR(file->read_at(0, static_cast<size_t>(file->size_bytes()), &contents));
  return contents;
}

Status write_file_durably(const std::filesystem::path& path, std::string_view contents) {
  if (FaultInjector::is_armed()) {
    InjectedFault fault = FaultInjector::consult(FaultOp::kWriteFileDurably, path);
    if (fault.error != 0) return os_error("write", path, fault.error);
  }
  std::filesystem::path tmp = path;
  tmp += ".tmp";
  int fd = open_retrying(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) return os_error("create", tmp, errno);
  FdCloser closer(fd);
  TESSERA_RETURN_IF_ERROR(write_all(fd, tmp, contents, nullptr));
  if (::fsync(fd) != 0) return os_error("fsync", tmp, errno);
  if (::close(closer.release()) != 0) return os_error("close", tmp, errno);
  if (::rename(tmp.c_str(), path.c_str()) != 0)
    return os_error("rename to " + path.string(), tmp, errno);
  return fsync_directory(parent_or_dot(path));
}

Status fsync_directory(const std::filesystem::path& dir) {
  if (FaultInjector::is_armed()) {
    InjectedFault fault = FaultInjector::consult(FaultOp::kFsyncDirectory, dir);
    if (fault.error != 0) return os_error("fsync directory", dir, fault.error);
  }
  int fd = open_retrying(dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd < 0) return os_error("open directory", dir, errno);
  FdCloser closer(fd);
  if (::fsync(fd) != 0) return os_error("fsync directory", dir, errno);
  return Status::ok();
}

Status create_directories_durably(const std::filesystem::path& dir) {
  // The components that do not exist yet, innermost first.
  std::vector<std::filesystem::path> missing;
  for (std::filesystem::path p = dir; !p.empty(); p = p.parent_path()) {
    std::error_code ec;
    if (std::filesystem::exists(p, ec) || ec) break;
    missing.push_back(p);
    if (p == p.parent_path()) break;  // the root
  }
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return os_error("create directory", dir, ec.value());
  // A new directory's entry is durable only once its parent is fsynced.
  for (auto it = missing.rbegin(); it != missing.rend(); ++it) {
    TESSERA_RETURN_IF_ERROR(fsync_directory(parent_or_dot(*it)));
  }
  return Status::ok();
}

Status truncate_file(const std::filesystem::path& path, uint64_t size_bytes) {
  if (FaultInjector::is_armed()) {
    InjectedFault fault = FaultInjector::consult(FaultOp::kTruncate, path);
    if (fault.error != 0) return os_error("truncate", path, fault.error);
  }
  int fd = open_retrying(path.c_str(), O_WRONLY);
  if (fd < 0) return os_error("open", path, errno);
  FdCloser closer(fd);
  int rc;
  do {
    rc = ::ftruncate(fd, static_cast<off_t>(size_bytes));
  } while (rc != 0 && errno == EINTR);
  if (rc != 0) return os_error("truncate", path, errno);
  if (::fsync(fd) != 0) return os_error("fsync", path, errno);
  return Status::ok();
}

Result<std::unique_ptr<AppendFile>> AppendFile::create(const std::filesystem::path& path) {
  int fd = open_retrying(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_APPEND, 0644);
  if (fd < 0) return os_error("create", path, errno);
  return std::unique_ptr<AppendFile>(new AppendFile(path, fd, 0));
}

Result<std::unique_ptr<AppendFile>> AppendFile::open_existing(const std::filesystem::path& path) {
  int fd = open_retrying(path.c_str(), O_WRONLY | O_APPEND);
  if (fd < 0) return os_error("open for append", path, errno);
  FdCloser closer(fd);
  TESSERA_ASSIGN_OR_RETURN(uint64_t size, file_size(fd, path));
  return std::unique_ptr<AppendFile>(new AppendFile(path, closer.release(), size));
}

AppendFile::~AppendFile() { ::close(fd_); }

Status AppendFile::append(std::string_view bytes) {
  if (FaultInjector::is_armed()) {
    InjectedFault fault = FaultInjector::consult(FaultOp::kAppend, path_);
    if (fault.error != 0) {
      // A disk that fills part-way: some bytes land, then the write fails.
      std::string_view prefix = bytes.substr(0, std::min(fault.write_prefix_bytes, bytes.size()));
      TESSERA_RETURN_IF_ERROR(write_all(fd_, path_, prefix, &size_bytes_));
      return os_error("write", path_, fault.error);
    }
  }
  return write_all(fd_, path_, bytes, &size_bytes_);
}

Status AppendFile::sync() {
  if (FaultInjector::is_armed()) {
    InjectedFault fault = FaultInjector::consult(FaultOp::kSync, path_);
    if (fault.error != 0) return os_error("fdatasync", path_, fault.error);
  }
  if (::fdatasync(fd_) != 0) return os_error("fdatasync", path_, errno);
  return Status::ok();
}

Status AppendFile::truncate(uint64_t size_bytes) {
  if (FaultInjector::is_armed()) {
    InjectedFault fault = FaultInjector::consult(FaultOp::kTruncate, path_);
    if (fault.error != 0) return os_error("truncate", path_, fault.error);
  }
  size_bytes = std::min(size_bytes, size_bytes_);
  int rc;
  do {
    rc = ::ftruncate(fd_, static_cast<off_t>(size_bytes));
  } while (rc != 0 && errno == EINTR);
  if (rc != 0) return os_error("truncate", path_, errno);
  // O_APPEND: the next write goes to the new end.
  if (::fdatasync(fd_) != 0) return os_error("fdatasync", path_, errno);
  size_bytes_ = size_bytes;
  return Status::ok();
}

Result<std::unique_ptr<RandomAccessFile>> RandomAccessFile::open(
    const std::filesystem::path& path) {
  int fd = open_retrying(path.c_str(), O_RDONLY);
  if (fd < 0) return os_error("open", path, errno);
  FdCloser closer(fd);
  TESSERA_ASSIGN_OR_RETURN(uint64_t size, file_size(fd, path));
  return std::unique_ptr<RandomAccessFile>(new RandomAccessFile(path, closer.release(), size));
}

RandomAccessFile::~RandomAccessFile() { ::close(fd_); }

Status RandomAccessFile::read_at(uint64_t offset, size_t length, std::string* out) const {
  if (offset > size_bytes_ || length > size_bytes_ - offset) return past_end(offset, length);
  out->resize(length);
  return read_at(offset, std::span<char>(out->data(), length));
}

Status RandomAccessFile::read_at(uint64_t offset, std::span<char> out) const {
  const size_t length = out.size();
  if (offset > size_bytes_ || length > size_bytes_ - offset) return past_end(offset, length);
  size_t done = 0;
  while (done < length) {
    ssize_t n = ::pread(fd_, out.data() + done, length - done, static_cast<off_t>(offset + done));
    if (n < 0) {
      if (errno == EINTR) continue;
      return os_error("read @ " + std::to_string(offset + done) + " of", path_, errno);
    }
    if (n == 0) {
      return make_error(ErrorCode::kCorruption,
                        path_.string() + " @ " + std::to_string(offset + done) +
                            ": file ended early (short read of " + std::to_string(length) +
                            " bytes at offset " + std::to_string(offset) + ")");
    }
    done += static_cast<size_t>(n);
  }
  return Status::ok();
}

Status RandomAccessFile::past_end(uint64_t offset, size_t length) const {
  return make_error(ErrorCode::kCorruption, path_.string() + " @ " + std::to_string(offset) +
                                                ": read of " + std::to_string(length) +
                                                " bytes runs past the end of the " +
                                                std::to_string(size_bytes_) + "-byte file");
}

}  // namespace tessera::storage
