#include "server/loadgen/pass_time_shift.h"

#include <algorithm>
#include <charconv>
#include <cstring>
#include <fstream>
#include <limits>

namespace tessera::loadgen {
namespace {
constexpr size_t kReadChunkBytes = size_t{1} << 20;
}  // namespace

std::optional<int64_t> line_timestamp_ns(std::string_view line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  const size_t space = line.rfind(' ');
  // A timestamp follows the measurement and the field set, so two spaces at least.
  if (space == std::string_view::npos || space == 0 || line.find(' ') == space) return std::nullopt;
  const std::string_view token = line.substr(space + 1);
  int64_t value = 0;
  auto [end, ec] = std::from_chars(token.data(), token.data() + token.size(), value);
  if (ec != std::errc() || end != token.data() + token.size() || token.empty()) return std::nullopt;
  return value;
}

Status append_shifted_line(std::string_view line, int64_t offset_ns, std::string& out) {
  const std::optional<int64_t> t = offset_ns == 0 ? std::nullopt : line_timestamp_ns(line);
  if (!t) {
    out.append(line);
    out += '\n';
    return Status::ok();
  }
  int64_t shifted = 0;
  if (__builtin_add_overflow(*t, offset_ns, &shifted)) {
    return make_error(ErrorCode::kLimitExceeded, "timestamp " + std::to_string(*t) +
                                                     " shifted by " + std::to_string(offset_ns) +
                                                     " ns does not fit in 64 bits");
  }
  // line_timestamp_ns found the timestamp after the last space (a '\r' before the
  // '\n' goes: the server ignores it anyway).
  out.append(line.substr(0, line.rfind(' ') + 1));
  char digits[24];
  auto [end, ec] = std::to_chars(digits, digits + sizeof digits, shifted);
  out.append(digits, end);
  out += '\n';
  return Status::ok();
}

Result<int64_t> files_time_span_ns(const std::vector<std::filesystem::path>& files) {
  int64_t min_ns = std::numeric_limits<int64_t>::max();
  int64_t max_ns = std::numeric_limits<int64_t>::min();
  std::string buffer;
  for (const auto& path : files) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return make_error(ErrorCode::kIoError, "cannot open " + path.string());
    buffer.clear();
    while (true) {
      const size_t old = buffer.size();
      buffer.resize(old + kReadChunkBytes);
      in.read(buffer.data() + old, static_cast<std::streamsize>(kReadChunkBytes));
      buffer.resize(old + static_cast<size_t>(in.gcount()));
      if (in.bad()) return make_error(ErrorCode::kIoError, "cannot read " + path.string());
      const bool at_end = buffer.size() == old;
      if (at_end && !buffer.empty() && buffer.back() != '\n') buffer += '\n';
      size_t pos = 0;
      while (true) {
        const void* found = std::memchr(buffer.data() + pos, '\n', buffer.size() - pos);
        if (found == nullptr) break;
        const size_t end = static_cast<size_t>(static_cast<const char*>(found) - buffer.data());
        const std::string_view line(buffer.data() + pos, end - pos);
        pos = end + 1;
        if (line.empty() || line.front() == '#') continue;
        if (auto t = line_timestamp_ns(line)) {
          min_ns = std::min(min_ns, *t);
          max_ns = std::max(max_ns, *t);
        }
      }
      buffer.erase(0, pos);
      if (at_end) break;
    }
  }
  if (min_ns > max_ns) {
    return make_error(ErrorCode::kInvalidInput,
                      "shifting looped passes: the data files hold no line with a timestamp");
  }
  // In unsigned arithmetic: max - min + 1 may pass INT64_MAX only for absurd data.
  const uint64_t width = static_cast<uint64_t>(max_ns) - static_cast<uint64_t>(min_ns) + 1;
  const uint64_t days = (width + kNanosPerDay - 1) / kNanosPerDay;
  if (days > static_cast<uint64_t>(std::numeric_limits<int64_t>::max() / kNanosPerDay)) {
    return make_error(ErrorCode::kInvalidInput,
                      "shifting looped passes: the data files' timestamps span too long a time");
  }
  return static_cast<int64_t>(days) * kNanosPerDay;
}

}  // namespace tessera::loadgen
