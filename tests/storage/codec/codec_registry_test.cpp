#include "storage/codec/codec_registry.h"

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

constexpr int64_t kQuarterHourNs = int64_t{900} * 1'000'000'000;
constexpr int64_t kNewYear2026Ns = int64_t{1767225600} * 1'000'000'000;

std::string encode_ints(const std::vector<int64_t>& values) {
  std::string out;
  EXPECT_TRUE(encode_int64_vector(values, &out).is_ok());
  return out;
}

std::string encode_doubles(const std::vector<double>& values) {
  std::string out;
  EXPECT_TRUE(encode_double_vector(values, &out).is_ok());
  return out;
}

EncodingId id_of(const std::string& encoded) { return read_encoding_id(encoded).value(); }

void expect_int_round_trip(const std::vector<int64_t>& values) {
  std::vector<int64_t> out(values.size(), 0x5a5a);
  const Status status = decode_int64_vector(encode_ints(values), out);
  ASSERT_TRUE(status.is_ok()) << status.to_string();
  EXPECT_EQ(out, values);
}

void expect_double_round_trip(const std::vector<double>& values) {
  std::vector<double> out(values.size(), 0.25);
  const Status status = decode_double_vector(encode_doubles(values), out);
  ASSERT_TRUE(status.is_ok()) << status.to_string();
  for (size_t i = 0; i < values.size(); ++i) {
    ASSERT_EQ(std::bit_cast<uint64_t>(out[i]), std::bit_cast<uint64_t>(values[i])) << "value " << i;
  }
}

TEST(CodecRegistryTest, IdsAreStable) {
  EXPECT_EQ(static_cast<int>(EncodingId::kPlain), 1);
  EXPECT_EQ(static_cast<int>(EncodingId::kFrameOfReference), 2);
  EXPECT_EQ(static_cast<int>(EncodingId::kDelta), 3);
  EXPECT_EQ(static_cast<int>(EncodingId::kRunLength), 4);
  EXPECT_EQ(static_cast<int>(EncodingId::kAlp), 5);
  EXPECT_EQ(static_cast<int>(EncodingId::kGorillaXor), 6);
  EXPECT_EQ(encoding_name(EncodingId::kAlp), "alp");
  EXPECT_EQ(encoding_name(static_cast<EncodingId>(77)), "unknown");
}

// docs/format/codecs.md, "Encoded vector": four quarter-hours pick delta
// (20 bytes) over plain (34), frame_of_reference (43) and delta-of-delta (28).
TEST(CodecRegistryTest, EncodesTheDocumentedExample) {
  const std::vector<int64_t> values = {kNewYear2026Ns, kNewYear2026Ns + kQuarterHourNs,
                                       kNewYear2026Ns + 2 * kQuarterHourNs,
                                       kNewYear2026Ns + 3 * kQuarterHourNs};
  EXPECT_EQ(hex(encode_ints(values)),
            "03 04 00 01 00 00 fa ed 51 72 86 18 00 00 28 2e 8c d1 00 00 00");
}

TEST(CodecRegistryTest, PicksTheSmallestEncodingForTypicalColumns) {
  std::mt19937_64 rng(5);
  std::vector<int64_t> timestamps(kVectorValues);
  for (size_t i = 0; i < timestamps.size(); ++i) {
    timestamps[i] = kNewYear2026Ns + static_cast<int64_t>(i) * kQuarterHourNs;
  }
  const std::string ts = encode_ints(timestamps);
  EXPECT_EQ(id_of(ts), EncodingId::kDelta);
  EXPECT_EQ(ts.size(), 21u);

  std::vector<int64_t> clicks(kVectorValues);
  for (auto& c : clicks) c = static_cast<int64_t>(rng() % 40);
  EXPECT_EQ(id_of(encode_ints(clicks)), EncodingId::kFrameOfReference);

  std::vector<int64_t> codes(kVectorValues);
  for (size_t i = 0; i < codes.size(); ++i) codes[i] = static_cast<int64_t>(i / 300);
  EXPECT_EQ(id_of(encode_ints(codes)), EncodingId::kRunLength);

  std::vector<int64_t> noise(kVectorValues);
  for (auto& n : noise) n = static_cast<int64_t>(rng());
  EXPECT_EQ(id_of(encode_ints(noise)), EncodingId::kPlain);

  std::lognormal_distribution<double> spend(3.0, 1.5);
  std::vector<double> money(kVectorValues);
  for (auto& m : money) m = std::round(spend(rng) * 100.0) / 100.0;
  EXPECT_EQ(id_of(encode_doubles(money)), EncodingId::kAlp);

  // Few distinct values with no short decimal form, in long runs.
  std::vector<double> repeated(kVectorValues);
  for (size_t i = 0; i < repeated.size(); ++i) repeated[i] = std::sqrt(2.0 + i / 256);
  EXPECT_EQ(id_of(encode_doubles(repeated)), EncodingId::kGorillaXor);

  std::vector<double> random_bits(kVectorValues);
  for (auto& r : random_bits) r = std::bit_cast<double>(rng());
  EXPECT_EQ(id_of(encode_doubles(random_bits)), EncodingId::kPlain);
}

TEST(CodecRegistryTest, RandomVectorsMatchAPlainCopy) {
  const uint64_t seed = 555;
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937_64 rng(seed);
  for (int iteration = 0; iteration < 60; ++iteration) {
    SCOPED_TRACE("iteration " + std::to_string(iteration));
    const size_t n = rng() % (kVectorValues + 1);
    std::vector<int64_t> ints(n);
    std::vector<double> doubles(n);
    const int shape = static_cast<int>(rng() % 4);
    int64_t walk = static_cast<int64_t>(rng());
    for (size_t i = 0; i < n; ++i) {
      switch (shape) {
        case 0:
          ints[i] = static_cast<int64_t>(rng());
          break;
        case 1:
          ints[i] = static_cast<int64_t>(rng() % 100);
          break;
        case 2:
          walk = static_cast<int64_t>(static_cast<uint64_t>(walk) + rng() % 1000);
          ints[i] = walk;
          break;
        default:
          ints[i] = static_cast<int64_t>(i / (1 + rng() % 50));
          break;
      }
      doubles[i] = shape == 0 ? std::bit_cast<double>(rng()) : static_cast<double>(ints[i]) / 100.0;
    }
    expect_int_round_trip(ints);
    expect_double_round_trip(doubles);
  }
}

TEST(CodecRegistryTest, RejectsEncodingsOfTheWrongType) {
  std::string out;
  EXPECT_EQ(encode_int64_vector_as(EncodingId::kAlp, std::vector<int64_t>{1}, &out).code(),
            ErrorCode::kInvalidInput);
  EXPECT_EQ(encode_double_vector_as(EncodingId::kDelta, std::vector<double>{1}, &out).code(),
            ErrorCode::kInvalidInput);
  EXPECT_TRUE(out.empty());
  std::string alp;
  ASSERT_TRUE(
      encode_double_vector_as(EncodingId::kAlp, std::vector<double>{12.34, 0.0}, &alp).is_ok());
  std::vector<int64_t> ints(2);
  EXPECT_EQ(decode_int64_vector(alp, ints).code(), ErrorCode::kCorruption);
  const std::string delta = encode_ints({1, 2, 3});
  std::vector<double> doubles(3);
  EXPECT_EQ(decode_double_vector(delta, doubles).code(), ErrorCode::kCorruption);
}

TEST(CodecRegistryTest, RejectsUnknownIdsAndEmptyInput) {
  std::vector<int64_t> out(1);
  EXPECT_EQ(decode_int64_vector("", out).code(), ErrorCode::kCorruption);
  for (int id : {0, 8, 255}) {
    std::string encoded = encode_ints({42});
    encoded[0] = static_cast<char>(id);
    EXPECT_EQ(decode_int64_vector(encoded, out).code(), ErrorCode::kCorruption) << id;
  }
}

TEST(CodecRegistryTest, RejectsTooManyValues) {
  std::string out;
  EXPECT_EQ(encode_int64_vector(std::vector<int64_t>(kMaxVectorValues + 1), &out).code(),
            ErrorCode::kInvalidInput);
  EXPECT_EQ(encode_double_vector(std::vector<double>(kMaxVectorValues + 1), &out).code(),
            ErrorCode::kInvalidInput);
  EXPECT_TRUE(out.empty());
}

TEST(CodecRegistryTest, SurvivesTruncationAndDamage) {
  for (const std::vector<int64_t>& values :
       {std::vector<int64_t>{},
        {1, 2, 3, 4, 5, 6},
        {9, 9, 9, 9, 9, 9, 9, 9, 1},
        {std::numeric_limits<int64_t>::min(), 0, std::numeric_limits<int64_t>::max()}}) {
    const std::string encoded = encode_ints(values);
    SCOPED_TRACE(std::string(encoding_name(id_of(encoded))));
    const codec_test::Decode decode = [n = values.size()](std::string_view in) {
      std::vector<int64_t> out(n);
      return decode_int64_vector(in, out);
    };
    codec_test::expect_truncations_rejected(encoded, decode);
    codec_test::expect_damage_survived(encoded, decode);
  }
  for (const std::vector<double>& values :
       {std::vector<double>{1.25, 1.5, -0.0}, {1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0}}) {
    const std::string encoded = encode_doubles(values);
    SCOPED_TRACE(std::string(encoding_name(id_of(encoded))));
    const codec_test::Decode decode = [n = values.size()](std::string_view in) {
      std::vector<double> out(n);
      return decode_double_vector(in, out);
    };
    codec_test::expect_truncations_rejected(encoded, decode);
    codec_test::expect_damage_survived(encoded, decode);
  }
}

}  // namespace
}  // namespace tessera::storage
