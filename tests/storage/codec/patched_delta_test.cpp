#include "storage/codec/patched_delta.h"

#include <gtest/gtest.h>

#include <limits>
#include <random>
#include <vector>

#include "storage/codec/codec_format.h"
#include "storage/codec/codec_registry.h"

namespace tessera::storage {
namespace {

std::vector<int64_t> round_trip(const std::vector<int64_t>& values, size_t* bytes = nullptr) {
  std::string encoded;
  EXPECT_TRUE(patched_delta_encode(values, &encoded).is_ok());
  if (bytes != nullptr) *bytes = encoded.size();
  std::vector<int64_t> out(values.size(), 12345);
  Status status = patched_delta_decode(encoded, out);
  EXPECT_TRUE(status.is_ok()) << status.to_string();
  return out;
}

// Four series of 15-minute points, sorted by series then time: three jumps back.
std::vector<int64_t> sorted_series_times() {
  std::vector<int64_t> values;
  for (int series = 0; series < 4; ++series) {
    for (int64_t i = 0; i < 256; ++i)
      values.push_back(1'735'689'600'000'000'000 + i * 900'000'000'000);
  }
  return values;
}

TEST(PatchedDeltaTest, SeriesBoundariesBecomeExceptions) {
  const std::vector<int64_t> values = sorted_series_times();
  size_t bytes = 0;
  EXPECT_EQ(round_trip(values, &bytes), values);
  // Header 2 + 8 + 8, body 11, each boundary makes two residual outliers
  // (jump back, then the cadence resumes): 6 × 10 bytes; width 0.
  EXPECT_EQ(bytes, 18u + 11u + 6u * 10u);
  // Plain delta-of-delta would pack every residual at 64 bits.
  std::string best;
  ASSERT_TRUE(encode_int64_vector(values, &best).is_ok());
  EXPECT_EQ(static_cast<EncodingId>(best[0]), EncodingId::kPatchedDelta);
}

TEST(PatchedDeltaTest, RoundTripsEdgeCases) {
  constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  for (const std::vector<int64_t>& values : std::vector<std::vector<int64_t>>{
           {}, {7}, {kMin, kMax}, {kMin, kMax, kMin, kMax, 0, -1}, {5, 5, 5}}) {
    EXPECT_EQ(round_trip(values), values);
  }
}

TEST(PatchedDeltaTest, RandomVectorsRoundTrip) {
  for (uint32_t seed = 1; seed <= 200; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    std::mt19937_64 rng(seed);
    std::vector<int64_t> values(1 + rng() % kMaxVectorValues);
    uint64_t t = rng();
    const unsigned outlier_every = 1 + static_cast<unsigned>(rng() % 200);
    for (int64_t& v : values) {
      t += rng() % outlier_every == 0 ? rng() : 900 + rng() % 3;
      v = static_cast<int64_t>(t);
    }
    ASSERT_EQ(round_trip(values), values);
  }
}

TEST(PatchedDeltaTest, DamageIsAnErrorOrSameSizedOutput) {
  std::string encoded;
  ASSERT_TRUE(patched_delta_encode(sorted_series_times(), &encoded).is_ok());
  std::vector<int64_t> out(1024);
  for (size_t length = 0; length < encoded.size(); ++length) {
    EXPECT_EQ(patched_delta_decode(encoded.substr(0, length), out).code(), ErrorCode::kCorruption)
        << length;
  }
  for (size_t at = 0; at < encoded.size(); ++at) {
    std::string damaged = encoded;
    damaged[at] = static_cast<char>(damaged[at] ^ 0x40);
    Status status = patched_delta_decode(damaged, out);  // never a crash
    if (!status.is_ok()) {
      EXPECT_EQ(status.code(), ErrorCode::kCorruption) << at;
    }
  }
  std::string extra = encoded + "x";
  EXPECT_EQ(patched_delta_decode(extra, out).code(), ErrorCode::kCorruption);
}

}  // namespace
}  // namespace tessera::storage
