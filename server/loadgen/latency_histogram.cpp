#include "server/loadgen/latency_histogram.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace tessera::loadgen {

// Layout: values 0 .. 2*kSubBuckets-1 map to themselves (shift 0). A larger
// value with bit width w has shift s = w - (kSubBucketBits + 1) >= 1, and its
// top kSubBucketBits+1 bits t = value >> s lie in [kSubBuckets, 2*kSubBuckets);
// it goes to 2*kSubBuckets + (s - 1) * kSubBuckets + (t - kSubBuckets).
size_t LatencyHistogram::bucket_of(uint64_t value) {
  const int width = std::bit_width(value);
  if (width <= kSubBucketBits + 1) return static_cast<size_t>(value);
  const int shift = width - (kSubBucketBits + 1);
  const uint64_t top = value >> shift;
  return static_cast<size_t>(2 * kSubBuckets + static_cast<uint64_t>(shift - 1) * kSubBuckets +
                             (top - kSubBuckets));
}

uint64_t LatencyHistogram::bucket_highest(size_t bucket) {
  if (bucket < 2 * kSubBuckets) return bucket;
  const uint64_t rest = bucket - 2 * kSubBuckets;
  const int shift = static_cast<int>(rest / kSubBuckets) + 1;
  const uint64_t top = kSubBuckets + rest % kSubBuckets;
  // The last bucket's upper end is 2^64 - 1; computing (top + 1) << shift would wrap.
  if (top + 1 == 2 * kSubBuckets && shift + kSubBucketBits + 1 == 64) return UINT64_MAX;
  return ((top + 1) << shift) - 1;
}

void LatencyHistogram::record(uint64_t value_ns) {
  ++counts_[bucket_of(value_ns)];
  ++count_;
  min_ns_ = std::min(min_ns_, value_ns);
  max_ns_ = std::max(max_ns_, value_ns);
  sum_ns_ += static_cast<long double>(value_ns);
}

void LatencyHistogram::merge(const LatencyHistogram& other) {
  for (size_t i = 0; i < kBucketCount; ++i) counts_[i] += other.counts_[i];
  count_ += other.count_;
  min_ns_ = std::min(min_ns_, other.min_ns_);
  max_ns_ = std::max(max_ns_, other.max_ns_);
  sum_ns_ += other.sum_ns_;
}

double LatencyHistogram::mean_ns() const {
  return count_ ? static_cast<double>(sum_ns_ / static_cast<long double>(count_)) : 0.0;
}

uint64_t LatencyHistogram::percentile_ns(double q) const {
  if (count_ == 0) return 0;
  q = std::clamp(q, 0.0, 1.0);
  // Nearest rank, at least 1: the 0th percentile is the minimum.
  uint64_t rank = static_cast<uint64_t>(std::ceil(q * static_cast<double>(count_)));
  rank = std::clamp<uint64_t>(rank, 1, count_);
  uint64_t seen = 0;
  for (size_t i = 0; i < kBucketCount; ++i) {
    seen += counts_[i];
    if (seen >= rank) return std::clamp(bucket_highest(i), min_ns_, max_ns_);
  }
  return max_ns_;
}

}  // namespace tessera::loadgen
