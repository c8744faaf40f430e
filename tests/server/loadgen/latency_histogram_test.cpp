#include "server/loadgen/latency_histogram.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

namespace tessera::loadgen {
namespace {

// Nearest-rank percentile of a sorted array: the reference.
uint64_t nearest_rank(const std::vector<uint64_t>& sorted, double q) {
  size_t rank = static_cast<size_t>(std::ceil(q * static_cast<double>(sorted.size())));
  rank = std::clamp<size_t>(rank, 1, sorted.size());
  return sorted[rank - 1];
}

TEST(LatencyHistogramTest, EmptyReportsZeros) {
  LatencyHistogram h;
  EXPECT_EQ(h.count(), 0u);
  EXPECT_EQ(h.percentile_ns(0.5), 0u);
  EXPECT_EQ(h.max_ns(), 0u);
  EXPECT_EQ(h.min_ns(), 0u);
}

TEST(LatencyHistogramTest, SmallValuesAreExact) {
  LatencyHistogram h;
  for (uint64_t v = 1; v <= 100; ++v) h.record(v);
  EXPECT_EQ(h.percentile_ns(0.5), 50u);
  EXPECT_EQ(h.percentile_ns(0.95), 95u);
  EXPECT_EQ(h.percentile_ns(0.99), 99u);
  EXPECT_EQ(h.percentile_ns(1.0), 100u);
  EXPECT_EQ(h.percentile_ns(0.0), 1u);
  EXPECT_DOUBLE_EQ(h.mean_ns(), 50.5);
}

TEST(LatencyHistogramTest, BucketsCoverEveryValueContiguously) {
  // Each bucket's highest value + 1 is the next bucket's first value.
  for (size_t b = 0; b + 1 < LatencyHistogram::kBucketCount; ++b) {
    const uint64_t high = LatencyHistogram::bucket_highest(b);
    ASSERT_EQ(LatencyHistogram::bucket_of(high), b) << b;
    ASSERT_EQ(LatencyHistogram::bucket_of(high + 1), b + 1) << b;
  }
  EXPECT_EQ(LatencyHistogram::bucket_of(UINT64_MAX), LatencyHistogram::kBucketCount - 1);
  EXPECT_EQ(LatencyHistogram::bucket_highest(LatencyHistogram::kBucketCount - 1), UINT64_MAX);
}

TEST(LatencyHistogramTest, PercentilesBracketSortedArrayWithinOnePercent) {
  const uint32_t seed = 20250215;
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937_64 rng(seed);
  // Log-uniform from 1 us to 10 s: the span of real query latencies.
  std::uniform_real_distribution<double> exponent(3.0, 10.0);
  LatencyHistogram h;
  std::vector<uint64_t> values;
  for (int i = 0; i < 20000; ++i) {
    const uint64_t v = static_cast<uint64_t>(std::pow(10.0, exponent(rng)));
    values.push_back(v);
    h.record(v);
  }
  std::sort(values.begin(), values.end());
  for (double q : {0.0, 0.01, 0.25, 0.5, 0.9, 0.95, 0.99, 0.999, 1.0}) {
    const uint64_t truth = nearest_rank(values, q);
    const uint64_t got = h.percentile_ns(q);
    EXPECT_GE(got, truth) << "q=" << q;
    EXPECT_LE(static_cast<double>(got), static_cast<double>(truth) * (1.0 + 1.0 / 128))
        << "q=" << q;
  }
  EXPECT_EQ(h.max_ns(), values.back());
  EXPECT_EQ(h.min_ns(), values.front());
  EXPECT_EQ(h.percentile_ns(1.0), values.back());
}

TEST(LatencyHistogramTest, MergeEqualsRecordingEverythingInOne) {
  LatencyHistogram a, b, all;
  for (uint64_t v = 1000; v < 500000; v += 777) {
    ((v / 777) % 2 ? a : b).record(v);
    all.record(v);
  }
  a.merge(b);
  EXPECT_EQ(a.count(), all.count());
  for (double q : {0.5, 0.95, 0.99}) EXPECT_EQ(a.percentile_ns(q), all.percentile_ns(q));
  EXPECT_EQ(a.max_ns(), all.max_ns());
  EXPECT_EQ(a.min_ns(), all.min_ns());
}

}  // namespace
}  // namespace tessera::loadgen
