#include "server/loadgen/line_block_source.h"

#include <algorithm>
#include <cstring>

namespace tessera::loadgen {
namespace {
constexpr size_t kReadChunkBytes = size_t{1} << 20;
}  // namespace

LineBlockSource::LineBlockSource(std::vector<std::filesystem::path> files, uint64_t lines_per_block,
                                 bool loop, PassShift shift)
    : files_(std::move(files)), lines_per_block_(lines_per_block), loop_(loop), shift_(shift) {}

Status LineBlockSource::fill() {
  buffer_.erase(0, pos_);
  pos_ = 0;
  while (true) {
    if (!is_open_) {
      if (file_index_ == files_.size()) {
        if (!loop_ || files_.empty()) return Status::ok();
        if (lines_this_pass_ == 0) {
          return make_error(ErrorCode::kInvalidInput, "--loop: the data files hold no lines");
        }
        file_index_ = 0;
        lines_this_pass_ = 0;
        ++pass_;
      }
      if (file_index_ == 0) {
        // A pass starts. The buffer is empty here (every file's bytes end in '\n' and
        // were handed out before fill() ran again), so the new offset applies exactly
        // to the new pass's lines.
        const uint64_t pass = shift_.first_pass + pass_;
        if (shift_.span_ns != 0 &&
            (pass > static_cast<uint64_t>(INT64_MAX) ||
             __builtin_mul_overflow(static_cast<int64_t>(pass), shift_.span_ns, &offset_ns_))) {
          return make_error(ErrorCode::kLimitExceeded, "pass " + std::to_string(pass) +
                                                           " of the data files: its time shift "
                                                           "does not fit in 64-bit nanoseconds");
        }
      }
      in_ = std::ifstream(files_[file_index_], std::ios::binary);
      if (!in_)
        return make_error(ErrorCode::kIoError, "cannot open " + files_[file_index_].string());
      is_open_ = true;
    }
    const size_t old = buffer_.size();
    buffer_.resize(old + kReadChunkBytes);
    in_.read(buffer_.data() + old, static_cast<std::streamsize>(kReadChunkBytes));
    const size_t n = static_cast<size_t>(in_.gcount());
    buffer_.resize(old + n);
    if (in_.bad())
      return make_error(ErrorCode::kIoError, "cannot read " + files_[file_index_].string());
    if (n > 0) return Status::ok();
    // End of this file: a last line without '\n' gets one.
    is_open_ = false;
    ++file_index_;
    if (!buffer_.empty() && buffer_.back() != '\n') buffer_ += '\n';
    if (!buffer_.empty()) return Status::ok();
  }
}

Result<uint64_t> LineBlockSource::next_block(std::string& out) {
  std::lock_guard lock(mu_);
  out.clear();
  uint64_t lines = 0;
  while (lines < lines_per_block_) {
    const void* found = pos_ < buffer_.size()
                            ? std::memchr(buffer_.data() + pos_, '\n', buffer_.size() - pos_)
                            : nullptr;
    if (found == nullptr) {
      if (buffer_.size() - pos_ > kMaxSourceLineBytes) {
        return make_error(ErrorCode::kLimitExceeded,
                          "a line longer than " + std::to_string(kMaxSourceLineBytes) +
                              " bytes in " +
                              files_[std::min(file_index_, files_.size() - 1)].string());
      }
      const size_t before = buffer_.size() - pos_;
      TESSERA_RETURN_IF_ERROR(fill());
      if (buffer_.size() == before) break;  // every file is sent
      continue;
    }
    const size_t end = static_cast<size_t>(static_cast<const char*>(found) - buffer_.data()) + 1;
    const std::string_view line(buffer_.data() + pos_, end - pos_);
    pos_ = end;
    if (line.size() <= 1 || line.front() == '#' || line == "\r\n") continue;
    if (offset_ns_ == 0) {
      out.append(line);
    } else {
      TESSERA_RETURN_IF_ERROR(
          append_shifted_line(line.substr(0, line.size() - 1), offset_ns_, out));
    }
    ++lines;
    ++lines_this_pass_;
  }
  return lines;
}

}  // namespace tessera::loadgen
