#include "storage/codec/gorilla_xor.h"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <vector>

#include "storage/codec/codec_format.h"
#include "tests/storage/codec/codec_test_support.h"

namespace tessera::storage {
namespace {

using codec_test::hex;
using codec_test::unhex;
using Limits = std::numeric_limits<double>;

std::string encode(const std::vector<double>& values) {
  std::string out;
  EXPECT_TRUE(gorilla_xor_encode(values, &out).is_ok());
  return out;
}

void expect_bit_exact_round_trip(const std::vector<double>& values) {
  std::vector<double> out(values.size(), 0.25);
  const Status status = gorilla_xor_decode(encode(values), out);
  ASSERT_TRUE(status.is_ok()) << status.to_string();
  for (size_t i = 0; i < values.size(); ++i) {
    ASSERT_EQ(std::bit_cast<uint64_t>(out[i]), std::bit_cast<uint64_t>(values[i])) << "value " << i;
  }
}

Status decode3(std::string_view in) {
  std::vector<double> out(3);
  return gorilla_xor_decode(in, out);
}

// docs/format/codecs.md, "gorilla_xor": {1.0, 1.0, 1.5}.
// 1.0 = 0x3ff0000000000000 verbatim; 1.0 again: '0'; 1.5 xor 1.0 =
// 0x0008000000000000: 12 leading zeros, 1 meaningful bit:
// '11' 001100 000000 '1' -> with the '0' before it: 0110 0110 0000 0001 = 66 01.
TEST(GorillaXorTest, EncodesTheDocumentedExample) {
  EXPECT_EQ(hex(encode({1.0, 1.0, 1.5})), "03 00 3f f0 00 00 00 00 00 00 66 01");
}

TEST(GorillaXorTest, RoundTripsEdgeCases) {
  expect_bit_exact_round_trip({});
  expect_bit_exact_round_trip({-0.0});
  expect_bit_exact_round_trip(std::vector<double>(kVectorValues, 42.5));
  expect_bit_exact_round_trip({0.0, -0.0, Limits::infinity(), -Limits::infinity(),
                               Limits::quiet_NaN(),
                               std::bit_cast<double>(uint64_t{0xfff8dead0000beef}),
                               Limits::denorm_min(), Limits::max(), Limits::lowest(), 1.0});
  // A full 64-bit window: 0 xor 0xffff... .
  expect_bit_exact_round_trip(
      {std::bit_cast<double>(uint64_t{0}), std::bit_cast<double>(~uint64_t{0}),
       std::bit_cast<double>(uint64_t{1}), std::bit_cast<double>(uint64_t{1} << 63)});
}

TEST(GorillaXorTest, RepeatedValuesCostOneBitEach) {
  const std::vector<double> values(kVectorValues, 3.141592653589793);
  // count + first value + 1023 '0' bits rounded up to 128 bytes.
  EXPECT_EQ(encode(values).size(), 2u + 8u + 128u);
  expect_bit_exact_round_trip(values);
}

TEST(GorillaXorTest, RandomSeriesMatchAPlainCopy) {
  const uint64_t seed = 8080;
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> step(0.0, 1.0);
  for (int iteration = 0; iteration < 200; ++iteration) {
    SCOPED_TRACE("iteration " + std::to_string(iteration));
    const size_t n = rng() % (kVectorValues + 1);
    std::vector<double> values(n);
    double v = step(rng) * 100;
    for (auto& x : values) {
      switch (rng() % 6) {
        case 0:
          x = std::bit_cast<double>(rng());
          break;
        case 1:
          x = v;
          break;
        default:
          v += step(rng);
          x = v;
          break;
      }
    }
    expect_bit_exact_round_trip(values);
  }
}

TEST(GorillaXorTest, RejectsAReusedWindowBeforeAnyWasSet) {
  // 1.0, then '10' (reuse) with no window: 1000 0000 = 80.
  std::vector<double> out(2);
  EXPECT_EQ(gorilla_xor_decode(unhex("02 00 3f f0 00 00 00 00 00 00 80"), out).code(),
            ErrorCode::kCorruption);
}

TEST(GorillaXorTest, RejectsAWindowWiderThan64Bits) {
  // '11', leading 63 (111111), length 2 (000001), then 2 bits: 0 11 111111 000001 11 -> 18 bits.
  // Bits: 0111 1111 1000 0011 1000 0000 = 7f 83 80 (with a leading '0' item for 1.0 = 1.0).
  EXPECT_EQ(decode3(unhex("03 00 3f f0 00 00 00 00 00 00 7f 83 80")).code(),
            ErrorCode::kCorruption);
}

// The same two faults with more of the stream after them, where the decoder
// reads whole words at a time instead of bit by bit.
TEST(GorillaXorTest, RejectsMalformedItemsInsideALongStream) {
  std::vector<double> out(40);
  const std::string zeros = " 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00";
  const Status reuse = gorilla_xor_decode(unhex("28 00 3f f0 00 00 00 00 00 00 80" + zeros), out);
  EXPECT_EQ(reuse.code(), ErrorCode::kCorruption);
  EXPECT_NE(reuse.to_string().find("reuses a window"), std::string::npos) << reuse.to_string();
  const Status wide =
      gorilla_xor_decode(unhex("28 00 3f f0 00 00 00 00 00 00 7f 83 80" + zeros), out);
  EXPECT_EQ(wide.code(), ErrorCode::kCorruption);
  EXPECT_NE(wide.to_string().find("exceeds 64"), std::string::npos) << wide.to_string();
}

// Every window length from 1 to 64 bits, new and reused, at every bit offset:
// the word-at-a-time path takes windows of up to 50 (new) or 62 (reused) bits
// and hands wider ones to the bit-by-bit path, mid-stream.
TEST(GorillaXorTest, RoundTripsEveryWindowLengthAtEveryBitOffset) {
  for (unsigned length = 1; length <= 64; ++length) {
    SCOPED_TRACE("window of " + std::to_string(length) + " bits");
    // Both ends of the window set, so that the encoder chooses exactly it.
    const uint64_t ends = (uint64_t{1} << (length - 1)) | 1;
    uint64_t bits = 0x4059000000000000;
    std::vector<double> values{std::bit_cast<double>(bits)};
    for (unsigned shift = 0; shift + length <= 64; ++shift) {
      for (int repeat = 0; repeat < 3; ++repeat) {
        bits ^= ends << shift;  // a new window (one leading zero fewer), then reuses of it
        values.push_back(std::bit_cast<double>(bits));
      }
      values.push_back(std::bit_cast<double>(bits));  // and a '0'
    }
    expect_bit_exact_round_trip(values);
  }
}

TEST(GorillaXorTest, RejectsNonZeroPaddingAndExtraBytes) {
  EXPECT_TRUE(decode3(unhex("03 00 3f f0 00 00 00 00 00 00 66 01")).is_ok());
  // 16 bits used exactly; a spare byte of zeros is more than padding.
  EXPECT_EQ(decode3(unhex("03 00 3f f0 00 00 00 00 00 00 66 01 00")).code(),
            ErrorCode::kCorruption);
  // {1.0, 1.0}: 1 bit after the first value, 7 padding bits that must be 0.
  std::vector<double> two(2);
  EXPECT_TRUE(gorilla_xor_decode(unhex("02 00 3f f0 00 00 00 00 00 00 00"), two).is_ok());
  EXPECT_EQ(gorilla_xor_decode(unhex("02 00 3f f0 00 00 00 00 00 00 01"), two).code(),
            ErrorCode::kCorruption);
}

TEST(GorillaXorTest, SurvivesTruncationAndDamage) {
  for (const std::vector<double>& values :
       {std::vector<double>{},
        {1.0, 1.0, 1.5},
        {2.5, -0.0, Limits::quiet_NaN(), 2.5, 2.75},
        {0.5, 0.5,   1.25,  3.75, 3.75, 12.5,      12.75,     12.5, 1e300, 12.5,
         0.0, -7.25, -7.25, 99.0, 98.5, 1.0 / 3.0, 2.0 / 3.0, 0.1,  0.2,   0.3}}) {
    SCOPED_TRACE(::testing::PrintToString(values));
    const std::string encoded = encode(values);
    const codec_test::Decode decode = [n = values.size()](std::string_view in) {
      std::vector<double> out(n);
      return gorilla_xor_decode(in, out);
    };
    codec_test::expect_truncations_rejected(encoded, decode);
    codec_test::expect_damage_survived(encoded, decode);
  }
}

}  // namespace
}  // namespace tessera::storage
