// percentile_cont_of_sorted_runs: exact percentile_cont over values that come as
// ascending runs, and selects_across_runs, the choice between selecting across the
// runs and copying them. Expected percentiles are computed in this file without the
// code's percentile functions: every run's values merged, fully sorted in
// PostgreSQL's order of doubles (NaN above every number, -0.0 equal to 0.0), then
// PostgreSQL's percentile_cont row arithmetic, or worked out by hand. They are
// compared exactly: == for numbers (which takes -0.0 and 0.0 as equal, as the order
// does), both NaN for NaN.
#include "query/sorted_run_percentile.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <random>
#include <span>
#include <vector>

#include "tests/query/query_test_util.h"

namespace tessera::query {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

using Runs = std::vector<std::vector<double>>;

using testing::postgres_less;

// PostgreSQL's percentile_cont over every value of `runs`.
std::optional<double> reference_percentile_cont(const Runs& runs, double p) {
  std::vector<double> values;
  for (const std::vector<double>& run : runs) values.insert(values.end(), run.begin(), run.end());
  return testing::postgres_percentile_cont(std::move(values), p);
}

// The code under test over `runs`, one answer per fraction.
std::vector<std::optional<double>> percentiles_of(const Runs& runs,
                                                  const std::vector<double>& fractions) {
  const std::vector<std::span<const double>> spans(runs.begin(), runs.end());
  // Filled with a value so that a missing nullopt shows.
  std::vector<std::optional<double>> out(fractions.size(), -12345.0);
  percentile_cont_of_sorted_runs(spans, fractions, out);
  return out;
}

void expect_same_percentile(std::optional<double> expected, std::optional<double> actual) {
  if (!expected.has_value()) {
    EXPECT_FALSE(actual.has_value()) << "expected nullopt, got " << *actual;
    return;
  }
  ASSERT_TRUE(actual.has_value()) << "expected " << *expected << ", got nullopt";
  if (std::isnan(*expected)) {
    EXPECT_TRUE(std::isnan(*actual)) << "expected NaN, got " << *actual;
  } else {
    EXPECT_EQ(*expected, *actual);
  }
}

void expect_matches_reference(const Runs& runs, const std::vector<double>& fractions) {
  const std::vector<std::optional<double>> actual = percentiles_of(runs, fractions);
  ASSERT_EQ(actual.size(), fractions.size());
  for (size_t f = 0; f < fractions.size(); ++f) {
    SCOPED_TRACE(::testing::Message() << "fraction " << fractions[f]);
    expect_same_percentile(reference_percentile_cont(runs, fractions[f]), actual[f]);
  }
}

Runs sorted_runs(Runs runs) {
  for (std::vector<double>& run : runs) std::sort(run.begin(), run.end(), postgres_less);
  return runs;
}

const std::vector<double> kFractions = {0.0,  1.0,  0.5,   0.95,      0.999,     0.001,
                                        0.01, 0.25, 0.75,  0.99,      1.0 / 3.0, 0.1,
                                        0.9,  0.05, 0.123, 2.0 / 3.0, 0.5};

TEST(SortedRunPercentileTest, NoValuesGiveNullForEveryFraction) {
  const std::vector<double> fractions = {0.0, 0.5, 1.0};
  for (const std::optional<double>& p : percentiles_of({}, fractions)) {
    EXPECT_FALSE(p.has_value());
  }
  for (const std::optional<double>& p : percentiles_of({{}, {}, {}}, fractions)) {
    EXPECT_FALSE(p.has_value());
  }
}

TEST(SortedRunPercentileTest, OneRunInterpolatesLikePercentileCont) {
  // {1, 2, 3, 4}: pos = 0.5 * 3 = 1.5, 2 + 0.5 * (3 - 2); pos = 1/3 * 3 = 1 exactly.
  const auto p = percentiles_of({{1, 2, 3, 4}}, {0.0, 0.5, 1.0, 1.0 / 3.0});
  EXPECT_EQ(p[0], 1.0);
  EXPECT_EQ(p[1], 2.5);
  EXPECT_EQ(p[2], 4.0);
  EXPECT_EQ(p[3], 2.0);

  std::vector<double> long_run;
  for (int i = 0; i < 1000; ++i) long_run.push_back(i * 0.5 - 100);
  expect_matches_reference({long_run}, kFractions);
  // pos = 0.5 * 999 = 499.5: between 149.5 and 150.
  EXPECT_EQ(percentiles_of({long_run}, {0.5})[0], 149.75);
}

TEST(SortedRunPercentileTest, SmallRunsMergeInValueOrder) {
  // Together: 1 2 3 4 5 9 10, n = 7.
  const Runs runs = {{1, 5, 9}, {}, {2, 3}, {4, 10}, {}};
  const auto p = percentiles_of(runs, {0.0, 0.5, 1.0, 0.25, 0.75});
  EXPECT_EQ(p[0], 1.0);
  EXPECT_EQ(p[1], 4.0);   // pos 3
  EXPECT_EQ(p[2], 10.0);  // pos 6
  EXPECT_EQ(p[3], 2.5);   // pos 1.5: 2 + 0.5 * (3 - 2)
  EXPECT_EQ(p[4], 7.0);   // pos 4.5: 5 + 0.5 * (9 - 5)
  expect_matches_reference(runs, kFractions);
}

TEST(SortedRunPercentileTest, ManyRunsOfVariedLengthsIncludingEmpty) {
  std::mt19937 rng(20261216);
  std::normal_distribution<double> normal(50.0, 30.0);
  Runs runs;
  for (size_t r = 0; r < 37; ++r) {
    // Lengths 0 to 600, with every seventh run empty.
    const size_t length = r % 7 == 0 ? 0 : (r * 97) % 601;
    std::vector<double> run(length);
    for (double& v : run) v = normal(rng);
    runs.push_back(std::move(run));
  }
  expect_matches_reference(sorted_runs(runs), kFractions);
}

TEST(SortedRunPercentileTest, HeavyDuplicatesWherePivotsAreTheAnswer) {
  // 24 runs of 1s, 2s and 3s in varied proportions; 1,000 of each value in all.
  Runs runs(24);
  for (int value = 1; value <= 3; ++value) {
    for (int i = 0; i < 1000; ++i) runs[(i * value + i / 7) % 24].push_back(value);
  }
  runs = sorted_runs(runs);
  const auto p = percentiles_of(runs, {0.0, 0.5, 1.0, 0.25, 0.75});
  EXPECT_EQ(p[0], 1.0);
  EXPECT_EQ(p[1], 2.0);  // pos 1499.5, rows 1499 and 1500 both 2
  EXPECT_EQ(p[2], 3.0);
  EXPECT_EQ(p[3], 1.0);  // pos 749.75
  EXPECT_EQ(p[4], 3.0);  // pos 2249.25
  // Between the last 1 (row 999) and the first 2 (row 1000), and the same for 2 and 3.
  expect_matches_reference(runs, {999.5 / 2999, 1999.25 / 2999, 0.3333, 0.6667});
  expect_matches_reference(runs, kFractions);

  // Every value equal.
  const Runs same(10, std::vector<double>(100, 7.5));
  for (const std::optional<double>& v : percentiles_of(same, kFractions)) EXPECT_EQ(v, 7.5);
}

TEST(SortedRunPercentileTest, NaNInfinitiesAndSignedZeros) {
  // Together: -inf, -1, four zeros, 1, 2, +inf, +inf, NaN, NaN, NaN (n = 13).
  const Runs runs = {{-kInf, -0.0, 1, kNaN}, {-1, 0.0, 0.0, kInf, kNaN, kNaN}, {-0.0, 2, kInf}};
  const auto p = percentiles_of(runs, {0.0, 0.25, 0.5, 0.75, 1.0, 0.125, 0.7, 0.8});
  EXPECT_EQ(p[0], -kInf);
  EXPECT_EQ(p[1], 0.0);   // pos 3: a zero
  EXPECT_EQ(p[2], 1.0);   // pos 6
  EXPECT_EQ(p[3], kInf);  // pos 9: +inf is below NaN
  ASSERT_TRUE(p[4].has_value());
  EXPECT_TRUE(std::isnan(*p[4]));  // pos 12: NaN is last
  EXPECT_EQ(p[5], -0.5);           // pos 1.5: -1 + 0.5 * (0 - -1)
  ASSERT_TRUE(p[6].has_value());
  EXPECT_TRUE(std::isnan(*p[6]));  // pos 8.4: inf + 0.4 * (inf - inf)
  ASSERT_TRUE(p[7].has_value());
  EXPECT_TRUE(std::isnan(*p[7]));  // pos 9.6: inf + 0.6 * (NaN - inf)
  expect_matches_reference(runs, kFractions);

  // The same kinds of values in runs long enough to be narrowed around pivots,
  // NaN pivots among them.
  std::mt19937 rng(20261217);
  std::normal_distribution<double> normal(0.0, 10.0);
  const std::vector<double> specials = {kNaN, kInf, -kInf, 0.0, -0.0};
  Runs long_runs(12);
  for (std::vector<double>& run : long_runs) {
    const size_t length = 100 + rng() % 400;
    for (size_t i = 0; i < length; ++i) {
      run.push_back(rng() % 3 == 0 ? specials[rng() % specials.size()] : normal(rng));
    }
  }
  expect_matches_reference(sorted_runs(long_runs), kFractions);
  // Runs that are mostly NaN.
  Runs nan_runs(8);
  for (size_t r = 0; r < nan_runs.size(); ++r) {
    for (size_t i = 0; i < 50 + 13 * r; ++i) nan_runs[r].push_back(i % 10 == 0 ? 1.0 * r : kNaN);
  }
  expect_matches_reference(sorted_runs(nan_runs), kFractions);
}

TEST(SortedRunPercentileTest, TotalsAroundTheDirectSelectionThreshold) {
  // The code selects directly among fewer than 64 candidates and narrows runs
  // around pivots above; totals on both sides, split into 1 to 20 runs.
  std::mt19937 rng(20261218);
  std::uniform_int_distribution<int> small(-20, 20);
  for (size_t total : {1, 2, 3, 62, 63, 64, 65, 66, 127, 128, 129, 200}) {
    for (size_t run_count : {1, 2, 3, 7, 20}) {
      SCOPED_TRACE(::testing::Message() << "total " << total << " runs " << run_count);
      Runs runs(run_count);
      for (size_t i = 0; i < total; ++i) runs[rng() % run_count].push_back(small(rng) * 0.25);
      expect_matches_reference(sorted_runs(runs), kFractions);
    }
  }
}

TEST(SortedRunPercentileTest, MatchesFullSortReferenceOnRandomRuns) {
  const uint32_t seed = 20261219;
  SCOPED_TRACE(::testing::Message() << "seed " << seed);
  std::mt19937 rng(seed);
  std::normal_distribution<double> normal(0.0, 1000.0);
  std::lognormal_distribution<double> spread(3.0, 2.0);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  const std::vector<double> few = {-1.5, 0.0, 2.5};
  const std::vector<double> specials = {kNaN, kInf, -kInf, 0.0, -0.0};
  const size_t max_lengths[] = {3, 20, 300, 3000};
  for (int round = 0; round < 300; ++round) {
    const size_t run_count = rng() % 41;
    const size_t max_length = max_lengths[round % 4];
    const int kind = (round / 4) % 5;
    Runs runs(run_count);
    size_t total = 0;
    for (std::vector<double>& run : runs) {
      run.resize(rng() % (max_length + 1));
      total += run.size();
      for (double& v : run) {
        if (kind == 0) v = normal(rng);
        if (kind == 1) v = few[rng() % few.size()];  // heavy duplicates
        if (kind == 2) v = static_cast<int>(rng() % 11) - 5;
        if (kind == 3) v = rng() % 8 == 0 ? specials[rng() % specials.size()] : normal(rng);
        if (kind == 4) v = spread(rng);
      }
    }
    std::vector<double> fractions = kFractions;
    for (int i = 0; i < 4; ++i) fractions.push_back(unit(rng));
    SCOPED_TRACE(::testing::Message() << "round " << round << " runs " << run_count << " values "
                                      << total << " kind " << kind);
    expect_matches_reference(sorted_runs(runs), fractions);
    if (::testing::Test::HasFailure()) return;
  }
}

TEST(SortedRunPercentileTest, RunsInDisjointRangesOfSkewedLengths) {
  // Where a run's values at the same relative rank say least about the others':
  // each run above the last, lengths from 1 to thousands, so a pivot guessed from
  // them can land far from the rank sought.
  std::mt19937 rng(20261207);
  for (int round = 0; round < 40; ++round) {
    Runs runs(2 + rng() % 30);
    double base = 0;
    for (std::vector<double>& run : runs) {
      run.resize(rng() % 4 == 0 ? 1 + rng() % 3 : rng() % 3000);
      for (double& v : run) v = base + static_cast<double>(rng() % 1000);
      base += round % 2 == 0 ? 1000 : -1000;  // ascending or descending from run to run
    }
    SCOPED_TRACE(::testing::Message() << "round " << round);
    expect_matches_reference(sorted_runs(runs), kFractions);
    if (::testing::Test::HasFailure()) return;
  }
}

TEST(SortedRunPercentileTest, SelectsAcrossRunsLongForTheirNumber) {
  // One run or none: always (a run is its own order).
  EXPECT_TRUE(selects_across_runs(0, 0));
  EXPECT_TRUE(selects_across_runs(1, 1));
  // More: when the runs average kMinRunLengthPerRunToSelectAcross values per run,
  // or kMinRunLengthToSelectAcross values.
  const size_t k = kMinRunLengthPerRunToSelectAcross;
  EXPECT_TRUE(selects_across_runs(2, 2 * 2 * k));
  EXPECT_FALSE(selects_across_runs(2, 2 * 2 * k - 1));
  EXPECT_TRUE(selects_across_runs(16, 16 * 16 * k));
  EXPECT_FALSE(selects_across_runs(16, 16 * 64));
  EXPECT_TRUE(selects_across_runs(100, 100 * kMinRunLengthToSelectAcross));
  EXPECT_FALSE(selects_across_runs(100, 100 * kMinRunLengthToSelectAcross - 1));
  // PEERS.md's try-on queries: Q5b's tenants copy, Q5a's big tenant selects across.
  EXPECT_FALSE(selects_across_runs(45, 15'300));
  EXPECT_TRUE(selects_across_runs(49, 234'200));
}

}  // namespace
}  // namespace tessera::query
