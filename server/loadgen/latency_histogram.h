// LatencyHistogram: records latencies (nanoseconds) in HDR-style log-linear
// buckets and answers percentiles with a bounded relative error, in constant
// memory, so a load run of any length can keep one per query kind.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace tessera::loadgen {

class LatencyHistogram {
 public:
  // 2^kSubBucketBits linear sub-buckets per power of two: values below
  // 2 * kSubBuckets are exact, larger ones land in a bucket of relative width
  // at most 1 / kSubBuckets (< 0.8%).
  static constexpr int kSubBucketBits = 7;
  static constexpr uint64_t kSubBuckets = uint64_t{1} << kSubBucketBits;
  static constexpr size_t kBucketCount = 2 * kSubBuckets + (64 - kSubBucketBits - 1) * kSubBuckets;

  void record(uint64_t value_ns);
  // Adds every value recorded in `other`.
  void merge(const LatencyHistogram& other);
  void clear() { *this = LatencyHistogram(); }

  uint64_t count() const { return count_; }
  uint64_t min_ns() const { return count_ ? min_ns_ : 0; }
  uint64_t max_ns() const { return max_ns_; }  // exact
  double mean_ns() const;

  // Nearest-rank percentile (the smallest recorded value v with at least
  // ceil(q * count) values <= v), reported as the highest value of v's bucket,
  // clamped to [min, max]: never below the true value, and at most
  // 1 / kSubBuckets above it. q is clamped to [0, 1]; 0 with no values.
  uint64_t percentile_ns(double q) const;

  // The bucket of a value and the largest value mapping to a bucket; exposed
  // for tests.
  static size_t bucket_of(uint64_t value);
  static uint64_t bucket_highest(size_t bucket);

 private:
  std::array<uint64_t, kBucketCount> counts_{};
  uint64_t count_ = 0;
  uint64_t min_ns_ = UINT64_MAX;
  uint64_t max_ns_ = 0;
  long double sum_ns_ = 0;
};

}  // namespace tessera::loadgen
