#include "query/percentile.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <vector>

#include "tests/query/query_test_util.h"

namespace tessera::query {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

using testing::postgres_percentile_cont;

std::optional<double> run(std::vector<double> values, double p) {
  return percentile_cont(values, p);
}

bool same_bits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

// Equal bits, or both NaN (the NaN payload is not part of the contract).
void expect_matches_reference(const std::vector<double>& values, double p) {
  const auto expected = postgres_percentile_cont(values, p);
  const auto actual = run(values, p);
  ASSERT_TRUE(actual.has_value());
  ASSERT_TRUE(same_bits(*expected, *actual) || (std::isnan(*expected) && std::isnan(*actual)))
      << "expected " << *expected << " got " << *actual;
}

TEST(PercentileContTest, EmptyInputIsNull) { EXPECT_FALSE(run({}, 0.5).has_value()); }

TEST(PercentileContTest, SingleValueIsReturnedForEveryP) {
  for (double p : {0.0, 0.3, 0.5, 1.0}) EXPECT_EQ(run({7.25}, p), 7.25);
}

TEST(PercentileContTest, MedianOfFourInterpolatesBetweenMiddleValues) {
  // pos = 0.5 * 3 = 1.5: 2 + 0.5 * (3 - 2).
  EXPECT_EQ(run({4, 1, 3, 2}, 0.5), 2.5);
}

TEST(PercentileContTest, MedianOfOddCountIsMiddleValue) {
  EXPECT_EQ(run({5, 9, 1, 3, 7}, 0.5), 5.0);
}

TEST(PercentileContTest, P95OfOneToTwentyMatchesPostgres) {
  // PostgreSQL: SELECT percentile_cont(0.95) WITHIN GROUP (ORDER BY x)
  //             FROM generate_series(1, 20) x;  -- 19.05
  // pos = 0.95 * 19 = 18.05 (double 18.050000000000000710...), rows 18 and 19
  // (0-based) hold 19 and 20, so 19 + 0.0500000000000007 * 1, which rounds to
  // the double nearest 19.05.
  std::vector<double> values;
  for (int i = 20; i >= 1; --i) values.push_back(i);
  EXPECT_EQ(run(values, 0.95), 19.05);
}

TEST(PercentileContTest, ExtremesAreMinAndMax) {
  EXPECT_EQ(run({3, -1, 8, 2}, 0.0), -1.0);
  EXPECT_EQ(run({3, -1, 8, 2}, 1.0), 8.0);
}

TEST(PercentileContTest, QuarterInterpolatesFromLowerRow) {
  // {10, 20, 30, 40, 50}: pos = 0.25 * 4 = 1 exactly, row 1 = 20.
  EXPECT_EQ(run({50, 40, 30, 20, 10}, 0.25), 20.0);
  // pos = 0.1 * 4 = 0.4: 10 + 0.4 * 10 = 14.
  EXPECT_EQ(run({50, 40, 30, 20, 10}, 0.1), 10 + (0.4 * 10));
}

TEST(PercentileContTest, DuplicatesAreCountedAsRows) {
  // {1, 1, 1, 5}: pos = 0.75 * 3 = 2.25, rows 2 and 3: 1 + 0.25 * 4 = 2.
  EXPECT_EQ(run({1, 5, 1, 1}, 0.75), 2.0);
}

TEST(PercentileContTest, NaNSortsAboveInfinity) {
  // Sorted: 1, 2, +inf, NaN.
  EXPECT_EQ(run({kNaN, 1, kInf, 2}, 0.0), 1.0);
  EXPECT_EQ(run({kNaN, 1, kInf, 2}, 2.0 / 3.0), kInf);
  EXPECT_TRUE(std::isnan(*run({kNaN, 1, kInf, 2}, 1.0)));
  // pos = 0.5 * 3 = 1.5 between 2 and +inf: 2 + 0.5 * inf = inf.
  EXPECT_EQ(run({kNaN, 1, kInf, 2}, 0.5), kInf);
  // Between +inf and NaN: NaN.
  EXPECT_TRUE(std::isnan(*run({kNaN, 1, kInf, 2}, 0.9)));
}

TEST(PercentileContTest, InfinityAtAnExactRowIsNotInterpolated) {
  // PostgreSQL returns the row itself when floor == ceil, so inf stays inf
  // instead of becoming inf + 0 * (inf - inf) = NaN.
  EXPECT_EQ(run({kInf, kInf, 1}, 0.5), kInf);
  EXPECT_EQ(run({-kInf, 0, 1}, 0.0), -kInf);
  // Between -inf and -inf with a fraction: -inf + 0.5 * NaN is NaN in PostgreSQL too.
  EXPECT_TRUE(std::isnan(*run({-kInf, -kInf, 1, 2}, 0.25)));
}

TEST(PercentileContTest, MatchesFullSortReferenceOnRandomData) {
  const uint64_t seed = 20250330;
  SCOPED_TRACE(::testing::Message() << "seed " << seed);
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal(0.0, 1000.0);
  std::uniform_int_distribution<int> small_int(-5, 5);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  for (int round = 0; round < 400; ++round) {
    const size_t n = 1 + rng() % (round < 300 ? 40 : 5000);
    std::vector<double> values(n);
    const int kind = round % 3;
    for (double& v : values) {
      if (kind == 0) v = normal(rng);
      if (kind == 1) v = small_int(rng);  // many ties
      if (kind == 2) v = (rng() % 50 == 0) ? kNaN : normal(rng);
    }
    for (double p : {0.0, 0.01, 0.25, 0.5, 0.95, 0.99, 1.0, unit(rng)}) {
      SCOPED_TRACE(::testing::Message() << "round " << round << " n " << n << " p " << p);
      expect_matches_reference(values, p);
      if (::testing::Test::HasFatalFailure()) return;
    }
  }
}

// Large inputs take the radix passes (small ones go straight to nth_element): data
// spread over many exponents, data within one exponent (many passes over mantissa
// bits), negative numbers, heavy ties, infinities, and NaNs of both signs.
TEST(PercentileContTest, RadixSelectionMatchesFullSortReference) {
  const uint64_t seed = 20261204;
  SCOPED_TRACE(::testing::Message() << "seed " << seed);
  std::mt19937_64 rng(seed);
  std::lognormal_distribution<double> spread(3.0, 2.0);
  std::uniform_real_distribution<double> narrow(1000.0, 1000.001);
  std::uniform_int_distribution<int> ties(-3, 3);
  std::normal_distribution<double> normal(0.0, 50.0);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  const double negative_nan = -kNaN;
  for (int round = 0; round < 60; ++round) {
    const size_t n = 257 + rng() % 60000;
    std::vector<double> values(n);
    const int kind = round % 5;
    for (double& v : values) {
      if (kind == 0) v = spread(rng);
      if (kind == 1) v = narrow(rng);
      if (kind == 2) v = ties(rng) + 0.5;
      if (kind == 3) v = normal(rng);
      if (kind == 4) {
        const uint64_t r = rng() % 100;
        v = r == 0 ? kNaN : r == 1 ? negative_nan : r == 2 ? kInf : r == 3 ? -kInf : normal(rng);
      }
    }
    for (double p : {0.0, 0.001, 0.5, 0.95, 0.999, 1.0, unit(rng)}) {
      SCOPED_TRACE(::testing::Message() << "round " << round << " n " << n << " p " << p);
      expect_matches_reference(values, p);
      if (::testing::Test::HasFatalFailure()) return;
    }
  }
}

TEST(PercentileContTest, SeveralFractionsOverOneSetMatchTheReference) {
  // One conversion to keys, then each fraction's selection over keys the previous
  // ones reordered: each must still be the reference's answer.
  std::mt19937_64 rng(20261207);
  std::normal_distribution<double> normal(0.0, 50.0);
  std::uniform_int_distribution<int> ties(-3, 3);
  for (int round = 0; round < 40; ++round) {
    const size_t n = 1 + rng() % 5000;
    std::vector<double> values(n);
    for (double& v : values) v = round % 2 == 0 ? normal(rng) : ties(rng) + 0.5;
    const std::vector<double> fractions = {0.95, 0.5, 0.0, 1.0, 0.5, 0.25};
    std::vector<std::optional<double>> out(fractions.size());
    std::vector<double> work = values;
    percentile_cont(work, fractions, out);
    for (size_t f = 0; f < fractions.size(); ++f) {
      SCOPED_TRACE(::testing::Message() << "round " << round << " p " << fractions[f]);
      ASSERT_TRUE(out[f].has_value());
      EXPECT_TRUE(same_bits(*out[f], *postgres_percentile_cont(values, fractions[f])));
    }
  }
  std::vector<std::optional<double>> none(2, 1.0);
  percentile_cont(std::span<double>(), std::vector<double>{0.5, 0.9}, none);
  EXPECT_FALSE(none[0].has_value());
  EXPECT_FALSE(none[1].has_value());
}

// Ranks k and k + 1 in different radix buckets: the interpolation's upper row is
// the least value above k's bucket, not k's bucket's next value. With clusters of
// 500 the selection is direct; with 1,500 it is radix, where the next bucket is
// kept beside k's, or, when the two hold every value (each cluster one value),
// rank k + 1 is found by a scan.
TEST(PercentileContTest, UpperRowAcrossARadixBucketBoundary) {
  for (const int cluster : {500, 1500}) {
    for (const bool spread : {true, false}) {
      SCOPED_TRACE(::testing::Message() << cluster << (spread ? " spread" : " equal"));
      std::vector<double> values;
      for (int i = 0; i < cluster; ++i) values.push_back(1.0 + (spread ? i * 1e-9 : 0.0));
      for (int i = 0; i < cluster; ++i) values.push_back(1e6 + (spread ? i : 0));
      // pos = 0.5 * (2 * cluster - 1): between the lower cluster's largest and 1e6.
      const double lo = 1.0 + (spread ? (cluster - 1) * 1e-9 : 0.0);
      EXPECT_EQ(run(values, 0.5), lo + (0.5 * (1e6 - lo)));
    }
  }
}

TEST(PercentileContTest, ZerosOfBothSignsAreEqual) {
  std::vector<double> values(1000, 0.0);
  for (size_t i = 0; i < values.size(); i += 2) values[i] = -0.0;
  values.push_back(5.0);
  EXPECT_EQ(run(values, 0.5), 0.0);
  EXPECT_EQ(run(values, 0.9995), 2.5);  // pos 999.5: halfway from a zero to 5
}

}  // namespace
}  // namespace tessera::query
