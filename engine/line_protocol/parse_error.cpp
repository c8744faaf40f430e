#include "engine/line_protocol/parse_error.h"

#include <algorithm>

#include "engine/line_protocol/utf8.h"

namespace tessera::engine::detail {

std::string quote(std::string_view text) {
  std::string out = "\"";
  const size_t limit = std::min(text.size(), kMaxQuotedBytes);
  size_t i = 0;
  while (i < limit) {
    const auto byte = static_cast<unsigned char>(text[i]);
    if (byte >= 0x80) {
      // Keep a whole valid character; its length follows from the lead byte.
      const size_t length = byte >= 0xF0 ? 4 : byte >= 0xE0 ? 3 : 2;
      if (utf8_valid_prefix(text.substr(i, 4)) >= length) {
        out.append(text.substr(i, length));
        i += length;
        continue;
      }
    }
    if (byte == '"' || byte == '\\') {
      out += '\\';
      out += static_cast<char>(byte);
    } else if (byte < 0x20 || byte >= 0x7F) {
      static constexpr char kHex[] = "0123456789abcdef";
      out += "\\x";
      out += kHex[byte >> 4];
      out += kHex[byte & 0xF];
    } else {
      out += static_cast<char>(byte);
    }
    ++i;
  }
  if (text.size() > limit) out += "...";
  out += '"';
  return out;
}

Error error_at(ErrorCode code, size_t pos, std::string_view what) {
  std::string message = "col ";
  message += std::to_string(pos + 1);
  message += ": ";
  message += what;
  return make_error(code, std::move(message));
}

}  // namespace tessera::engine::detail
