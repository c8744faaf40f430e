// QuantileSketch: a mergeable, bounded-memory, relative-error quantile sketch
// (DDSketch-style logarithmic buckets) behind `approx_percentile(f, p)`, and the
// partial aggregate that shards and block statistics will merge.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "storage/base/status.h"

namespace tessera::storage {

// Buckets are indexed by i = ceil(log_gamma(|x|)) with gamma = (1 + a) / (1 - a),
// a = kQuantileSketchRelativeAccuracy; bucket i holds |x| in (gamma^(i-1), gamma^i]
// and is represented by 2 * gamma^i / (gamma + 1), which is within a relative
// error a of every value in the bucket. Positive and negative values have separate
// stores; zeros (and -0.0) and +-infinity are counted exactly; NaN is ignored.
//
// Rank: quantile(p) over n values returns an estimate of the exact nearest-rank
// value, the k-th smallest with k = max(1, ceil(p * n)) (1-based). The estimate is
// within relative error a (0.5%) of that value, within the promised 1% with room
// for rounding, as long as no bucket was collapsed; p = 0 and p = 1 (more precisely
// k = 1 and k = n) return the exact minimum and maximum, which are tracked.
//
// Memory: each store keeps at most kQuantileSketchMaxBuckets contiguous buckets
// (8 bytes each), covering a ratio of gamma^2048 ~ 7.8e8 between its largest and
// smallest magnitude. Beyond that the buckets of smallest magnitude are collapsed
// into the lowest kept bucket, so only the quantiles of the values near zero lose
// accuracy, never those of the large ones (the percentiles dashboards ask for).
//
// Merging is exact: the state depends only on the multiset of values added, so
// merge(sketch(A), sketch(B)) equals sketch(A ∪ B), collapses included, and
// serializes to the same bytes.
//
// Thread-safety: const methods may run concurrently; add and merge need exclusive
// access (build one sketch per thread and merge them).
inline constexpr double kQuantileSketchRelativeAccuracy = 0.005;
inline constexpr uint32_t kQuantileSketchMaxBuckets = 2048;
// Bucket indexes a double can produce lie within +-kQuantileSketchMaxIndex
// (log_gamma of the smallest subnormal is about -74,400, of DBL_MAX about 71,000).
inline constexpr int32_t kQuantileSketchMaxIndex = 80'000;

class QuantileSketch {
 public:
  QuantileSketch();

  // Adds one value. NaN is ignored (it has no rank); -0.0 counts as zero.
  void add(double value);
  // Adds every value of `other`.
  void merge(const QuantileSketch& other);
  // Values added (NaN excluded).
  uint64_t count() const;
  // nullopt when empty. Requires: 0 <= p <= 1 (callers validate the SQL argument).
  std::optional<double> quantile(double p) const;

  // Compact little-endian bytes, layout documented in quantile_sketch.cpp. Equal
  // sketches serialize to equal bytes.
  std::string serialize() const;
  // kCorruption naming the offset and the check that failed, for any bytes that
  // are not a serialized sketch; never reads past `bytes`.
  static Result<QuantileSketch> deserialize(std::string_view bytes);

 private:
  // One sign's buckets: counts[k] is bucket index offset + k. Canonical: empty, or
  // the first and last counts are non-zero and there are at most
  // kQuantileSketchMaxBuckets of them.
  struct Store {
    std::vector<uint64_t> counts;
    int32_t offset = 0;

    bool empty() const { return counts.empty(); }
    int32_t max_index() const { return offset + static_cast<int32_t>(counts.size()) - 1; }
    // Adds `n` > 0 to bucket `index`.
    void add(int32_t index, uint64_t n);
    // Adds every bucket of `other`.
    void merge(const Store& other);
    // Makes the store span [lo, hi] (hi - lo < kQuantileSketchMaxBuckets, covering
    // the current span's top), moving the counts of buckets below `lo` into `lo`.
    void resize_to(int32_t lo, int32_t hi);
    // The span [lo, hi] that holds the current buckets and [other_lo, other_hi],
    // with `lo` raised so that it has at most kQuantileSketchMaxBuckets buckets.
    std::pair<int32_t, int32_t> span_with(int32_t other_lo, int32_t other_hi) const;
  };

  Store positive_;
  Store negative_;  // indexed by the magnitude of the value
  uint64_t zero_count_ = 0;
  uint64_t positive_infinity_count_ = 0;
  uint64_t negative_infinity_count_ = 0;
  uint64_t count_ = 0;
  double min_ = 0;  // meaningful only when count_ > 0
  double max_ = 0;
};

}  // namespace tessera::storage
