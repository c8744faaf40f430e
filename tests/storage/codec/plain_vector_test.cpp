#include "storage/codec/plain_vector.h"

#include <gtest/gtest.h>

#include <bit>
#include <cstdint>
#include <limits>
#include <vector>

#include "storage/codec/codec_format.h"
#include "tests/storage/codec/codec_test_support.h"

namespace tessera::storage {
namespace {

using codec_test::hex;

// docs/format/codecs.md, "plain": {1, -1}.
TEST(PlainVectorTest, EncodesTheDocumentedExample) {
  std::string out;
  ASSERT_TRUE(plain_vector_encode(std::vector<int64_t>{1, -1}, &out).is_ok());
  EXPECT_EQ(hex(out), "02 00 01 00 00 00 00 00 00 00 ff ff ff ff ff ff ff ff");
}

TEST(PlainVectorTest, RoundTripsDoubleBitsExactly) {
  const std::vector<double> values = {-0.0, std::numeric_limits<double>::infinity(),
                                      std::bit_cast<double>(uint64_t{0x7ff0000000000123}),
                                      std::numeric_limits<double>::denorm_min(), 1.5};
  std::string encoded;
  ASSERT_TRUE(plain_vector_encode(values, &encoded).is_ok());
  std::vector<double> out(values.size());
  ASSERT_TRUE(plain_vector_decode(encoded, out).is_ok());
  for (size_t i = 0; i < values.size(); ++i) {
    EXPECT_EQ(std::bit_cast<uint64_t>(out[i]), std::bit_cast<uint64_t>(values[i]));
  }
}

TEST(PlainVectorTest, RejectsTooManyValues) {
  std::string out;
  EXPECT_EQ(plain_vector_encode(std::vector<int64_t>(kMaxVectorValues + 1), &out).code(),
            ErrorCode::kInvalidInput);
}

TEST(PlainVectorTest, SurvivesTruncationAndDamage) {
  std::string encoded;
  ASSERT_TRUE(plain_vector_encode(std::vector<int64_t>{1, -1, 5}, &encoded).is_ok());
  const codec_test::Decode decode = [](std::string_view in) {
    std::vector<int64_t> out(3);
    return plain_vector_decode(in, out);
  };
  codec_test::expect_truncations_rejected(encoded, decode);
  codec_test::expect_damage_survived(encoded, decode);
}

}  // namespace
}  // namespace tessera::storage
