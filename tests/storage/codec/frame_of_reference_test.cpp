#include "storage/codec/frame_of_reference.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <random>
#include <vector>

#include "storage/codec/codec_format.h"
#include "tests/storage/codec/codec_test_support.h"

namespace tessera::storage {
namespace {

using codec_test::hex;

constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
constexpr int64_t kMax = std::numeric_limits<int64_t>::max();

std::string encode(const std::vector<int64_t>& values) {
  std::string out;
  EXPECT_TRUE(frame_of_reference_encode(values, &out).is_ok());
  return out;
}

std::vector<int64_t> round_trip(const std::vector<int64_t>& values) {
  const std::string encoded = encode(values);
  std::vector<int64_t> out(values.size(), 0x5a5a);
  const Status status = frame_of_reference_decode(encoded, out);
  EXPECT_TRUE(status.is_ok()) << status.to_string();
  return out;
}

codec_test::Decode decoder(size_t n) {
  return [n](std::string_view in) {
    std::vector<int64_t> out(n);
    return frame_of_reference_decode(in, out);
  };
}

// docs/format/codecs.md, "frame_of_reference": {100, 103, 101}.
// min 100 = 0x64; differences 0, 3, 1 need 2 bits; one row of 4 lane words.
TEST(FrameOfReferenceTest, EncodesTheDocumentedExample) {
  EXPECT_EQ(hex(encode({100, 103, 101})),
            "03 00 02 64 00 00 00 00 00 00 00 "
            "00 00 00 00 00 00 00 00 03 00 00 00 00 00 00 00 "
            "01 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00");
}

TEST(FrameOfReferenceTest, RoundTripsEdgeCases) {
  const std::vector<std::vector<int64_t>> cases = {
      {},
      {42},
      {-7, -7, -7, -7, -7},
      {kMin, kMax},
      {kMax, kMin, 0, -1, 1, kMax, kMin},
      {kMin},
      {kMax, kMax - 1},
  };
  for (const auto& values : cases) {
    SCOPED_TRACE(::testing::PrintToString(values));
    EXPECT_EQ(round_trip(values), values);
  }
}

TEST(FrameOfReferenceTest, AllEqualValuesTakeOnlyTheHeader) {
  const std::vector<int64_t> values(kVectorValues, 123456789);
  EXPECT_EQ(encode(values).size(), 2u + 1u + 8u);
  EXPECT_EQ(round_trip(values), values);
}

TEST(FrameOfReferenceTest, FullRangeUsesWidth64) {
  std::vector<int64_t> values(kVectorValues);
  for (size_t i = 0; i < values.size(); ++i) values[i] = i % 2 ? kMax : kMin;
  const std::string encoded = encode(values);
  EXPECT_EQ(static_cast<uint8_t>(encoded[2]), 64);
  EXPECT_EQ(round_trip(values), values);
}

TEST(FrameOfReferenceTest, RandomVectorsMatchAPlainCopy) {
  const uint64_t seed = 977;
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937_64 rng(seed);
  for (int iteration = 0; iteration < 300; ++iteration) {
    const size_t n = rng() % (kVectorValues + 1);
    const unsigned width = rng() % 65;
    const int64_t offset = static_cast<int64_t>(rng());
    std::vector<int64_t> values(n);
    for (auto& v : values) {
      const uint64_t r = width == 64 ? rng() : rng() & ((uint64_t{1} << width) - 1);
      v = static_cast<int64_t>(static_cast<uint64_t>(offset) + r);
    }
    SCOPED_TRACE("iteration " + std::to_string(iteration));
    ASSERT_EQ(round_trip(values), values);
  }
}

TEST(FrameOfReferenceTest, RejectsTooManyValues) {
  std::string out;
  const std::vector<int64_t> values(kMaxVectorValues + 1, 1);
  EXPECT_EQ(frame_of_reference_encode(values, &out).code(), ErrorCode::kInvalidInput);
  EXPECT_TRUE(out.empty());
  std::vector<int64_t> big(kMaxVectorValues + 1);
  EXPECT_EQ(frame_of_reference_decode(encode({1}), big).code(), ErrorCode::kInvalidInput);
}

TEST(FrameOfReferenceTest, RejectsACountOtherThanAskedFor) {
  std::vector<int64_t> out(2);
  EXPECT_EQ(frame_of_reference_decode(encode({1, 2, 3}), out).code(), ErrorCode::kCorruption);
}

TEST(FrameOfReferenceTest, RejectsWidthOver64) {
  std::string encoded = encode({1, 2, 3});
  encoded[2] = 65;
  std::vector<int64_t> out(3);
  EXPECT_EQ(frame_of_reference_decode(encoded, out).code(), ErrorCode::kCorruption);
}

TEST(FrameOfReferenceTest, SurvivesTruncationAndDamage) {
  for (const std::vector<int64_t>& values :
       {std::vector<int64_t>{}, {5}, {100, 103, 101}, {kMin, kMax, 0, 1, 2, 3, 4}}) {
    SCOPED_TRACE(::testing::PrintToString(values));
    const std::string encoded = encode(values);
    codec_test::expect_truncations_rejected(encoded, decoder(values.size()));
    codec_test::expect_damage_survived(encoded, decoder(values.size()));
  }
}

}  // namespace
}  // namespace tessera::storage
