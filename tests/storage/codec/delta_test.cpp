#include "storage/codec/delta.h"

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
constexpr int64_t kQuarterHourNs = int64_t{900} * 1'000'000'000;
// 2026-01-01T00:00:00Z in ns since the epoch.
constexpr int64_t kNewYear2026Ns = int64_t{1767225600} * 1'000'000'000;

std::string encode(const std::vector<int64_t>& values, DeltaOrder order) {
  std::string out;
  EXPECT_TRUE(delta_encode(values, order, &out).is_ok());
  return out;
}

void expect_round_trip(const std::vector<int64_t>& values) {
  for (DeltaOrder order : {DeltaOrder::kDelta, DeltaOrder::kDeltaOfDelta}) {
    SCOPED_TRACE("order " + std::to_string(static_cast<int>(order)));
    const std::string encoded = encode(values, order);
    std::vector<int64_t> out(values.size(), 0x5a5a);
    const Status status = delta_decode(encoded, out);
    ASSERT_TRUE(status.is_ok()) << status.to_string();
    EXPECT_EQ(out, values);
  }
}

std::vector<int64_t> quarter_hours(size_t n) {
  std::vector<int64_t> values(n);
  for (size_t i = 0; i < n; ++i)
    values[i] = kNewYear2026Ns + static_cast<int64_t>(i) * kQuarterHourNs;
  return values;
}

codec_test::Decode decoder(size_t n) {
  return [n](std::string_view in) {
    std::vector<int64_t> out(n);
    return delta_decode(in, out);
  };
}

// docs/format/codecs.md, "delta": four quarter-hours from 2026-01-01T00:00Z.
// first = 1767225600e9 = 0x18867251edfa0000; every delta is 900e9 =
// 0xd18c2e2800, so the residuals pack at width 0 with min = 900e9.
TEST(DeltaTest, EncodesTheDocumentedExample) {
  EXPECT_EQ(hex(encode(quarter_hours(4), DeltaOrder::kDelta)),
            "04 00 01 00 00 fa ed 51 72 86 18 00 00 28 2e 8c d1 00 00 00");
  // Order 2: first delta verbatim, then delta-of-delta residuals all 0.
  EXPECT_EQ(hex(encode(quarter_hours(4), DeltaOrder::kDeltaOfDelta)),
            "04 00 02 00 00 fa ed 51 72 86 18 00 28 2e 8c d1 00 00 00 "
            "00 00 00 00 00 00 00 00 00");
}

TEST(DeltaTest, PerfectCadenceCostsOnlyTheHeader) {
  const std::vector<int64_t> values = quarter_hours(kVectorValues);
  EXPECT_EQ(encode(values, DeltaOrder::kDelta).size(), 20u);
  EXPECT_EQ(encode(values, DeltaOrder::kDeltaOfDelta).size(), 28u);
  expect_round_trip(values);
}

TEST(DeltaTest, RoundTripsEdgeCases) {
  const std::vector<std::vector<int64_t>> cases = {
      {},
      {kMin},
      {5, 3},
      {1, 1, 1, 1},
      {kMin, kMax, kMin, kMax, 0},
      {kMax, kMin, -1, 1},
      // A jump of a year, then a reversal (a clock step back) and a repeat.
      {kNewYear2026Ns, kNewYear2026Ns + kQuarterHourNs, kNewYear2026Ns + 365 * 96 * kQuarterHourNs,
       kNewYear2026Ns - kQuarterHourNs, kNewYear2026Ns - kQuarterHourNs, kNewYear2026Ns},
  };
  for (const auto& values : cases) {
    SCOPED_TRACE(::testing::PrintToString(values));
    expect_round_trip(values);
  }
}

TEST(DeltaTest, RandomWalksMatchAPlainCopy) {
  const uint64_t seed = 4242;
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937_64 rng(seed);
  for (int iteration = 0; iteration < 200; ++iteration) {
    SCOPED_TRACE("iteration " + std::to_string(iteration));
    const size_t n = rng() % (kVectorValues + 1);
    std::vector<int64_t> values(n);
    uint64_t v = rng();
    const uint64_t step = rng() % 1'000'000'000;
    const unsigned jitter_bits = rng() % 64;
    for (auto& x : values) {
      v += step + (jitter_bits == 0 ? 0 : rng() >> (64 - jitter_bits));
      x = static_cast<int64_t>(v);
    }
    expect_round_trip(values);
  }
}

TEST(DeltaTest, RejectsUnknownOrder) {
  std::string encoded = encode({1, 2, 3}, DeltaOrder::kDelta);
  encoded[2] = 3;
  std::vector<int64_t> out(3);
  EXPECT_EQ(delta_decode(encoded, out).code(), ErrorCode::kCorruption);
}

TEST(DeltaTest, RejectsTooManyValues) {
  std::string out;
  const std::vector<int64_t> values(kMaxVectorValues + 1, 1);
  EXPECT_EQ(delta_encode(values, DeltaOrder::kDelta, &out).code(), ErrorCode::kInvalidInput);
}

TEST(DeltaTest, SurvivesTruncationAndDamage) {
  for (DeltaOrder order : {DeltaOrder::kDelta, DeltaOrder::kDeltaOfDelta}) {
    for (const std::vector<int64_t>& values :
         {std::vector<int64_t>{}, {kMin}, {3, 9}, quarter_hours(5), {kMax, kMin, 7, -7, 100}}) {
      SCOPED_TRACE(::testing::PrintToString(values));
      const std::string encoded = encode(values, order);
      codec_test::expect_truncations_rejected(encoded, decoder(values.size()));
      codec_test::expect_damage_survived(encoded, decoder(values.size()));
    }
  }
}

}  // namespace
}  // namespace tessera::storage
