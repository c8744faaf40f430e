#include "query/percentile.h"

#include <immintrin.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cassert>
#include <cmath>
#include <cstdint>
#include <limits>
#include <span>
#include <vector>

namespace tessera::query {
namespace {

constexpr uint64_t kSignBit = uint64_t{1} << 63;
constexpr uint64_t kNaNKey = std::numeric_limits<uint64_t>::max();

// Maps doubles to unsigned keys whose order is PostgreSQL's float8 order: negative
// numbers have their bits inverted, non-negative ones their sign bit set, and every
// NaN (of either sign) becomes the largest key. Distinct doubles keep distinct keys
// except NaNs; -0.0 gets the key just below 0.0's.
uint64_t order_key(double v) {
  const auto bits = std::bit_cast<uint64_t>(v);
  const uint64_t flip = static_cast<uint64_t>(static_cast<int64_t>(bits) >> 63) | kSignBit;
  return std::isnan(v) ? kNaNKey : bits ^ flip;
}

double from_order_key(uint64_t key) {
  if (key == kNaNKey) return std::numeric_limits<double>::quiet_NaN();
  return std::bit_cast<double>((key & kSignBit) != 0 ? key ^ kSignBit : ~key);
}

// The selection works in place: `values` is overwritten with the keys' bits, so
// that a large group needs no second buffer. Doubles are only moved, never
// computed with, while they hold keys.
class KeySpan {
 public:
  explicit KeySpan(std::span<double> values) : values_(values) {}
  size_t size() const { return values_.size(); }
  uint64_t get(size_t i) const { return std::bit_cast<uint64_t>(values_[i]); }
  void set(size_t i, uint64_t key) { values_[i] = std::bit_cast<double>(key); }
  std::span<double> first(size_t m) const { return values_.first(m); }
  const double* data() const { return values_.data(); }

 private:
  std::span<double> values_;
};

struct RankKeys {
  uint64_t at_k = 0;
  uint64_t after_k = 0;  // set when asked for
};

constexpr int kDigitBits = 11;
constexpr size_t kSelectDirectly = 1024;

// The bits in which the first `m` keys differ from the first one: zero when all
// are equal; else its highest bit is the highest bit where the least and the
// greatest key differ. (A loop without a dependency chain, unlike min and max.)
uint64_t spread_of(const KeySpan& keys, size_t m) {
  const uint64_t first = keys.get(0);
  uint64_t spread = 0;
  for (size_t i = 1; i < m; ++i) spread |= keys.get(i) ^ first;
  return spread;
}

// count[d] = how many of the first `m` keys have digit d, (key >> shift) & digit_mask.
// Four tables, one per lane of four keys, summed at the end: equal digits in a row
// (clustered values) would otherwise wait on each other's increments through memory.
void count_digits(const KeySpan& keys, size_t m, int shift, uint64_t digit_mask,
                  std::array<uint32_t, size_t{1} << kDigitBits>& count) {
  const size_t buckets = digit_mask + 1;
  std::fill_n(count.begin(), buckets, 0);
  if (m < 8 * buckets) {  // clearing and summing four tables would cost more
    for (size_t i = 0; i < m; ++i) ++count[(keys.get(i) >> shift) & digit_mask];
    return;
  }
  std::array<std::array<uint32_t, size_t{1} << kDigitBits>, 3> more;
  for (auto& table : more) std::fill_n(table.begin(), buckets, 0);
  size_t i = 0;
  for (; i + 4 <= m; i += 4) {
    ++count[(keys.get(i) >> shift) & digit_mask];
    ++more[0][(keys.get(i + 1) >> shift) & digit_mask];
    ++more[1][(keys.get(i + 2) >> shift) & digit_mask];
    ++more[2][(keys.get(i + 3) >> shift) & digit_mask];
  }
  for (; i < m; ++i) ++count[(keys.get(i) >> shift) & digit_mask];
  for (size_t d = 0; d < buckets; ++d) count[d] += more[0][d] + more[1][d] + more[2][d];
}

// Moves the keys among the first `m` whose digit, (key >> shift) & digit_mask, is
// `bucket` to the front, in order. Four keys are compared at a time: most passes keep
// few of them, and a group of four without one costs no store.
void keep_bucket(KeySpan keys, size_t m, int shift, uint64_t digit_mask, uint64_t bucket) {
  const __m128i shift_by = _mm_cvtsi32_si128(shift);
  const __m256i mask = _mm256_set1_epi64x(static_cast<int64_t>(digit_mask));
  const __m256i wanted = _mm256_set1_epi64x(static_cast<int64_t>(bucket));
  size_t kept = 0;  // never past the key being read, so moving keys is safe in place
  size_t i = 0;
  for (; i + 4 <= m; i += 4) {
    const __m256i four = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(keys.data() + i));
    const __m256i digits = _mm256_and_si256(_mm256_srl_epi64(four, shift_by), mask);
    auto hits = static_cast<uint32_t>(
        _mm256_movemask_pd(_mm256_castsi256_pd(_mm256_cmpeq_epi64(digits, wanted))));
    for (; hits != 0; hits &= hits - 1) {
      keys.set(kept++, keys.get(i + static_cast<size_t>(std::countr_zero(hits))));
    }
  }
  for (; i < m; ++i) {
    const uint64_t key = keys.get(i);
    keys.set(kept, key);
    kept += ((key >> shift) & digit_mask) == bucket;
  }
}

// The keys of rank k and, when `want_next`, k + 1 (0-based) among the first `m` of
// `keys`, whose spread_of is `spread`; `keys` is reordered. A most-significant-digit
// radix selection: each pass counts the candidates by the 11 bits below the highest
// bit in which they differ, and keeps only the bucket holding rank k. Its loops have
// no data-dependent branches, unlike nth_element's partitioning; the last few
// candidates go to nth_element.
RankKeys select_ranks(KeySpan keys, size_t m, size_t k, bool want_next, uint64_t spread) {
  RankKeys out;
  std::array<uint32_t, size_t{1} << kDigitBits> count;
  while (true) {
    if (spread == 0) {  // every candidate is equal: rank k and rank k + 1 both are
      out.at_k = keys.get(0);
      if (want_next) out.after_k = out.at_k;
      return out;
    }
    if (m <= kSelectDirectly) {
      const std::span<double> few = keys.first(m);
      const auto kth = few.begin() + static_cast<std::ptrdiff_t>(k);
      const auto key_less = [](double a, double b) {
        return std::bit_cast<uint64_t>(a) < std::bit_cast<uint64_t>(b);
      };
      std::nth_element(few.begin(), kth, few.end(), key_less);
      out.at_k = std::bit_cast<uint64_t>(*kth);
      if (want_next)
        out.after_k = std::bit_cast<uint64_t>(*std::min_element(kth + 1, few.end(), key_less));
      return out;
    }
    // Above the top bit every candidate is alike, so the digit is the bits from
    // `shift` to the top bit.
    const int top_bit = 63 - std::countl_zero(spread);
    const int shift = std::max(0, top_bit + 1 - kDigitBits);
    const uint64_t digit_mask = (uint64_t{2} << (top_bit - shift)) - 1;
    count_digits(keys, m, shift, digit_mask, count);
    size_t before = 0;
    uint64_t bucket = 0;
    while (before + count[bucket] <= k) before += count[bucket++];
    const size_t in_bucket = count[bucket];
    // Rank k + 1 lies above this bucket when k is its last row: then it is the
    // least key of the buckets above.
    if (want_next && k + 1 == before + in_bucket) {
      uint64_t least_above = kNaNKey;
      for (size_t i = 0; i < m; ++i) {
        const uint64_t key = keys.get(i);
        least_above = std::min(least_above, ((key >> shift) & digit_mask) > bucket ? key : kNaNKey);
      }
      out.after_k = least_above;
      want_next = false;
    }
    keep_bucket(keys, m, shift, digit_mask, bucket);
    m = in_bucket;
    k -= before;
    spread = spread_of(keys, m);
  }
}

// percentile_cont of fraction p over `keys`, the order keys of n values, whose
// spread_of is `spread`; the selection overwrites them (it keeps only the candidates
// of each pass).
double percentile_of_keys(KeySpan keys, double p, uint64_t spread) {
  assert(p >= 0.0 && p <= 1.0);
  const size_t n = keys.size();
  // Same expressions as percentile_cont_float8_final: the row count minus one is
  // converted to double before the multiply, and floor/ceil pick the two rows.
  const double pos = p * static_cast<double>(n - 1);
  const double first_pos = std::floor(pos);
  const double second_pos = std::ceil(pos);
  const auto first = static_cast<size_t>(first_pos);
  const auto second = static_cast<size_t>(second_pos);
  const RankKeys ranks = select_ranks(keys, n, first, second != first, spread);
  const double lo = from_order_key(ranks.at_k);
  if (second == first) return lo;
  const double hi = from_order_key(ranks.after_k);
  // float8_lerp: lo + (proportion * (hi - lo)), proportion = pos - first_row.
  const double proportion = pos - first_pos;
  return lo + (proportion * (hi - lo));
}

}  // namespace

void percentile_cont(std::span<double> values, std::span<const double> fractions,
                     std::span<std::optional<double>> out) {
  assert(out.size() == fractions.size());
  if (values.empty()) {
    std::fill(out.begin(), out.end(), std::nullopt);
    return;
  }
  // The keys and their spread_of in one pass.
  KeySpan keys(values);
  const uint64_t first_key = order_key(values[0]);
  uint64_t spread = 0;
  for (size_t i = 0; i < values.size(); ++i) {
    const uint64_t key = order_key(values[i]);
    spread |= key ^ first_key;
    keys.set(i, key);
  }
  // Every fraction but the last selects in a copy of the keys; the last, in place.
  std::vector<double> copy;
  for (size_t f = 0; f + 1 < fractions.size(); ++f) {
    copy.assign(values.begin(), values.end());
    out[f] = percentile_of_keys(KeySpan(copy), fractions[f], spread);
  }
  if (!fractions.empty()) out.back() = percentile_of_keys(keys, fractions.back(), spread);
}

std::optional<double> percentile_cont(std::span<double> values, double p) {
  std::optional<double> out;
  percentile_cont(values, std::span<const double>(&p, 1),
                  std::span<std::optional<double>>(&out, 1));
  return out;
}

}  // namespace tessera::query
