// compute_sorted_run_values: runs of rows over which every tag column keeps its value
// (NULL a value of its own), each run's non-NULL float values sorted in PostgreSQL's
// order (NaN above +inf, -0.0 equal to 0.0), nothing when the runs are short, and
// errors for columns of the wrong type or length. Expectations are worked out by
// hand, and on random blocks by a reference in this file that groups rows by their
// tuple of tag values and sorts each run's values with its own comparator.
#include "storage/block/sorted_run_values.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <vector>

namespace tessera::storage {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

Column tag_column(std::vector<uint32_t> codes, std::vector<uint8_t> valid = {}) {
  Column tag;
  tag.type = ColumnType::kString;
  tag.codes = std::move(codes);
  tag.dictionary = {"x", "y", "z"};
  tag.valid = std::move(valid);
  return tag;
}

Column float_column(std::vector<double> floats, std::vector<uint8_t> valid = {}) {
  Column value;
  value.type = ColumnType::kFloat64;
  value.floats = std::move(floats);
  value.valid = std::move(valid);
  return value;
}

// PostgreSQL's order of doubles, written here independently of the code under test.
bool pg_less(double a, double b) {
  if (std::isnan(a)) return false;
  if (std::isnan(b)) return true;
  return a < b;
}

// Equal in PostgreSQL's order: both NaN, or == (so -0.0 equals 0.0).
bool pg_equal(double a, double b) { return (std::isnan(a) && std::isnan(b)) || a == b; }

TEST(SortedRunValuesTest, SplitsRunsWhereAnyTagChanges) {
  // Runs: rows 0-1 (x, x) | 2-3 (x, y): b changes | 4-5 (y, x): both change, one
  // boundary | 6-8 (y, NULL): only b's validity changes, its code stays 0 |
  // 9 (z, NULL): a changes.
  const Column a = tag_column({0, 0, 0, 0, 1, 1, 1, 1, 1, 2});
  const Column b = tag_column({0, 0, 1, 1, 0, 0, 0, 0, 0, 0}, {1, 1, 1, 1, 1, 1, 0, 0, 0, 0});
  const Column value =
      float_column({3.5, -2, 0, 7, 1, 1, 0.25, 0, -8, 0}, {1, 1, 0, 1, 1, 1, 1, 0, 1, 0});
  const std::vector<const Column*> tags = {&a, &b};
  auto r = compute_sorted_run_values(tags, value, 1);
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  ASSERT_TRUE(r->has_value());
  const SortedRunValues& runs = **r;
  EXPECT_EQ(runs.run_starts, (std::vector<uint32_t>{0, 2, 4, 6, 9, 10}));
  ASSERT_EQ(runs.run_count(), 5u);
  // Run 0: 3.5, -2. Run 1: NULL, 7. Run 2: 1, 1. Run 3: 0.25, NULL, -8. Run 4: NULL.
  EXPECT_EQ(runs.value_starts, (std::vector<uint32_t>{0, 2, 3, 5, 7, 7}));
  EXPECT_EQ(runs.values, (std::vector<double>{-2, 3.5, 7, 1, 1, -8, 0.25}));
  EXPECT_EQ(std::vector<double>(runs.run_values(3).begin(), runs.run_values(3).end()),
            (std::vector<double>{-8, 0.25}));
  EXPECT_TRUE(runs.run_values(4).empty());
  // Each run's sum of its non-NULL values; an all-NULL run sums to 0.
  EXPECT_EQ(runs.run_sums, (std::vector<double>{1.5, 7, 2, -7.75, 0}));
  EXPECT_GT(runs.memory_bytes(), sizeof(SortedRunValues));
}

TEST(SortedRunValuesTest, NullTagIsARunOfItsOwnBesideCodeZero) {
  // A NULL row holds code 0, like the valid x rows around it: still three runs.
  const Column tag = tag_column({0, 0, 0, 0, 0}, {1, 1, 0, 0, 1});
  const Column value = float_column({1, 2, 3, 4, 5});
  const std::vector<const Column*> tags = {&tag};
  auto r = compute_sorted_run_values(tags, value, 1);
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  ASSERT_TRUE(r->has_value());
  EXPECT_EQ((*r)->run_starts, (std::vector<uint32_t>{0, 2, 4, 5}));
  EXPECT_EQ((*r)->value_starts, (std::vector<uint32_t>{0, 2, 4, 5}));
  EXPECT_EQ((*r)->values, (std::vector<double>{1, 2, 3, 4, 5}));
}

TEST(SortedRunValuesTest, SortsEachRunInPostgresOrder) {
  const Column tag = tag_column({0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1});
  const Column value = float_column({kNaN, 1, kInf, -kInf, -0.0, 0.0, -3, kNaN, 2, 5, kNaN, -1});
  const std::vector<const Column*> tags = {&tag};
  auto r = compute_sorted_run_values(tags, value, 1);
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  ASSERT_TRUE(r->has_value());
  const SortedRunValues& runs = **r;
  EXPECT_EQ(runs.run_starts, (std::vector<uint32_t>{0, 9, 12}));
  EXPECT_EQ(runs.value_starts, (std::vector<uint32_t>{0, 9, 12}));
  ASSERT_EQ(runs.values.size(), 12u);
  // Run 0: -inf, -3, the two zeros (equal, so in either order), 1, 2, +inf, NaN, NaN.
  EXPECT_EQ(runs.values[0], -kInf);
  EXPECT_EQ(runs.values[1], -3);
  EXPECT_EQ(runs.values[2], 0.0);
  EXPECT_EQ(runs.values[3], 0.0);
  EXPECT_NE(std::signbit(runs.values[2]), std::signbit(runs.values[3]));  // both zeros kept
  EXPECT_EQ(runs.values[4], 1);
  EXPECT_EQ(runs.values[5], 2);
  EXPECT_EQ(runs.values[6], kInf);
  EXPECT_TRUE(std::isnan(runs.values[7]));
  EXPECT_TRUE(std::isnan(runs.values[8]));
  // Run 1 is sorted on its own: -1, 5, NaN.
  EXPECT_EQ(runs.values[9], -1);
  EXPECT_EQ(runs.values[10], 5);
  EXPECT_TRUE(std::isnan(runs.values[11]));
}

TEST(SortedRunValuesTest, NoTagsMakeOneRunOfEveryRow) {
  const Column value = float_column({3, 0, 1, 2, -4}, {1, 0, 1, 1, 1});
  auto r = compute_sorted_run_values(std::span<const Column* const>(), value, 1);
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  ASSERT_TRUE(r->has_value());
  EXPECT_EQ((*r)->run_count(), 1u);
  EXPECT_EQ((*r)->run_starts, (std::vector<uint32_t>{0, 5}));
  EXPECT_EQ((*r)->value_starts, (std::vector<uint32_t>{0, 4}));
  EXPECT_EQ((*r)->values, (std::vector<double>{-4, 1, 2, 3}));
}

TEST(SortedRunValuesTest, ShortRunsGiveNone) {
  // Four runs in eight rows: an average of 2. At least 2 passes, 3 does not.
  const Column tag = tag_column({0, 0, 1, 1, 0, 0, 2, 2});
  const Column value = float_column({1, 2, 3, 4, 5, 6, 7, 8});
  const std::vector<const Column*> tags = {&tag};
  auto two = compute_sorted_run_values(tags, value, 2);
  ASSERT_TRUE(two.is_ok());
  ASSERT_TRUE(two->has_value());
  EXPECT_EQ((*two)->run_count(), 4u);
  auto three = compute_sorted_run_values(tags, value, 3);
  ASSERT_TRUE(three.is_ok());
  EXPECT_FALSE(three->has_value());

  // Three runs in seven rows: an average of 7/3, at least 2 but fewer than 3.
  const Column odd_tag = tag_column({0, 0, 0, 1, 1, 2, 2});
  const Column odd_value = float_column({1, 2, 3, 4, 5, 6, 7});
  const std::vector<const Column*> odd_tags = {&odd_tag};
  auto odd_two = compute_sorted_run_values(odd_tags, odd_value, 2);
  ASSERT_TRUE(odd_two.is_ok());
  EXPECT_TRUE(odd_two->has_value());
  auto odd_three = compute_sorted_run_values(odd_tags, odd_value, 3);
  ASSERT_TRUE(odd_three.is_ok());
  EXPECT_FALSE(odd_three->has_value());
}

TEST(SortedRunValuesTest, ShortRunsAreCountedOverEveryTag) {
  // a alone: one run of 6 rows. a and b: two runs of 3 rows, short for 4.
  const Column a = tag_column({0, 0, 0, 0, 0, 0});
  const Column b = tag_column({0, 0, 0, 1, 1, 1});
  const Column value = float_column({1, 2, 3, 4, 5, 6});
  const std::vector<const Column*> only_a = {&a};
  const std::vector<const Column*> both = {&a, &b};
  auto one_tag = compute_sorted_run_values(only_a, value, 4);
  ASSERT_TRUE(one_tag.is_ok());
  ASSERT_TRUE(one_tag->has_value());
  EXPECT_EQ((*one_tag)->run_starts, (std::vector<uint32_t>{0, 6}));
  auto two_tags = compute_sorted_run_values(both, value, 4);
  ASSERT_TRUE(two_tags.is_ok());
  EXPECT_FALSE(two_tags->has_value());
  auto two_tags_three = compute_sorted_run_values(both, value, 3);
  ASSERT_TRUE(two_tags_three.is_ok());
  ASSERT_TRUE(two_tags_three->has_value());
  EXPECT_EQ((*two_tags_three)->run_starts, (std::vector<uint32_t>{0, 3, 6}));
}

TEST(SortedRunValuesTest, WrongColumnTypesAreInvalidInput) {
  const Column tag = tag_column({0, 0, 1});
  const std::vector<const Column*> tags = {&tag};
  Column int_value;
  int_value.type = ColumnType::kInt64;
  int_value.ints = {1, 2, 3};
  auto ints = compute_sorted_run_values(tags, int_value, 1);
  ASSERT_FALSE(ints.is_ok());
  EXPECT_EQ(ints.error().code, ErrorCode::kInvalidInput);
  auto string_value = compute_sorted_run_values(tags, tag, 1);
  ASSERT_FALSE(string_value.is_ok());
  EXPECT_EQ(string_value.error().code, ErrorCode::kInvalidInput);

  const Column value = float_column({1, 2, 3});
  const Column float_tag = float_column({0, 0, 1});
  const std::vector<const Column*> with_float_tag = {&tag, &float_tag};
  auto not_a_string = compute_sorted_run_values(with_float_tag, value, 1);
  ASSERT_FALSE(not_a_string.is_ok());
  EXPECT_EQ(not_a_string.error().code, ErrorCode::kInvalidInput);
}

TEST(SortedRunValuesTest, MismatchedLengthsAreCorruption) {
  const Column value = float_column({1, 2, 3});
  const Column tag = tag_column({0, 0, 1});

  const Column short_codes = tag_column({0, 0});
  const std::vector<const Column*> with_short_codes = {&tag, &short_codes};
  auto codes = compute_sorted_run_values(with_short_codes, value, 1);
  ASSERT_FALSE(codes.is_ok());
  EXPECT_EQ(codes.error().code, ErrorCode::kCorruption);

  const Column long_codes = tag_column({0, 0, 1, 1});
  const std::vector<const Column*> with_long_codes = {&long_codes};
  auto more_codes = compute_sorted_run_values(with_long_codes, value, 1);
  ASSERT_FALSE(more_codes.is_ok());
  EXPECT_EQ(more_codes.error().code, ErrorCode::kCorruption);

  const Column short_tag_valid = tag_column({0, 0, 1}, {1, 1});
  const std::vector<const Column*> with_short_tag_valid = {&short_tag_valid};
  auto tag_valid = compute_sorted_run_values(with_short_tag_valid, value, 1);
  ASSERT_FALSE(tag_valid.is_ok());
  EXPECT_EQ(tag_valid.error().code, ErrorCode::kCorruption);

  const std::vector<const Column*> tags = {&tag};
  const Column long_value_valid = float_column({1, 2, 3}, {1, 1, 1, 1});
  auto value_valid = compute_sorted_run_values(tags, long_value_valid, 1);
  ASSERT_FALSE(value_valid.is_ok());
  EXPECT_EQ(value_valid.error().code, ErrorCode::kCorruption);
}

// Reference: a run ends where the tuple of tag values (NULL as -1) changes; each
// run's valid values sorted with pg_less; nothing when there are several runs
// averaging fewer than min_average_run rows (one run is always kept, as
// find_group_runs in query/aggregate.h documents).
struct ReferenceRuns {
  bool present = false;
  std::vector<uint32_t> run_starts;
  std::vector<uint32_t> value_starts;
  std::vector<double> values;
};

ReferenceRuns reference_runs(const std::vector<Column>& tags, const Column& value,
                             size_t min_average_run) {
  const size_t n = value.floats.size();
  auto key = [&](size_t row) {
    std::vector<int64_t> k;
    for (const Column& tag : tags) {
      const bool valid = tag.valid.empty() || tag.valid[row] != 0;
      k.push_back(valid ? static_cast<int64_t>(tag.codes[row]) : -1);
    }
    return k;
  };
  ReferenceRuns out;
  for (size_t row = 0; row < n; ++row) {
    if (row == 0 || key(row) != key(row - 1)) out.run_starts.push_back(static_cast<uint32_t>(row));
  }
  const size_t runs = out.run_starts.size();
  out.run_starts.push_back(static_cast<uint32_t>(n));
  if (runs > 1 && runs * min_average_run > n) return out;
  out.present = true;
  for (size_t r = 0; r < runs; ++r) {
    out.value_starts.push_back(static_cast<uint32_t>(out.values.size()));
    std::vector<double> run;
    for (size_t row = out.run_starts[r]; row < out.run_starts[r + 1]; ++row) {
      if (value.valid.empty() || value.valid[row] != 0) run.push_back(value.floats[row]);
    }
    std::sort(run.begin(), run.end(), pg_less);
    out.values.insert(out.values.end(), run.begin(), run.end());
  }
  out.value_starts.push_back(static_cast<uint32_t>(out.values.size()));
  return out;
}

TEST(SortedRunValuesTest, MatchesReferenceOnRandomBlocks) {
  const uint32_t seed = 20261215;
  SCOPED_TRACE(::testing::Message() << "seed " << seed);
  std::mt19937 rng(seed);
  std::normal_distribution<double> normal(0.0, 100.0);
  for (int round = 0; round < 500; ++round) {
    const size_t n = 1 + rng() % 400;
    const size_t tag_count = rng() % 4;
    // How often a tag changes: rarely (long runs) to almost every row.
    const uint32_t change_per_mille = 5 + rng() % 500;
    const bool tags_have_nulls = rng() % 2 == 0;
    std::vector<Column> tags(tag_count);
    for (Column& tag : tags) {
      tag = tag_column(std::vector<uint32_t>(n),
                       tags_have_nulls ? std::vector<uint8_t>(n, 1) : std::vector<uint8_t>());
      for (size_t row = 0; row < n; ++row) {
        if (row > 0 && rng() % 1000 >= change_per_mille) {
          tag.codes[row] = tag.codes[row - 1];
          if (tags_have_nulls) tag.valid[row] = tag.valid[row - 1];
          continue;
        }
        if (tags_have_nulls && rng() % 5 == 0) {
          tag.valid[row] = 0;
          tag.codes[row] = 0;  // a NULL row holds code 0
        } else {
          tag.codes[row] = static_cast<uint32_t>(rng() % 3);
        }
      }
    }
    Column value = float_column(std::vector<double>(n));
    if (rng() % 2 == 0) value.valid.assign(n, 1);
    for (size_t row = 0; row < n; ++row) {
      const uint32_t kind = rng() % 20;
      double v = normal(rng);
      if (kind == 0) v = kNaN;
      if (kind == 1) v = kInf;
      if (kind == 2) v = -kInf;
      if (kind == 3) v = -0.0;
      if (kind == 4) v = 0.0;
      if (kind == 5) v = static_cast<double>(rng() % 3);  // ties
      value.floats[row] = v;
      if (!value.valid.empty() && rng() % 6 == 0) {
        value.valid[row] = 0;
        value.floats[row] = 0;
      }
    }
    const size_t min_average_run = 1 + rng() % 8;
    SCOPED_TRACE(::testing::Message() << "round " << round << " n " << n << " tags " << tag_count
                                      << " min_average_run " << min_average_run);

    std::vector<const Column*> tag_pointers;
    for (const Column& tag : tags) tag_pointers.push_back(&tag);
    auto r = compute_sorted_run_values(tag_pointers, value, min_average_run);
    ASSERT_TRUE(r.is_ok()) << r.status().to_string();
    const ReferenceRuns expected = reference_runs(tags, value, min_average_run);
    ASSERT_EQ(r->has_value(), expected.present)
        << "runs " << expected.run_starts.size() - 1 << " of " << n << " rows";
    if (!expected.present) continue;
    const SortedRunValues& runs = **r;
    ASSERT_EQ(runs.run_starts, expected.run_starts);
    ASSERT_EQ(runs.value_starts, expected.value_starts);
    ASSERT_EQ(runs.values.size(), expected.values.size());
    for (size_t i = 0; i < expected.values.size(); ++i) {
      ASSERT_TRUE(pg_equal(runs.values[i], expected.values[i]))
          << "value " << i << ": expected " << expected.values[i] << " got " << runs.values[i];
    }
  }
}

// count_at_most against a count of every value of the run, in PostgreSQL's order:
// runs shorter and longer than the fence stride, targets between, equal to and
// beyond the values, NaN and the zeros of both signs.
TEST(SortedRunValuesTest, CountsValuesAtMostATargetThroughTheFences) {
  std::mt19937 rng(20261207);
  for (int trial = 0; trial < 200; ++trial) {
    SCOPED_TRACE("trial " + std::to_string(trial));
    const size_t n = 1 + rng() % 300;
    std::vector<uint32_t> codes(n);
    std::vector<double> floats(n);
    std::vector<uint8_t> valid(n, 1);
    uint32_t code = 0;
    for (size_t i = 0; i < n; ++i) {
      if (rng() % 90 == 0) code = (code + 1) % 3;  // runs of ~90 rows
      codes[i] = code;
      const uint32_t kind = rng() % 20;
      floats[i] = kind == 0   ? kNaN
                  : kind == 1 ? -0.0
                  : kind == 2 ? kInf
                              : static_cast<double>(static_cast<int>(rng() % 41) - 20) / 2;
      valid[i] = rng() % 10 != 0;
    }
    const Column tag = tag_column(codes);
    const Column value = float_column(floats, valid);
    const std::vector<const Column*> tags = {&tag};
    auto computed = compute_sorted_run_values(tags, value, 1);
    ASSERT_TRUE(computed.is_ok());
    ASSERT_TRUE(computed->has_value());
    const SortedRunValues& sorted = **computed;
    for (size_t r = 0; r < sorted.run_count(); ++r) {
      for (double target : {kNaN, kInf, -kInf, 0.0, -0.0, -10.5, -10.0, 3.25, 3.5, 9.5, 10.0}) {
        size_t expected = 0;
        for (size_t row = sorted.run_starts[r]; row < sorted.run_starts[r + 1]; ++row) {
          expected += valid[row] && !pg_less(target, floats[row]);
        }
        EXPECT_EQ(sorted.count_at_most(r, target), expected) << "run " << r << " target " << target;
      }
    }
  }
}

}  // namespace
}  // namespace tessera::storage
