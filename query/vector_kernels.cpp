#include "query/vector_kernels.h"

#include <immintrin.h>
#include <xsimd/xsimd.hpp>

#include <array>
#include <bit>
#include <cmath>
#include <cstring>

#include "storage/block/float_order.h"

namespace tessera::query::detail {
namespace {

using DoubleBatch = xsimd::batch<double, xsimd::avx2>;

// Branch-free loops over bytes and 64-bit lanes, which the compiler vectorises:
// integer counts are associative, unlike the float sums above.
template <typename T, typename AtMost>
AtMostCounts count_at_most_by(const T* values, const uint8_t* valid, size_t n, AtMost at_most) {
  AtMostCounts counts;
  if (valid == nullptr) {
    counts.with_value = static_cast<int64_t>(n);
    for (size_t i = 0; i < n; ++i) counts.at_most += at_most(values[i]);
    return counts;
  }
  for (size_t i = 0; i < n; ++i) {
    const bool has_value = valid[i] != 0;
    counts.with_value += has_value;
    counts.at_most += has_value & at_most(values[i]);
  }
  return counts;
}

// All-ones lanes where the four bytes from bytes[at] on are non-zero; all lanes
// when `bytes` is null. Raw AVX2: xsimd 8 has no byte-to-lane mask widening.
__m256i lanes_of(const uint8_t* bytes, size_t at) {
  if (bytes == nullptr) return _mm256_set1_epi64x(-1);
  int32_t four = 0;
  std::memcpy(&four, bytes + at, 4);
  const __m256i wide = _mm256_cvtepu8_epi64(_mm_cvtsi32_si128(four));
  return _mm256_cmpgt_epi64(wide, _mm256_setzero_si256());
}

}  // namespace

double sum_doubles(std::span<const double> values) {
  constexpr size_t kLanes = DoubleBatch::size;
  // Two independent accumulators hide the latency of the vector add.
  DoubleBatch acc0(0.0), acc1(0.0);
  size_t i = 0;
  for (; i + 2 * kLanes <= values.size(); i += 2 * kLanes) {
    acc0 += DoubleBatch::load_unaligned(values.data() + i);
    acc1 += DoubleBatch::load_unaligned(values.data() + i + kLanes);
  }
  double sum = xsimd::hadd(acc0 + acc1);
  for (; i < values.size(); ++i) sum += values[i];
  return sum;
}

SumCount sum_doubles_where(const double* values, const uint8_t* valid, const uint8_t* keep,
                           size_t n) {
  // sum_doubles' loop, each lane masked to +0.0 where the row does not count.
  __m256d acc0 = _mm256_setzero_pd(), acc1 = _mm256_setzero_pd();
  __m256i counted = _mm256_setzero_si256();  // minus the all-ones lanes: +1 each
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256i mask0 = _mm256_and_si256(lanes_of(valid, i), lanes_of(keep, i));
    const __m256i mask1 = _mm256_and_si256(lanes_of(valid, i + 4), lanes_of(keep, i + 4));
    acc0 =
        _mm256_add_pd(acc0, _mm256_and_pd(_mm256_loadu_pd(values + i), _mm256_castsi256_pd(mask0)));
    acc1 = _mm256_add_pd(
        acc1, _mm256_and_pd(_mm256_loadu_pd(values + i + 4), _mm256_castsi256_pd(mask1)));
    counted = _mm256_sub_epi64(_mm256_sub_epi64(counted, mask0), mask1);
  }
  SumCount out;
  out.sum = xsimd::hadd(DoubleBatch(acc0) + DoubleBatch(acc1));
  alignas(32) int64_t lanes[4];
  _mm256_store_si256(reinterpret_cast<__m256i*>(lanes), counted);
  out.count = lanes[0] + lanes[1] + lanes[2] + lanes[3];
  for (; i < n; ++i) {
    const bool counts = (valid == nullptr || valid[i] != 0) && (keep == nullptr || keep[i] != 0);
    out.sum += counts ? values[i] : 0.0;
    out.count += counts;
  }
  return out;
}

WrappedSum sum_int64(std::span<const int64_t> values) {
  // Each value as unsigned 32-bit halves, minus 2^64 when negative:
  // v = high * 2^32 + low - negative * 2^64. Fewer than 2^32 values keep each of
  // the three sums below 2^64.
  uint64_t high = 0, low = 0, negatives = 0;
  for (const int64_t v : values) {
    const auto u = static_cast<uint64_t>(v);
    high += u >> 32;
    low += u & 0xffff'ffff;
    negatives += u >> 63;
  }
  // total = (high >> 32) * 2^64 + ((high mod 2^32) * 2^32 + low) - negatives * 2^64;
  // the middle term may carry once past 2^64, and its top bit makes it negative
  // as an int64 (one more 2^64 in the carry).
  uint64_t rest = 0;
  const bool past = __builtin_add_overflow(high << 32, low, &rest);
  WrappedSum out;
  out.sum = static_cast<int64_t>(rest);
  out.carry = static_cast<int64_t>(high >> 32) - static_cast<int64_t>(negatives) +
              static_cast<int64_t>(past) + static_cast<int64_t>(rest >> 63);
  return out;
}

AtMostCounts count_at_most(const double* values, const uint8_t* valid, size_t n, double target) {
  if (std::isnan(target)) {  // NaN is above every number and equal to itself: all count
    AtMostCounts counts;
    counts.with_value = valid == nullptr ? static_cast<int64_t>(n)
                                         : static_cast<int64_t>(count_nonzero({valid, n}));
    counts.at_most = counts.with_value;
    return counts;
  }
  // With a number as target, PostgreSQL's order is IEEE `<=` (a NaN value is above
  // it, -0.0 equals 0.0). Each lane subtracts its all-ones mask: +1 where it counts.
  // Raw AVX2 for the same reason as sum_doubles_where: the compiler's vectorisation
  // of count_at_most_by widened the valid bytes with a shuffle chain per eight rows.
  const __m256d bound = _mm256_set1_pd(target);
  __m256i with_value = _mm256_setzero_si256();
  __m256i at_most = _mm256_setzero_si256();
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256i valid0 = lanes_of(valid, i);
    const __m256i valid1 = lanes_of(valid, i + 4);
    const __m256i le0 =
        _mm256_castpd_si256(_mm256_cmp_pd(_mm256_loadu_pd(values + i), bound, _CMP_LE_OQ));
    const __m256i le1 =
        _mm256_castpd_si256(_mm256_cmp_pd(_mm256_loadu_pd(values + i + 4), bound, _CMP_LE_OQ));
    with_value = _mm256_sub_epi64(with_value, _mm256_add_epi64(valid0, valid1));
    at_most = _mm256_sub_epi64(
        at_most, _mm256_add_epi64(_mm256_and_si256(le0, valid0), _mm256_and_si256(le1, valid1)));
  }
  alignas(32) std::array<int64_t, 4> with_lanes, at_most_lanes;
  _mm256_store_si256(reinterpret_cast<__m256i*>(with_lanes.data()), with_value);
  _mm256_store_si256(reinterpret_cast<__m256i*>(at_most_lanes.data()), at_most);
  AtMostCounts counts;
  for (size_t k = 0; k < 4; ++k) {
    counts.with_value += with_lanes[k];
    counts.at_most += at_most_lanes[k];
  }
  for (; i < n; ++i) {
    const bool has_value = valid == nullptr || valid[i] != 0;
    counts.with_value += has_value;
    counts.at_most += has_value & (values[i] <= target);
  }
  return counts;
}

AtMostCounts count_at_most(const int64_t* values, const uint8_t* valid, size_t n, double target) {
  return count_at_most_by(values, valid, n, [target](int64_t v) {
    return storage::float_order_at_most(static_cast<double>(v), target);
  });
}

AtMostCounts count_at_most(const int64_t* values, const uint8_t* valid, size_t n, int64_t target) {
  return count_at_most_by(values, valid, n, [target](int64_t v) { return v <= target; });
}

size_t count_nonzero(std::span<const uint8_t> bytes) {
  // Integer adds are associative, so the compiler vectorizes this loop itself.
  size_t count = 0;
  for (const uint8_t b : bytes) count += b != 0;
  return count;
}

std::optional<std::vector<uint32_t>> kept_ranges(std::span<const uint8_t> keep, size_t max_ranges) {
  std::vector<uint32_t> bounds;  // alternately a range's begin and its end
  const size_t n = keep.size();
  uint32_t previous_kept = 0;  // 1 when the row before the current one is kept
  size_t i = 0;
  // 32 rows at a time: bit j of `changes` is set where row i + j differs from the
  // row before it, each such row a bound.
  const __m256i zero = _mm256_setzero_si256();
  for (; i + 32 <= n; i += 32) {
    const __m256i bytes = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(keep.data() + i));
    const auto kept = ~static_cast<uint32_t>(_mm256_movemask_epi8(_mm256_cmpeq_epi8(bytes, zero)));
    uint32_t changes = kept ^ ((kept << 1) | previous_kept);
    previous_kept = kept >> 31;
    for (; changes != 0; changes &= changes - 1) {
      bounds.push_back(static_cast<uint32_t>(i) + static_cast<uint32_t>(std::countr_zero(changes)));
    }
    if (bounds.size() > 2 * max_ranges) return std::nullopt;
  }
  for (; i < n; ++i) {
    const uint32_t kept = keep[i] != 0;
    if (kept != previous_kept) bounds.push_back(static_cast<uint32_t>(i));
    previous_kept = kept;
  }
  if (previous_kept != 0) bounds.push_back(static_cast<uint32_t>(n));
  if (bounds.size() > 2 * max_ranges) return std::nullopt;
  return bounds;
}

}  // namespace tessera::query::detail
