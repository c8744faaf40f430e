#include "storage/codec/run_length.h"

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
  EXPECT_TRUE(run_length_encode(values, &out).is_ok());
  return out;
}

std::vector<int64_t> round_trip(const std::vector<int64_t>& values) {
  std::vector<int64_t> out(values.size(), 0x5a5a);
  const Status status = run_length_decode(encode(values), out);
  EXPECT_TRUE(status.is_ok()) << status.to_string();
  return out;
}

codec_test::Decode decoder(size_t n) {
  return [n](std::string_view in) {
    std::vector<int64_t> out(n);
    return run_length_decode(in, out);
  };
}

// docs/format/codecs.md, "run_length": {7, 7, 7, 9, 9} is runs (7 x3), (9 x2).
// Run values: min 7, offsets 0, 2 at width 2. Lengths - 1: 2, 1 -> min 1,
// offsets 1, 0 at width 1.
TEST(RunLengthTest, EncodesTheDocumentedExample) {
  EXPECT_EQ(hex(encode({7, 7, 7, 9, 9})),
            "05 00 02 00 "
            "02 07 00 00 00 00 00 00 00 "
            "00 00 00 00 00 00 00 00 02 00 00 00 00 00 00 00 "
            "00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 "
            "01 01 00 00 00 00 00 00 00 "
            "01 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 "
            "00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00");
}

TEST(RunLengthTest, RoundTripsEdgeCases) {
  const std::vector<std::vector<int64_t>> cases = {
      {}, {1}, {kMin, kMax}, {kMax, kMax, kMin, kMin, kMax}, {0, 1, 0, 1, 0},
  };
  for (const auto& values : cases) {
    SCOPED_TRACE(::testing::PrintToString(values));
    EXPECT_EQ(round_trip(values), values);
  }
}

TEST(RunLengthTest, OneLongRunIsSmall) {
  const std::vector<int64_t> values(kVectorValues, -3);
  // Header 4 bytes; one run value and one length (1023), each its body's min
  // at width 0: 9 bytes each.
  EXPECT_EQ(encode(values).size(), 4u + 9u + 9u);
  EXPECT_EQ(round_trip(values), values);
}

TEST(RunLengthTest, RandomRunsMatchAPlainCopy) {
  const uint64_t seed = 31337;
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937_64 rng(seed);
  for (int iteration = 0; iteration < 300; ++iteration) {
    SCOPED_TRACE("iteration " + std::to_string(iteration));
    const size_t n = rng() % (kVectorValues + 1);
    const uint64_t mean_run = 1 + rng() % 200;
    std::vector<int64_t> values;
    while (values.size() < n) {
      const int64_t v = static_cast<int64_t>(rng() % 5 == 0 ? rng() : rng() % 16);
      const size_t run = std::min<size_t>(n - values.size(), 1 + rng() % mean_run);
      values.insert(values.end(), run, v);
    }
    ASSERT_EQ(round_trip(values), values);
  }
}

TEST(RunLengthTest, RejectsRunsThatDoNotCoverTheVector) {
  std::string encoded = encode({7, 7, 7, 9, 9});
  std::vector<int64_t> out(5);
  encoded[2] = 3;  // 3 runs > the 2 bodies present: runs out of bytes
  EXPECT_EQ(run_length_decode(encoded, out).code(), ErrorCode::kCorruption);
  // Lengths that overrun: one run of 128 values claimed for 5. The single
  // run's value and length - 1 are each a width-0 body (9 bytes), so the
  // length's min starts at 4 + 9 + 1.
  std::string overrun = encode({1, 1, 1, 1, 1});
  overrun[4 + 9 + 1] = 0x7f;
  EXPECT_EQ(run_length_decode(overrun, out).code(), ErrorCode::kCorruption);
  // Lengths that fall short.
  std::string shortfall = encode({1, 1, 1, 1, 1});
  shortfall[4 + 9 + 1] = 0;  // length - 1 = 0 instead of 4: covers 1 of 5 values
  EXPECT_EQ(run_length_decode(shortfall, out).code(), ErrorCode::kCorruption);
}

TEST(RunLengthTest, SurvivesTruncationAndDamage) {
  for (const std::vector<int64_t>& values :
       {std::vector<int64_t>{}, {4}, {7, 7, 7, 9, 9}, {kMin, kMin, kMax, 0}}) {
    SCOPED_TRACE(::testing::PrintToString(values));
    const std::string encoded = encode(values);
    codec_test::expect_truncations_rejected(encoded, decoder(values.size()));
    codec_test::expect_damage_survived(encoded, decoder(values.size()));
  }
}

}  // namespace
}  // namespace tessera::storage
