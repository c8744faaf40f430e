// LineWriter: builds InfluxDB line-protocol lines (and other text rows) in a
// large buffer and writes it to a file in big chunks. Numbers are formatted
// with std::to_chars; decimal values are printed from scaled integers
// (cents, hundredths, milliseconds), so "12.30" is exact and never rounded
// through a double.
//
// Line shape: <prefix><field>=<value>[,<field>=<value>...] <timestamp_ns>\n
// where <prefix> is "measurement,tag=v,... " with tags sorted by key, supplied
// by the caller (precomputed per series). Integers carry the `i` suffix,
// booleans are true/false, floats are plain decimals; absent fields are
// simply not added.
//
// Not thread-safe. Errors (open, write, close) are reported by open() and
// finish(); a failed write is remembered and reported by finish().
#pragma once

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <string>
#include <string_view>

#include "storage/base/status.h"

namespace tessera::datagen {

class LineWriter {
 public:
  // Bytes buffered before a write to the file.
  static constexpr size_t kFlushBytes = size_t{4} << 20;

  LineWriter() = default;
  ~LineWriter();
  LineWriter(const LineWriter&) = delete;
  LineWriter& operator=(const LineWriter&) = delete;

  // Creates (truncates) `path`. kIoError when it cannot be opened.
  Status open(const std::filesystem::path& path);
  // Flushes and closes. kIoError if any write or the close failed.
  Status finish();

  // Line protocol.
  void begin_line(std::string_view prefix) {
    buf_.append(prefix);
    first_field_ = true;
  }
  void int_field(std::string_view key, int64_t value);
  void bool_field(std::string_view key, bool value);
  // value / 10^decimals printed with exactly `decimals` digits (0 <= decimals <= 6).
  void scaled_field(std::string_view key, int64_t scaled, int decimals);
  // A double printed with at most 4 decimals, trailing zeros trimmed ("35.5", "12").
  void float4_field(std::string_view key, double value);
  void end_line(int64_t timestamp_ns);
  // A whole line (with its '\n') built by the caller, e.g. a precomputed one.
  void raw_line(std::string_view text);

  // Plain text (CSV rows, manifest); `rows()` is not counted.
  void append(std::string_view text) {
    buf_.append(text);
    maybe_flush();
  }
  void append_int(int64_t value);
  void append_scaled(int64_t scaled, int decimals);

  uint64_t rows() const { return rows_; }
  uint64_t bytes() const { return bytes_written_ + buf_.size(); }

 private:
  void field_key(std::string_view key) {
    if (!first_field_) buf_.push_back(',');
    first_field_ = false;
    buf_.append(key);
    buf_.push_back('=');
  }
  void maybe_flush() {
    if (buf_.size() >= kFlushBytes) flush();
  }
  void flush();

  std::FILE* file_ = nullptr;
  std::string path_text_;
  std::string buf_;
  bool first_field_ = true;
  bool write_failed_ = false;
  uint64_t rows_ = 0;
  uint64_t bytes_written_ = 0;
};

}  // namespace tessera::datagen
