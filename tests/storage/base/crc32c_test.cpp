#include "storage/base/crc32c.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

namespace tessera::storage {
namespace {

// One bit at a time, straight from the definition (reflected 0x82F63B78).
uint32_t reference_crc32c(std::string_view data, uint32_t seed = 0) {
  uint32_t crc = ~seed;
  for (char ch : data) {
    crc ^= static_cast<uint8_t>(ch);
    for (int bit = 0; bit < 8; ++bit) crc = (crc & 1u) ? (crc >> 1) ^ 0x82F63B78u : crc >> 1;
  }
  return ~crc;
}

std::string bytes_from(std::initializer_list<int> values) {
  std::string out;
  for (int v : values) out.push_back(static_cast<char>(v));
  return out;
}

TEST(Crc32cTest, MatchesTheCheckValue) {
  EXPECT_EQ(crc32c(std::string_view("123456789")), 0xE3069283u);
}

TEST(Crc32cTest, OfNothingIsZero) { EXPECT_EQ(crc32c(std::string_view()), 0u); }

// RFC 3720 (iSCSI) appendix B.4 test vectors.
TEST(Crc32cTest, MatchesRfc3720Vectors) {
  EXPECT_EQ(crc32c(std::string(32, '\0')), 0x8A9136AAu);
  EXPECT_EQ(crc32c(std::string(32, '\xFF')), 0x62A8AB43u);
  std::string ascending, descending;
  for (int i = 0; i < 32; ++i) {
    ascending.push_back(static_cast<char>(i));
    descending.push_back(static_cast<char>(31 - i));
  }
  EXPECT_EQ(crc32c(ascending), 0x46DD794Eu);
  EXPECT_EQ(crc32c(descending), 0x113FDB5Cu);
  EXPECT_EQ(crc32c(bytes_from({0x01, 0xC0, 0x00, 0x00})),
            reference_crc32c(bytes_from({0x01, 0xC0, 0x00, 0x00})));
}

TEST(Crc32cTest, MatchesBitwiseReferenceAtEveryLengthAndAlignment) {
  const uint32_t seed = 20240501;
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937 rng(seed);
  std::string data(1100, '\0');
  for (char& ch : data) ch = static_cast<char>(rng());
  for (size_t start = 0; start < 8; ++start) {
    for (size_t length = 0; start + length <= 300; ++length) {
      std::string_view piece = std::string_view(data).substr(start, length);
      ASSERT_EQ(crc32c(piece), reference_crc32c(piece))
          << "start " << start << " length " << length;
    }
  }
  EXPECT_EQ(crc32c(data), reference_crc32c(data));
}

TEST(Crc32cTest, ChainsThroughTheSeed) {
  const std::string a = "hello, ", b = "world";
  EXPECT_EQ(crc32c(b, crc32c(a)), crc32c(a + b));
  EXPECT_EQ(crc32c(b, 0x12345678u), reference_crc32c(b, 0x12345678u));
}

TEST(Crc32cTest, ByteSpanAndStringViewAgree) {
  const std::string text = "the quick brown fox";
  EXPECT_EQ(crc32c(std::as_bytes(std::span(text.data(), text.size()))), crc32c(text));
}

}  // namespace
}  // namespace tessera::storage
