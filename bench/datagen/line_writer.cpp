#include "bench/datagen/line_writer.h"

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>

namespace tessera::datagen {
namespace {

constexpr int64_t kPow10[] = {1, 10, 100, 1000, 10000, 100000, 1000000};

void put_int(std::string& buf, int64_t value) {
  char tmp[24];
  auto res = std::to_chars(tmp, tmp + sizeof tmp, value);
  buf.append(tmp, res.ptr);
}

void put_scaled(std::string& buf, int64_t scaled, int decimals) {
  if (decimals == 0) {
    put_int(buf, scaled);
    return;
  }
  // Work on the magnitude as unsigned so INT64_MIN cannot overflow.
  uint64_t magnitude =
      scaled < 0 ? 0 - static_cast<uint64_t>(scaled) : static_cast<uint64_t>(scaled);
  if (scaled < 0) buf.push_back('-');
  const auto pow = static_cast<uint64_t>(kPow10[decimals]);
  char tmp[24];
  auto res = std::to_chars(tmp, tmp + sizeof tmp, magnitude / pow);
  buf.append(tmp, res.ptr);
  buf.push_back('.');
  uint64_t frac = magnitude % pow;
  char digits[8];
  for (int i = decimals - 1; i >= 0; --i) {
    digits[i] = static_cast<char>('0' + frac % 10);
    frac /= 10;
  }
  buf.append(digits, static_cast<size_t>(decimals));
}

}  // namespace

LineWriter::~LineWriter() {
  if (file_ != nullptr) std::fclose(file_);
}

Status LineWriter::open(const std::filesystem::path& path) {
  path_text_ = path.string();
  file_ = std::fopen(path_text_.c_str(), "wb");
  if (file_ == nullptr) {
    return make_error(ErrorCode::kIoError,
                      "cannot create " + path_text_ + ": " + std::strerror(errno));
  }
  buf_.reserve(kFlushBytes + (size_t{64} << 10));
  return Status::ok();
}

void LineWriter::flush() {
  if (buf_.empty()) return;
  if (file_ != nullptr && !write_failed_ &&
      std::fwrite(buf_.data(), 1, buf_.size(), file_) != buf_.size()) {
    write_failed_ = true;
  }
  bytes_written_ += buf_.size();
  buf_.clear();
}

Status LineWriter::finish() {
  flush();
  if (file_ == nullptr) return Status::ok();
  const bool close_failed = std::fclose(file_) != 0;
  file_ = nullptr;
  if (write_failed_ || close_failed) {
    return make_error(ErrorCode::kIoError, "writing " + path_text_ + " failed (disk full?)");
  }
  return Status::ok();
}

void LineWriter::int_field(std::string_view key, int64_t value) {
  field_key(key);
  put_int(buf_, value);
  buf_.push_back('i');
}

void LineWriter::bool_field(std::string_view key, bool value) {
  field_key(key);
  buf_.append(value ? "true" : "false");
}

void LineWriter::scaled_field(std::string_view key, int64_t scaled, int decimals) {
  field_key(key);
  put_scaled(buf_, scaled, decimals);
}

void LineWriter::float4_field(std::string_view key, double value) {
  field_key(key);
  char tmp[400];
  auto res = std::to_chars(tmp, tmp + sizeof tmp, value, std::chars_format::fixed, 4);
  char* end = res.ptr;
  // Trim "35.5000" to "35.5" and "12.0000" to "12"; "-0" stays a valid float.
  while (end[-1] == '0') --end;
  if (end[-1] == '.') --end;
  buf_.append(tmp, end);
}

void LineWriter::end_line(int64_t timestamp_ns) {
  buf_.push_back(' ');
  put_int(buf_, timestamp_ns);
  buf_.push_back('\n');
  ++rows_;
  maybe_flush();
}

void LineWriter::raw_line(std::string_view text) {
  buf_.append(text);
  ++rows_;
  maybe_flush();
}

void LineWriter::append_int(int64_t value) { put_int(buf_, value); }

void LineWriter::append_scaled(int64_t scaled, int decimals) { put_scaled(buf_, scaled, decimals); }

}  // namespace tessera::datagen
