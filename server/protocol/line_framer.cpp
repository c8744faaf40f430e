#include "server/protocol/line_framer.h"

#include <cstring>

namespace tessera::server {

void LineFramer::emit(std::string_view text, std::vector<FramedLine>& out) {
  if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
  const uint64_t number = next_line_number_++;
  if (text.size() > max_line_bytes_) {
    out.push_back({{}, number, true});
  } else {
    out.push_back({text, number, false});
  }
}

void LineFramer::feed(std::string_view bytes, std::vector<FramedLine>& out) {
  assembled_.clear();
  size_t pos = 0;
  while (pos < bytes.size()) {
    const void* found = std::memchr(bytes.data() + pos, '\n', bytes.size() - pos);
    if (found == nullptr) break;
    const size_t end = static_cast<size_t>(static_cast<const char*>(found) - bytes.data());
    const std::string_view piece = bytes.substr(pos, end - pos);
    pos = end + 1;
    if (is_discarding_) {
      // The oversize line was already reported when it crossed the limit.
      is_discarding_ = false;
      continue;
    }
    if (!pending_.empty()) {
      // Only the first line of a feed can continue pending bytes, so one
      // assembled buffer per feed is enough.
      assembled_ = std::move(pending_);
      pending_.clear();
      assembled_.append(piece.data(), std::min(piece.size(), max_line_bytes_ + 2));
      emit(assembled_, out);
    } else {
      emit(piece, out);
    }
  }
  if (pos == bytes.size() || is_discarding_) return;
  const std::string_view rest = bytes.substr(pos);
  // +1: a line of exactly max_line_bytes may still be followed by its '\r'.
  if (pending_.size() + rest.size() > max_line_bytes_ + 1) {
    pending_.clear();
    is_discarding_ = true;
    out.push_back({{}, next_line_number_++, true});
    return;
  }
  pending_.append(rest);
}

void LineFramer::finish(std::vector<FramedLine>& out) {
  assembled_.clear();
  if (is_discarding_) {
    is_discarding_ = false;
    return;
  }
  if (pending_.empty()) return;
  assembled_ = std::move(pending_);
  pending_.clear();
  emit(assembled_, out);
}

std::string LineFramer::oversize_reason() const {
  return "line exceeds " + std::to_string(max_line_bytes_) + " bytes";
}

}  // namespace tessera::server
