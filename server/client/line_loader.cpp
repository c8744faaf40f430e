#include "server/client/line_loader.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>

#include "server/client/tcp_client.h"

namespace tessera::server {
namespace {

constexpr size_t kReadChunkBytes = size_t{1} << 20;
constexpr size_t kSendBufferBytes = 256 * 1024;

// Where a run of connection lines came from, to report `err` lines as file:line.
struct Segment {
  uint64_t first_connection_line;
  size_t file_index;  // SIZE_MAX: control lines of the loader itself
  uint64_t first_file_line;
};

class Loader {
 public:
  Loader(const std::vector<std::filesystem::path>& files, const LoadOptions& options)
      : files_(files), options_(options) {}

  Result<LoadSummary> run() {
    const auto start = std::chrono::steady_clock::now();
    for (const auto& file : files_) {
      std::error_code ec;
      const auto size = std::filesystem::file_size(file, ec);
      if (ec)
        return make_error(ErrorCode::kIoError,
                          "cannot read " + file.string() + ": " + ec.message());
      total_bytes_ += size;
    }
    TESSERA_ASSIGN_OR_RETURN(client_, TcpClient::connect(options_.host, options_.port));
    if (options_.token) append_control("#auth " + *options_.token);
    for (size_t i = 0; i < files_.size(); ++i) TESSERA_RETURN_IF_ERROR(send_file(i));
    TESSERA_RETURN_IF_ERROR(send_sync());
    while (outstanding_syncs_ > 0) TESSERA_RETURN_IF_ERROR(read_reply());
    client_->shutdown_send();
    if (options_.show_progress) std::fputs("\n", stderr);
    summary_.files = files_.size();
    summary_.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return summary_;
  }

 private:
  void append_control(const std::string& line) {
    segments_.push_back({next_connection_line_, SIZE_MAX, 0});
    out_ += line;
    out_ += '\n';
    ++next_connection_line_;
  }

  Status send_file(size_t index) {
    std::ifstream in(files_[index], std::ios::binary);
    if (!in) return make_error(ErrorCode::kIoError, "cannot open " + files_[index].string());
    uint64_t file_line = 1;
    segments_.push_back({next_connection_line_, index, file_line});
    std::string chunk(kReadChunkBytes, '\0');
    bool ends_with_newline = true;
    while (in) {
      in.read(chunk.data(), static_cast<std::streamsize>(chunk.size()));
      const size_t n = static_cast<size_t>(in.gcount());
      if (n == 0) break;
      if (in.bad()) return make_error(ErrorCode::kIoError, "cannot read " + files_[index].string());
      size_t pos = 0;
      while (pos < n) {
        const void* found = std::memchr(chunk.data() + pos, '\n', n - pos);
        const size_t end =
            found ? static_cast<size_t>(static_cast<const char*>(found) - chunk.data()) + 1 : n;
        out_.append(chunk.data() + pos, end - pos);
        bytes_sent_ += end - pos;
        pos = end;
        if (found == nullptr) break;  // the line continues in the next chunk
        ++file_line;
        ++next_connection_line_;
        ++summary_.lines_sent;
        if (++lines_since_sync_ >= options_.sync_every_lines) {
          TESSERA_RETURN_IF_ERROR(send_sync());
          segments_.push_back({next_connection_line_, index, file_line});
        }
        if (out_.size() >= kSendBufferBytes) TESSERA_RETURN_IF_ERROR(flush());
      }
      ends_with_newline = n > 0 && chunk[n - 1] == '\n';
    }
    if (!ends_with_newline) {
      out_ += '\n';
      ++next_connection_line_;
      ++summary_.lines_sent;
      ++lines_since_sync_;
    }
    return Status::ok();
  }

  Status send_sync() {
    append_control("#sync " + std::to_string(++syncs_sent_));
    lines_since_sync_ = 0;
    TESSERA_RETURN_IF_ERROR(flush());
    ++outstanding_syncs_;
    // One acknowledgement in flight while the next batch is sent: the server is
    // never blocked on replies we do not read, and we rarely wait for an fsync.
    while (outstanding_syncs_ > 1) TESSERA_RETURN_IF_ERROR(read_reply());
    return Status::ok();
  }

  Status flush() {
    Status status = client_->write_all(out_);
    out_.clear();
    show_progress();
    if (!status.is_ok()) {
      // The server may have said why before closing (e.g. a refused #auth).
      while (true) {
        auto line = client_->read_line();
        if (!line.is_ok()) break;
        print_err(*line);
      }
    }
    return status;
  }

  Status read_reply() {
    while (true) {
      auto line = client_->read_line();
      if (!line.is_ok()) return line.status();
      if (line->starts_with("ok ")) {
        --outstanding_syncs_;
        uint64_t accepted = 0, rejected = 0;
        const size_t a = line->find(" accepted=");
        const size_t r = line->find(" rejected=");
        if (a == std::string::npos || r == std::string::npos) {
          return make_error(ErrorCode::kInvalidInput, "malformed ack: " + *line);
        }
        accepted = std::strtoull(line->c_str() + a + 10, nullptr, 10);
        rejected = std::strtoull(line->c_str() + r + 10, nullptr, 10);
        summary_.accepted += accepted;
        summary_.rejected += rejected;
        return Status::ok();
      }
      if (!line->starts_with("err ")) {
        return make_error(ErrorCode::kInvalidInput, "unexpected reply: " + *line);
      }
      print_err(*line);
    }
  }

  // Prints "file:line: reason" for `err <connection-line> <reason>`.
  void print_err(const std::string& line) {
    if (options_.err_out == nullptr || !line.starts_with("err ")) return;
    if (errs_printed_++ >= options_.max_err_lines_printed) {
      if (errs_printed_ == options_.max_err_lines_printed + 1) {
        std::fprintf(options_.err_out, "(further rejected lines not shown)\n");
      }
      return;
    }
    const std::string rest = line.substr(4);
    const size_t space = rest.find(' ');
    const std::string where = rest.substr(0, space);
    const std::string reason = space == std::string::npos ? "" : rest.substr(space + 1);
    char* end = nullptr;
    const uint64_t number = std::strtoull(where.c_str(), &end, 10);
    if (where.empty() || *end != '\0' || segments_.empty()) {
      std::fprintf(options_.err_out, "error: %s\n", reason.c_str());
      return;
    }
    auto it =
        std::upper_bound(segments_.begin(), segments_.end(), number,
                         [](uint64_t n, const Segment& s) { return n < s.first_connection_line; });
    if (it == segments_.begin() || std::prev(it)->file_index == SIZE_MAX) {
      std::fprintf(options_.err_out, "line %llu: %s\n", static_cast<unsigned long long>(number),
                   reason.c_str());
      return;
    }
    const Segment& s = *std::prev(it);
    std::fprintf(
        options_.err_out, "%s:%llu: %s\n", files_[s.file_index].string().c_str(),
        static_cast<unsigned long long>(s.first_file_line + (number - s.first_connection_line)),
        reason.c_str());
  }

  void show_progress() {
    if (!options_.show_progress || total_bytes_ == 0) return;
    const auto now = std::chrono::steady_clock::now();
    if (now - last_progress_ < std::chrono::milliseconds(100) && bytes_sent_ < total_bytes_) return;
    last_progress_ = now;
    const double fraction =
        std::min(1.0, static_cast<double>(bytes_sent_) / static_cast<double>(total_bytes_));
    const int width = 40;
    const int filled = static_cast<int>(fraction * width);
    std::fprintf(stderr, "\r[%.*s%*s] %3d%% %llu lines", filled,
                 "########################################", width - filled, "",
                 static_cast<int>(fraction * 100),
                 static_cast<unsigned long long>(summary_.lines_sent));
    std::fflush(stderr);
  }

  const std::vector<std::filesystem::path>& files_;
  const LoadOptions& options_;
  std::unique_ptr<TcpClient> client_;
  LoadSummary summary_;
  std::string out_;
  std::vector<Segment> segments_;
  uint64_t next_connection_line_ = 1;
  uint64_t lines_since_sync_ = 0;
  uint64_t syncs_sent_ = 0;
  uint64_t outstanding_syncs_ = 0;
  uint64_t total_bytes_ = 0, bytes_sent_ = 0;
  size_t errs_printed_ = 0;
  std::chrono::steady_clock::time_point last_progress_{};
};

}  // namespace

Result<LoadSummary> load_files(const std::vector<std::filesystem::path>& files,
                               const LoadOptions& options) {
  return Loader(files, options).run();
}

}  // namespace tessera::server
