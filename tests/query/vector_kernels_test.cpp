#include "query/vector_kernels.h"

#include <gtest/gtest.h>

#include <cmath>
#include <iterator>
#include <limits>
#include <optional>
#include <random>
#include <vector>

namespace tessera::query::detail {
namespace {

TEST(VectorKernelsTest, SumsEqualAScalarSumAtEveryLengthAroundTheLaneWidth) {
  std::mt19937_64 rng(7);
  for (size_t n = 0; n <= 70; ++n) {
    SCOPED_TRACE("n = " + std::to_string(n));
    std::vector<double> values(n);
    // Multiples of 1/4 below 2^20: every partial sum is exact, so order cannot matter.
    double expected = 0;
    for (double& v : values) {
      v = static_cast<double>(static_cast<int64_t>(rng() % (1 << 22)) - (1 << 21)) / 4.0;
      expected += v;
    }
    EXPECT_EQ(sum_doubles(values), expected);
  }
}

// Masked sums: rows kept only where valid and keep are non-zero (null arrays keep
// all); values are multiples of 1/4, so every order gives the same exact sum.
// Excluded rows hold NaN, which must not leak into the sum.
TEST(VectorKernelsTest, SumWhereMatchesAScalarSumOfTheKeptRows) {
  std::mt19937_64 rng(9);
  for (size_t n = 0; n <= 70; ++n) {
    SCOPED_TRACE("n = " + std::to_string(n));
    std::vector<double> values(n);
    std::vector<uint8_t> valid(n), keep(n);
    double expected = 0;
    int64_t expected_count = 0;
    for (size_t i = 0; i < n; ++i) {
      valid[i] = rng() % 4 != 0 ? static_cast<uint8_t>(1 + rng() % 255) : 0;
      keep[i] = rng() % 3 != 0 ? 1 : 0;
      if (valid[i] != 0 && keep[i] != 0) {
        values[i] = static_cast<double>(static_cast<int64_t>(rng() % (1 << 22)) - (1 << 21)) / 4;
        expected += values[i];
        ++expected_count;
      } else {
        values[i] = std::nan("");
      }
    }
    const SumCount both = sum_doubles_where(values.data(), valid.data(), keep.data(), n);
    EXPECT_EQ(both.sum, expected);
    EXPECT_EQ(both.count, expected_count);
    // Without masks every row counts, and the sum is sum_doubles' to the bit.
    for (double& v : values) v = std::isnan(v) ? 0.1 : v + 0.3;
    const SumCount all = sum_doubles_where(values.data(), nullptr, nullptr, n);
    EXPECT_EQ(all.sum, sum_doubles(values));
    EXPECT_EQ(all.count, static_cast<int64_t>(n));
  }
}

// The reference adds one value at a time and counts each wrap past INT64_MAX
// (+1) or INT64_MIN (-1), as the row-by-row aggregate does.
WrappedSum sum_one_at_a_time(const std::vector<int64_t>& values) {
  WrappedSum out;
  for (const int64_t v : values) {
    if (__builtin_add_overflow(out.sum, v, &out.sum)) out.carry += v > 0 ? 1 : -1;
  }
  return out;
}

TEST(VectorKernelsTest, IntegerSumsKeepTheirWrapsExactly) {
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
  // 3 * (2^63 - 1) = 2^64 + (2^63 - 3); 2 * -2^63 = -2^64.
  const WrappedSum three_max = sum_int64(std::vector<int64_t>{kMax, kMax, kMax});
  EXPECT_EQ(three_max.sum, kMax - 2);
  EXPECT_EQ(three_max.carry, 1);
  const WrappedSum two_min = sum_int64(std::vector<int64_t>{kMin, kMin});
  EXPECT_EQ(two_min.sum, 0);
  EXPECT_EQ(two_min.carry, -1);
  const WrappedSum none = sum_int64(std::vector<int64_t>{});
  EXPECT_EQ(none.sum, 0);
  EXPECT_EQ(none.carry, 0);

  std::mt19937_64 rng(11);
  for (int iteration = 0; iteration < 500; ++iteration) {
    SCOPED_TRACE("iteration " + std::to_string(iteration));
    std::vector<int64_t> values(rng() % 300);
    const int shape = iteration % 4;
    for (int64_t& v : values) {
      const uint64_t u = rng();
      const auto near = static_cast<int64_t>(u % 5);  // 0..4, so no expression here overflows
      v = shape == 0   ? static_cast<int64_t>(u)      // anything
          : shape == 1 ? (u % 2 == 0 ? kMax - near : kMin + near)  // near the ends
          : shape == 2 ? static_cast<int64_t>(u % 2001) - 1000     // small, either sign
                       : kMax - static_cast<int64_t>(u & 0xffff);  // large positive: many wraps
    }
    const WrappedSum want = sum_one_at_a_time(values);
    const WrappedSum got = sum_int64(values);
    ASSERT_EQ(got.sum, want.sum);
    ASSERT_EQ(got.carry, want.carry);
  }
}

TEST(VectorKernelsTest, SumPropagatesNaNAndInfinity) {
  std::vector<double> values(13, 1.0);
  values[11] = INFINITY;
  EXPECT_EQ(sum_doubles(values), INFINITY);
  values[3] = -INFINITY;
  EXPECT_TRUE(std::isnan(sum_doubles(values)));
  values.assign(9, 2.0);
  values[8] = std::nan("");
  EXPECT_TRUE(std::isnan(sum_doubles(values)));
}

TEST(VectorKernelsTest, CountsNonZeroBytes) {
  std::vector<uint8_t> bytes(77, 0);
  EXPECT_EQ(count_nonzero(bytes), 0u);
  EXPECT_FALSE(all_nonzero(bytes));
  size_t expected = 0;
  for (size_t i = 0; i < bytes.size(); i += 3) {
    bytes[i] = static_cast<uint8_t>(i + 1);  // 1..76, never 0
    ++expected;
  }
  EXPECT_EQ(count_nonzero(bytes), expected);
  bytes.assign(40, 1);
  EXPECT_TRUE(all_nonzero(bytes));
  EXPECT_TRUE(all_nonzero({}));
}

// The ranges of non-zero bytes, found one byte at a time.
std::vector<uint32_t> reference_kept_ranges(const std::vector<uint8_t>& keep) {
  std::vector<uint32_t> bounds;
  for (size_t i = 0; i < keep.size(); ++i) {
    if (keep[i] != 0 && (i == 0 || keep[i - 1] == 0)) bounds.push_back(static_cast<uint32_t>(i));
    if (keep[i] != 0 && (i + 1 == keep.size() || keep[i + 1] == 0)) {
      bounds.push_back(static_cast<uint32_t>(i + 1));
    }
  }
  return bounds;
}

// Masks of every length around the 32-byte stride, in long runs and scattered, with
// non-zero bytes other than 1; past max_ranges the answer is nullopt.
TEST(VectorKernelsTest, KeptRangesMatchAByteByByteReference) {
  std::mt19937_64 rng(11);
  int refused = 0;
  for (size_t n = 0; n <= 200; ++n) {
    for (const size_t average_run : {1, 3, 40}) {
      SCOPED_TRACE("n = " + std::to_string(n) + ", run " + std::to_string(average_run));
      std::vector<uint8_t> keep(n);
      uint8_t value = static_cast<uint8_t>(rng() % 2);
      for (size_t i = 0; i < n; ++i) {
        if (rng() % average_run == 0)
          value = value != 0 ? 0 : static_cast<uint8_t>(1 + rng() % 255);
        keep[i] = value;
      }
      const std::vector<uint32_t> expected = reference_kept_ranges(keep);
      const size_t ranges = expected.size() / 2;
      const std::optional<std::vector<uint32_t>> enough = kept_ranges(keep, ranges);
      ASSERT_TRUE(enough.has_value());
      EXPECT_EQ(*enough, expected);
      if (ranges > 0) {
        EXPECT_FALSE(kept_ranges(keep, ranges - 1).has_value());
        ++refused;
      }
    }
  }
  EXPECT_GT(refused, 500);
  EXPECT_EQ(kept_ranges(std::vector<uint8_t>(100, 0), 0), std::vector<uint32_t>{});
  EXPECT_EQ(kept_ranges(std::vector<uint8_t>(100, 7), 1), (std::vector<uint32_t>{0, 100}));
}

// PostgreSQL's `v <= target` for doubles, written with branches: NaN is above every
// number and equal to itself.
bool reference_at_most(double v, double target) {
  if (std::isnan(target)) return true;
  if (std::isnan(v)) return false;
  return v <= target;
}

TEST(VectorKernelsTest, CountAtMostOfDoublesMatchesAScalarReference) {
  std::mt19937_64 rng(11);
  const double specials[] = {NAN, INFINITY, -INFINITY, -0.0, 0.0, 2.5, 2.5000000000000004};
  const double targets[] = {2.5, 0.0, -0.0, INFINITY, -INFINITY, NAN};
  for (size_t n = 0; n <= 70; ++n) {
    std::vector<double> values(n);
    std::vector<uint8_t> valid(n);
    for (size_t i = 0; i < n; ++i) {
      values[i] = rng() % 3 == 0 ? specials[rng() % std::size(specials)]
                                 : static_cast<double>(static_cast<int>(rng() % 11) - 5) / 2;
      valid[i] = rng() % 4 != 0;
    }
    for (const double target : targets) {
      SCOPED_TRACE("n = " + std::to_string(n) + ", target = " + std::to_string(target));
      AtMostCounts all, masked;
      for (size_t i = 0; i < n; ++i) {
        all.at_most += reference_at_most(values[i], target);
        masked.with_value += valid[i];
        masked.at_most += valid[i] && reference_at_most(values[i], target);
      }
      all.with_value = static_cast<int64_t>(n);
      const AtMostCounts got_all = count_at_most(values.data(), nullptr, n, target);
      EXPECT_EQ(got_all.with_value, all.with_value);
      EXPECT_EQ(got_all.at_most, all.at_most);
      const AtMostCounts got_masked = count_at_most(values.data(), valid.data(), n, target);
      EXPECT_EQ(got_masked.with_value, masked.with_value);
      EXPECT_EQ(got_masked.at_most, masked.at_most);
    }
  }
}

TEST(VectorKernelsTest, CountAtMostOfIntegersComparesExactlyOrAsDoubles) {
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
  constexpr int64_t kTwo53 = int64_t{1} << 53;
  const std::vector<int64_t> values = {kMin, -3, 0, 2, 3, kTwo53, kTwo53 + 1, kMax};
  const std::vector<uint8_t> valid = {1, 1, 0, 1, 1, 1, 1, 1};
  // Integer target: exact. 2^53 + 1 is above 2^53.
  AtMostCounts c = count_at_most(values.data(), nullptr, values.size(), kTwo53);
  EXPECT_EQ(c.with_value, 8);
  EXPECT_EQ(c.at_most, 6);
  c = count_at_most(values.data(), valid.data(), values.size(), int64_t{2});
  EXPECT_EQ(c.with_value, 7);
  EXPECT_EQ(c.at_most, 3);  // kMin, -3, 2 (0 is NULL)
  c = count_at_most(values.data(), nullptr, values.size(), kMin);
  EXPECT_EQ(c.at_most, 1);
  // Double target: each value as a double, so 2^53 + 1 rounds to 2^53 and is at most it.
  c = count_at_most(values.data(), nullptr, values.size(), static_cast<double>(kTwo53));
  EXPECT_EQ(c.at_most, 7);
  c = count_at_most(values.data(), valid.data(), values.size(), 2.5);
  EXPECT_EQ(c.at_most, 3);
  c = count_at_most(values.data(), nullptr, values.size(), static_cast<double>(NAN));
  EXPECT_EQ(c.at_most, 8);  // NaN is above every number
  c = count_at_most(values.data(), nullptr, values.size(), -INFINITY);
  EXPECT_EQ(c.at_most, 0);
}

}  // namespace
}  // namespace tessera::query::detail
