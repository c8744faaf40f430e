#include "engine/line_protocol/utf8.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <string>

namespace tessera::engine {
namespace {

// Independent encoder, straight from the bit layout of RFC 3629 section 3.
std::string encode(uint32_t code_point) {
  std::string out;
  if (code_point < 0x80) {
    out += static_cast<char>(code_point);
  } else if (code_point < 0x800) {
    out += static_cast<char>(0xC0 | (code_point >> 6));
    out += static_cast<char>(0x80 | (code_point & 0x3F));
  } else if (code_point < 0x10000) {
    out += static_cast<char>(0xE0 | (code_point >> 12));
    out += static_cast<char>(0x80 | ((code_point >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code_point & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (code_point >> 18));
    out += static_cast<char>(0x80 | ((code_point >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((code_point >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code_point & 0x3F));
  }
  return out;
}

// Reference validator by decoding: a sequence is valid when its decoded code
// point is a scalar value whose shortest encoding has exactly its length.
size_t reference_valid_prefix(const std::string& text) {
  size_t i = 0;
  while (i < text.size()) {
    const auto lead = static_cast<unsigned char>(text[i]);
    size_t length = 0;
    uint32_t code_point = 0;
    if (lead < 0x80) {
      length = 1;
      code_point = lead;
    } else if ((lead & 0xE0) == 0xC0) {
      length = 2;
      code_point = lead & 0x1F;
    } else if ((lead & 0xF0) == 0xE0) {
      length = 3;
      code_point = lead & 0x0F;
    } else if ((lead & 0xF8) == 0xF0) {
      length = 4;
      code_point = lead & 0x07;
    } else {
      return i;
    }
    if (text.size() - i < length) return i;
    for (size_t k = 1; k < length; ++k) {
      const auto byte = static_cast<unsigned char>(text[i + k]);
      if ((byte & 0xC0) != 0x80) return i;
      code_point = (code_point << 6) | (byte & 0x3F);
    }
    const bool is_scalar =
        code_point <= 0x10FFFF && !(code_point >= 0xD800 && code_point <= 0xDFFF);
    if (!is_scalar || encode(code_point).size() != length) return i;
    i += length;
  }
  return text.size();
}

TEST(Utf8Test, AcceptsEveryScalarValue) {
  for (uint32_t cp = 0; cp <= 0x10FFFF; ++cp) {
    if (cp >= 0xD800 && cp <= 0xDFFF) continue;
    const std::string text = "ab" + encode(cp) + "cdefghij";
    ASSERT_EQ(utf8_valid_prefix(text), text.size()) << std::hex << cp;
  }
}

TEST(Utf8Test, RejectsSurrogatesOverlongsAndTooLarge) {
  EXPECT_EQ(utf8_valid_prefix("ab\xed\xa0\x80"), 2u);    // U+D800
  EXPECT_EQ(utf8_valid_prefix("\xed\xbf\xbf"), 0u);      // U+DFFF
  EXPECT_EQ(utf8_valid_prefix("x\xc0\x80"), 1u);         // overlong NUL
  EXPECT_EQ(utf8_valid_prefix("\xc1\xbf"), 0u);          // overlong U+007F
  EXPECT_EQ(utf8_valid_prefix("\xe0\x9f\xbf"), 0u);      // overlong U+07FF
  EXPECT_EQ(utf8_valid_prefix("\xf0\x8f\xbf\xbf"), 0u);  // overlong U+FFFF
  EXPECT_EQ(utf8_valid_prefix("\xf4\x90\x80\x80"), 0u);  // U+110000
  EXPECT_EQ(utf8_valid_prefix("\xf5\x80\x80\x80"), 0u);
  EXPECT_EQ(utf8_valid_prefix("\xff"), 0u);
  EXPECT_EQ(utf8_valid_prefix("abc\x80"), 3u);              // stray continuation
  EXPECT_EQ(utf8_valid_prefix("abcdefghij\xe2\x82"), 10u);  // cut short
  EXPECT_EQ(utf8_valid_prefix("\xe2\x82x"), 0u);
}

TEST(Utf8Test, MatchesReferenceOnRandomBytes) {
  const uint32_t seed = 20240611;
  SCOPED_TRACE(std::string("seed ") + std::to_string(seed));
  std::mt19937 rng(seed);
  // Mostly valid text with some damage, so that long valid runs are exercised.
  for (int iteration = 0; iteration < 20000; ++iteration) {
    std::string text;
    const int pieces = static_cast<int>(rng() % 12);
    for (int p = 0; p < pieces; ++p) {
      switch (rng() % 4) {
        case 0:
          text += encode(rng() % 0x80);
          break;
        case 1: {
          uint32_t cp = rng() % 0x110000;
          if (cp >= 0xD800 && cp <= 0xDFFF) cp = 'x';
          text += encode(cp);
          break;
        }
        case 2:
          text += static_cast<char>(rng() % 256);
          break;
        default:
          text += "plain ascii run";
          break;
      }
    }
    ASSERT_EQ(utf8_valid_prefix(text), reference_valid_prefix(text)) << iteration;
    bool ascii = true;
    for (char c : text) ascii = ascii && static_cast<unsigned char>(c) < 0x80;
    ASSERT_EQ(is_ascii(text), ascii) << iteration;
  }
}

}  // namespace
}  // namespace tessera::engine
