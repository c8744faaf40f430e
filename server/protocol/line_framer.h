// LineFramer: splits a byte stream into '\n'-terminated lines, incrementally, with
// bounded memory. Used by both ports: the ingest session (lines of line protocol)
// and the query session (one statement per line). Pure: no sockets.
//
// Lines are numbered from 1 over the whole connection, every line counted (control
// lines, blank lines and oversize lines too), as the ingest `err` replies require.
// A trailing '\r' is removed ("\r\n" endings). A line longer than max_line_bytes
// (excluding its terminator) is reported once as oversize and its bytes are
// discarded as they arrive: it is never buffered whole.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace tessera::server {

struct FramedLine {
  // Without '\n' and a trailing '\r'. Empty when is_oversize.
  std::string_view text;
  uint64_t line_number = 0;
  bool is_oversize = false;
};

class LineFramer {
 public:
  static constexpr size_t kDefaultMaxLineBytes = size_t{1} << 20;

  explicit LineFramer(size_t max_line_bytes = kDefaultMaxLineBytes)
      : max_line_bytes_(max_line_bytes) {}

  // Appends the lines completed by `bytes` to `out` (which is not cleared).
  // The views in `out` point into `bytes` or into this framer, and stay valid until
  // the next call to feed() or finish() and while `bytes` is alive and unchanged.
  // Memory held between calls is at most max_line_bytes.
  void feed(std::string_view bytes, std::vector<FramedLine>& out);

  // End of stream: a final line without '\n' (if any bytes are pending) is appended
  // to `out` as if it had been terminated. Views follow feed()'s rules.
  void finish(std::vector<FramedLine>& out);

  // "line exceeds <max_line_bytes> bytes": the reason given for oversize lines.
  std::string oversize_reason() const;

  size_t max_line_bytes() const { return max_line_bytes_; }
  // Lines completed so far.
  uint64_t lines_seen() const { return next_line_number_ - 1; }

 private:
  void emit(std::string_view text, std::vector<FramedLine>& out);

  size_t max_line_bytes_;
  uint64_t next_line_number_ = 1;
  std::string pending_;         // start of an unfinished line (<= max_line_bytes_)
  std::string assembled_;       // pending_ + its end, completed during the last feed
  bool is_discarding_ = false;  // inside an oversize line: drop bytes up to '\n'
};

}  // namespace tessera::server
