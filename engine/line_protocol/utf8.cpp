#include "engine/line_protocol/utf8.h"

#include <cstdint>
#include <cstring>

namespace tessera::engine {
namespace {

constexpr uint64_t kHighBits = 0x8080808080808080ULL;

bool is_continuation(unsigned char byte) { return (byte & 0xC0) == 0x80; }

// Length of the valid sequence starting at text[i] (a byte >= 0x80), or 0.
// The ranges are RFC 3629's table 3-7: the second byte is narrowed for E0
// (overlongs), ED (surrogates), F0 (overlongs) and F4 (above U+10FFFF).
size_t multibyte_length(std::string_view text, size_t i) {
  const auto lead = static_cast<unsigned char>(text[i]);
  size_t length = 0;
  unsigned char second_min = 0x80;
  unsigned char second_max = 0xBF;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    if (lead == 0xE0) second_min = 0xA0;
    if (lead == 0xED) second_max = 0x9F;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    if (lead == 0xF0) second_min = 0x90;
    if (lead == 0xF4) second_max = 0x8F;
  } else {
    return 0;  // a continuation byte, C0/C1 (always overlong) or F5..FF
  }
  if (text.size() - i < length) return 0;
  const auto second = static_cast<unsigned char>(text[i + 1]);
  if (second < second_min || second > second_max) return 0;
  for (size_t k = 2; k < length; ++k) {
    if (!is_continuation(static_cast<unsigned char>(text[i + k]))) return 0;
  }
  return length;
}

}  // namespace

size_t utf8_valid_prefix(std::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    // Skip ASCII eight bytes at a time: most metric text is plain ASCII.
    while (text.size() - i >= sizeof(uint64_t)) {
      uint64_t word;
      std::memcpy(&word, text.data() + i, sizeof(word));
      if ((word & kHighBits) != 0) break;
      i += sizeof(word);
    }
    if (i >= text.size()) break;
    if (static_cast<unsigned char>(text[i]) < 0x80) {
      ++i;
      continue;
    }
    const size_t length = multibyte_length(text, i);
    if (length == 0) return i;
    i += length;
  }
  return text.size();
}

bool is_ascii(std::string_view text) {
  size_t i = 0;
  uint64_t seen = 0;
  for (; text.size() - i >= sizeof(uint64_t); i += sizeof(uint64_t)) {
    uint64_t word;
    std::memcpy(&word, text.data() + i, sizeof(word));
    seen |= word;
  }
  for (; i < text.size(); ++i) seen |= static_cast<unsigned char>(text[i]);
  return (seen & kHighBits) == 0;
}

}  // namespace tessera::engine
