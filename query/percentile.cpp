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
  double* data() const { return values_.data(); }

 private:
  std::span<double> values_;
};

struct RankKeys {
  uint64_t at_k = 0;
  uint64_t after_k = 0;  // set when asked for
};

constexpr int kDigitBits = 11;
constexpr size_t kSelectDirectly = 1024;

// The least and the greatest of some keys.
struct KeyRange {
  uint64_t least = 0;
  uint64_t greatest = 0;
};

// The range of the first `m` keys (m >= 1), after `convert(i)` has turned the
// four doubles from i on into their keys in place when it is given. Four lanes at
// a time: AVX2 compares signed 64-bit lanes only, so each key's top bit is flipped
// first, which orders the flipped keys as signed numbers as the keys are ordered
// unsigned.
template <typename Convert>
KeyRange range_of(const KeySpan& keys, size_t m, Convert convert) {
  const __m256i top_bit = _mm256_set1_epi64x(std::numeric_limits<int64_t>::min());
  const auto load_flipped = [&](size_t i) {
    convert(i);
    return _mm256_xor_si256(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(keys.data() + i)),
                            top_bit);
  };
  size_t i = 0;
  KeyRange range;
  if (m >= 4) {
    __m256i least = load_flipped(0);
    __m256i greatest = least;
    for (i = 4; i + 4 <= m; i += 4) {
      const __m256i four = load_flipped(i);
      least = _mm256_blendv_epi8(least, four, _mm256_cmpgt_epi64(least, four));
      greatest = _mm256_blendv_epi8(greatest, four, _mm256_cmpgt_epi64(four, greatest));
    }
    alignas(32) std::array<uint64_t, 4> lanes_least, lanes_greatest;
    _mm256_store_si256(reinterpret_cast<__m256i*>(lanes_least.data()),
                       _mm256_xor_si256(least, top_bit));
    _mm256_store_si256(reinterpret_cast<__m256i*>(lanes_greatest.data()),
                       _mm256_xor_si256(greatest, top_bit));
    range.least = *std::min_element(lanes_least.begin(), lanes_least.end());
    range.greatest = *std::max_element(lanes_greatest.begin(), lanes_greatest.end());
  } else {
    range.least = std::numeric_limits<uint64_t>::max();
  }
  for (; i < m; ++i) {
    range.least = std::min(range.least, keys.get(i));
    range.greatest = std::max(range.greatest, keys.get(i));
  }
  return range;
}

KeyRange range_of(const KeySpan& keys, size_t m) {
  return range_of(keys, m, [](size_t) {});
}

// Turns `values` into their order keys in place and returns their range, in one
// pass. order_key four lanes at a time: the sign bit set for non-negative values,
// every bit inverted for negative ones, NaN the greatest key.
KeyRange to_keys(KeySpan keys) {
  const size_t n = keys.size();
  const __m256i top_bit = _mm256_set1_epi64x(std::numeric_limits<int64_t>::min());
  const auto convert = [&](size_t i) {
    double* at = keys.data() + i;
    const __m256d values = _mm256_loadu_pd(at);
    const __m256i bits = _mm256_castpd_si256(values);
    const __m256i negative = _mm256_cmpgt_epi64(_mm256_setzero_si256(), bits);
    const __m256i key = _mm256_xor_si256(bits, _mm256_or_si256(negative, top_bit));
    const __m256i nan = _mm256_castpd_si256(_mm256_cmp_pd(values, values, _CMP_UNORD_Q));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(at), _mm256_or_si256(key, nan));
  };
  const size_t vectors_end = n / 4 * 4;
  for (size_t i = vectors_end; i < n; ++i) keys.set(i, order_key(keys.data()[i]));
  return range_of(keys, n, convert);
}

// How a pass buckets the candidates: digit(key) = (key - least) >> shift, over
// (greatest - least) >> shift + 1 buckets, at most 2^kDigitBits. Measured from the
// least key, the buckets divide the candidates' own range evenly, however few
// exponents their values share (minutes from 0.5 to 500 span ten exponents: a
// digit of the key's top bits would put them in ten buckets).
struct Digits {
  uint64_t least = 0;
  int shift = 0;
  size_t buckets = 0;

  // `m` candidates: about one bucket per four, from 2^8 to 2^kDigitBits buckets, so
  // that clearing and scanning the counts stays small beside counting the keys.
  Digits(const KeyRange& range, size_t m) : least(range.least) {
    const int bits = std::clamp(static_cast<int>(std::bit_width(m)) - 2, 8, kDigitBits);
    const uint64_t width = range.greatest - range.least;
    shift = std::max(0, static_cast<int>(std::bit_width(width)) - bits);
    buckets = static_cast<size_t>(width >> shift) + 1;
  }
  uint64_t of(uint64_t key) const { return (key - least) >> shift; }
};

// count[d] = how many of the first `m` keys have digit d. Four tables, one per lane
// of four keys, summed at the end when there are enough keys: equal digits in a row
// would otherwise wait on each other's increments through memory.
void count_digits(const KeySpan& keys, size_t m, const Digits& digits,
                  std::array<uint32_t, size_t{1} << kDigitBits>& count) {
  const size_t buckets = digits.buckets;
  std::fill_n(count.begin(), buckets, 0);
  if (m < 2 * buckets) {  // clearing and summing four tables would cost more
    for (size_t i = 0; i < m; ++i) ++count[digits.of(keys.get(i))];
    return;
  }
  std::array<std::array<uint32_t, size_t{1} << kDigitBits>, 3> more;
  for (auto& table : more) std::fill_n(table.begin(), buckets, 0);
  size_t i = 0;
  for (; i + 4 <= m; i += 4) {
    ++count[digits.of(keys.get(i))];
    ++more[0][digits.of(keys.get(i + 1))];
    ++more[1][digits.of(keys.get(i + 2))];
    ++more[2][digits.of(keys.get(i + 3))];
  }
  for (; i < m; ++i) ++count[digits.of(keys.get(i))];
  for (size_t d = 0; d < buckets; ++d) count[d] += more[0][d] + more[1][d] + more[2][d];
}

// For each mask of four 64-bit lanes, the 32-bit lane indices that move the lanes
// the mask selects to the front, in order (_mm256_permutevar8x32_epi32).
constexpr std::array<std::array<int32_t, 8>, 16> pack_indices() {
  std::array<std::array<int32_t, 8>, 16> table{};
  for (int mask = 0; mask < 16; ++mask) {
    int out = 0;
    for (int lane = 0; lane < 4; ++lane) {
      if ((mask >> lane & 1) == 0) continue;
      table[mask][2 * out] = 2 * lane;
      table[mask][2 * out + 1] = 2 * lane + 1;
      ++out;
    }
  }
  return table;
}
alignas(32) constexpr std::array<std::array<int32_t, 8>, 16> kPackIndices = pack_indices();

// Moves the keys among the first `m` whose digit is in [first, last] to the front,
// in order. Four keys at a time without branches: the keys that match are packed
// to the front of a vector stored at the end of those kept, which then advances by
// their count (writes stay at or before the keys read).
void keep_buckets(KeySpan keys, size_t m, const Digits& digits, uint64_t first, uint64_t last) {
  const __m128i shift_by = _mm_cvtsi32_si128(digits.shift);
  const __m256i least = _mm256_set1_epi64x(static_cast<int64_t>(digits.least));
  // Digits are below 2^kDigitBits, so signed comparisons order them.
  const __m256i below_first = _mm256_set1_epi64x(static_cast<int64_t>(first) - 1);
  const __m256i past_last = _mm256_set1_epi64x(static_cast<int64_t>(last) + 1);
  size_t kept = 0;
  size_t i = 0;
  for (; i + 4 <= m; i += 4) {
    const __m256i four = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(keys.data() + i));
    const __m256i digit = _mm256_srl_epi64(_mm256_sub_epi64(four, least), shift_by);
    const __m256i in_range = _mm256_and_si256(_mm256_cmpgt_epi64(digit, below_first),
                                              _mm256_cmpgt_epi64(past_last, digit));
    const int hits = _mm256_movemask_pd(_mm256_castsi256_pd(in_range));
    const __m256i order =
        _mm256_load_si256(reinterpret_cast<const __m256i*>(kPackIndices[hits].data()));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(keys.data() + kept),
                        _mm256_permutevar8x32_epi32(four, order));
    kept += static_cast<size_t>(std::popcount(static_cast<unsigned>(hits)));
  }
  for (; i < m; ++i) {
    const uint64_t key = keys.get(i);
    const uint64_t digit = digits.of(key);
    keys.set(kept, key);
    kept += digit >= first && digit <= last;
  }
}

// The keys of rank k and, when `want_next`, k + 1 (0-based) among the first `m` of
// `keys`, whose range_of is `range`; `keys` is reordered. A most-significant-digit
// radix selection: each pass counts the candidates by their Digits and keeps only
// the bucket holding rank k (and the next one holding keys when rank k + 1 is
// there). The least and the greatest key fall in different buckets, and two kept
// buckets never hold every candidate, so each pass drops some. Its loops have no
// data-dependent branches, unlike nth_element's partitioning; the last few
// candidates go to nth_element.
RankKeys select_ranks(KeySpan keys, size_t m, size_t k, bool want_next, KeyRange range) {
  RankKeys out;
  std::array<uint32_t, size_t{1} << kDigitBits> count;
  while (true) {
    if (range.least == range.greatest) {  // every candidate is equal: so are both ranks
      out.at_k = range.least;
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
    const Digits digits(range, m);
    count_digits(keys, m, digits, count);
    size_t before = 0;
    uint64_t bucket = 0;
    while (before + count[bucket] <= k) before += count[bucket++];
    uint64_t last = bucket;
    size_t kept = count[bucket];
    // Rank k + 1 lies above this bucket when k is its last row: the next bucket
    // that holds keys is kept too, unless the two hold every candidate (the least
    // key in one, the greatest in the other), when rank k + 1 is found by a scan.
    if (want_next && k + 1 == before + kept) {
      do ++last;
      while (count[last] == 0);
      kept += count[last];
      if (kept == m) {
        uint64_t least_above = kNaNKey;
        for (size_t i = 0; i < m; ++i) {
          const uint64_t key = keys.get(i);
          least_above = std::min(least_above, digits.of(key) > bucket ? key : kNaNKey);
        }
        out.after_k = least_above;
        want_next = false;
        last = bucket;
        kept = count[bucket];
      }
    }
    keep_buckets(keys, m, digits, bucket, last);
    m = kept;
    k -= before;
    range = range_of(keys, m);
  }
}

// percentile_cont of fraction p over `keys`, the order keys of n values, whose
// range_of is `range`; the selection overwrites them (it keeps only the candidates
// of each pass).
double percentile_of_keys(KeySpan keys, double p, KeyRange range) {
  const detail::PercentileRows rows = detail::percentile_rows(keys.size(), p);
  const RankKeys ranks =
      select_ranks(keys, keys.size(), rows.first, rows.second != rows.first, range);
  const double lo = from_order_key(ranks.at_k);
  if (rows.second == rows.first) return lo;
  return detail::interpolate(rows, lo, from_order_key(ranks.after_k));
}

}  // namespace

namespace detail {

PercentileRows percentile_rows(size_t n, double p) {
  assert(n > 0 && p >= 0.0 && p <= 1.0);
  // Same expressions as percentile_cont_float8_final: the row count minus one is
  // converted to double before the multiply, and floor/ceil pick the two rows.
  const double pos = p * static_cast<double>(n - 1);
  const double first_pos = std::floor(pos);
  PercentileRows rows;
  rows.first = static_cast<size_t>(first_pos);
  rows.second = static_cast<size_t>(std::ceil(pos));
  rows.proportion = pos - first_pos;
  return rows;
}

double interpolate(const PercentileRows& rows, double lo, double hi) {
  if (rows.second == rows.first) return lo;
  return lo + (rows.proportion * (hi - lo));
}

}  // namespace detail

void percentile_cont(std::span<double> values, std::span<const double> fractions,
                     std::span<std::optional<double>> out) {
  assert(out.size() == fractions.size());
  if (values.empty()) {
    std::fill(out.begin(), out.end(), std::nullopt);
    return;
  }
  KeySpan keys(values);
  const KeyRange range = to_keys(keys);
  // Every fraction but the last selects in a copy of the keys; the last, in place.
  std::vector<double> copy;
  for (size_t f = 0; f + 1 < fractions.size(); ++f) {
    copy.assign(values.begin(), values.end());
    out[f] = percentile_of_keys(KeySpan(copy), fractions[f], range);
  }
  if (!fractions.empty()) out.back() = percentile_of_keys(keys, fractions.back(), range);
}

std::optional<double> percentile_cont(std::span<double> values, double p) {
  std::optional<double> out;
  percentile_cont(values, std::span<const double>(&p, 1),
                  std::span<std::optional<double>>(&out, 1));
  return out;
}

}  // namespace tessera::query
