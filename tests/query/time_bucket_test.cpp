#include "query/time_bucket.h"

#include <date/date.h>
#include <gtest/gtest.h>

#include <random>
#include <set>
#include <string>

namespace tessera::query {
namespace {

constexpr int64_t kSecond = 1'000'000'000;
constexpr int64_t kMinute = 60 * kSecond;
constexpr int64_t kHour = 60 * kMinute;
constexpr int64_t kDay = 24 * kHour;
constexpr int64_t kWeek = 7 * kDay;

// UTC instant of a civil date and time, in ns (the test's own calendar, via the
// date library's civil arithmetic, not the code under test).
int64_t utc(int y, unsigned mo, unsigned d, int h = 0, int mi = 0, int s = 0) {
  const date::sys_days day = date::year(y) / date::month(mo) / date::day(d);
  return (day.time_since_epoch().count() * 86'400 + h * 3600 + mi * 60 + s) * kSecond;
}

TimeBucketer make(int64_t interval, std::optional<std::string_view> zone = std::nullopt) {
  Result<TimeBucketer> b = TimeBucketer::make(interval, zone);
  EXPECT_TRUE(b.is_ok()) << b.status().to_string();
  return std::move(b).value();
}

TEST(TimeBucketerTest, UtcBucketsAlignToTheEpoch) {
  const int64_t t = utc(2025, 3, 30, 12, 34, 56) + 789'000'000;
  EXPECT_EQ(make(kDay).bucket_start(t), utc(2025, 3, 30));
  EXPECT_EQ(make(kHour).bucket_start(t), utc(2025, 3, 30, 12));
  EXPECT_EQ(make(15 * kMinute).bucket_start(t), utc(2025, 3, 30, 12, 30));
  EXPECT_EQ(make(kSecond).bucket_start(t), utc(2025, 3, 30, 12, 34, 56));
  // 2d buckets count from 1970-01-01: 2025-03-30 is day 20177 (odd).
  EXPECT_EQ(make(2 * kDay).bucket_start(t), utc(2025, 3, 29));
  // An exact boundary starts its own bucket.
  EXPECT_EQ(make(kDay).bucket_start(utc(2025, 3, 30)), utc(2025, 3, 30));
}

TEST(TimeBucketerTest, UtcFloorsNegativeTimes) {
  EXPECT_EQ(make(kDay).bucket_start(-1), -kDay);
  EXPECT_EQ(make(kHour).bucket_start(-1), -kHour);
  EXPECT_EQ(make(kDay).bucket_start(-kDay), -kDay);
  EXPECT_EQ(make(kDay).bucket_start(-kDay - 1), -2 * kDay);
  EXPECT_EQ(make(15 * kMinute).bucket_start(utc(1969, 7, 20, 20, 17, 40)),
            utc(1969, 7, 20, 20, 15));
  EXPECT_EQ(make(7).bucket_start(-1), -7);
}

TEST(TimeBucketerTest, UtcWeeksStartOnMonday) {
  // 1970-01-01 was a Thursday: its week started on Monday 1969-12-29.
  EXPECT_EQ(make(kWeek).bucket_start(0), utc(1969, 12, 29));
  // Sunday 2025-03-30 belongs to the week of Monday 2025-03-24.
  EXPECT_EQ(make(kWeek).bucket_start(utc(2025, 3, 30, 23, 59, 59)), utc(2025, 3, 24));
  EXPECT_EQ(make(kWeek).bucket_start(utc(2025, 3, 31)), utc(2025, 3, 31));
  // Two-week buckets count from Monday 1970-01-05: 2025-03-17 is 20160 days later.
  EXPECT_EQ(make(2 * kWeek).bucket_start(utc(2025, 3, 30, 12)), utc(2025, 3, 17));
}

TEST(TimeBucketerTest, UtcSaturatesBelowTheInt64Range) {
  const int64_t min = std::numeric_limits<int64_t>::min();
  EXPECT_EQ(make(kDay).bucket_start(min), min);
  EXPECT_EQ(make(kDay).bucket_start(std::numeric_limits<int64_t>::max()),
            std::numeric_limits<int64_t>::max() / kDay * kDay);
}

TEST(TimeBucketerTest, ParisDaysAreTwentyThreeAndTwentyFiveHoursOnDstDays) {
  TimeBucketer paris = make(kDay, "Europe/Paris");
  // 2025-03-30: CET (+1) until 01:00Z, then CEST (+2); the local day runs
  // 2025-03-29T23:00Z .. 2025-03-30T22:00Z (23 hours).
  EXPECT_EQ(paris.bucket_start(utc(2025, 3, 29, 22, 59, 59)), utc(2025, 3, 28, 23));
  EXPECT_EQ(paris.bucket_start(utc(2025, 3, 29, 23)), utc(2025, 3, 29, 23));
  EXPECT_EQ(paris.bucket_start(utc(2025, 3, 30, 10)), utc(2025, 3, 29, 23));
  EXPECT_EQ(paris.bucket_start(utc(2025, 3, 30, 21, 59, 59)), utc(2025, 3, 29, 23));
  EXPECT_EQ(paris.bucket_start(utc(2025, 3, 30, 22)), utc(2025, 3, 30, 22));
  // 2025-10-26: CEST until 01:00Z, then CET; the local day runs
  // 2025-10-25T22:00Z .. 2025-10-26T23:00Z (25 hours).
  EXPECT_EQ(paris.bucket_start(utc(2025, 10, 25, 22)), utc(2025, 10, 25, 22));
  EXPECT_EQ(paris.bucket_start(utc(2025, 10, 26, 22, 59, 59)), utc(2025, 10, 25, 22));
  EXPECT_EQ(paris.bucket_start(utc(2025, 10, 26, 23)), utc(2025, 10, 26, 23));
}

TEST(TimeBucketerTest, NewYorkDaysFollowDst) {
  TimeBucketer new_york = make(kDay, "America/New_York");
  // 2025-03-09: EST (-5) until 07:00Z, then EDT (-4): 05:00Z .. 04:00Z next day.
  EXPECT_EQ(new_york.bucket_start(utc(2025, 3, 9, 12)), utc(2025, 3, 9, 5));
  EXPECT_EQ(new_york.bucket_start(utc(2025, 3, 10, 3, 59, 59)), utc(2025, 3, 9, 5));
  EXPECT_EQ(new_york.bucket_start(utc(2025, 3, 10, 4)), utc(2025, 3, 10, 4));
  // 2025-11-02: EDT until 06:00Z, then EST: 04:00Z .. 05:00Z next day (25 hours).
  EXPECT_EQ(new_york.bucket_start(utc(2025, 11, 2, 4)), utc(2025, 11, 2, 4));
  EXPECT_EQ(new_york.bucket_start(utc(2025, 11, 3, 4, 59, 59)), utc(2025, 11, 2, 4));
  EXPECT_EQ(new_york.bucket_start(utc(2025, 11, 3, 5)), utc(2025, 11, 3, 5));
}

// Distinct bucket starts of one local day, probing every minute of [from, to).
std::set<int64_t> starts_between(const TimeBucketer& b, int64_t from, int64_t to) {
  std::set<int64_t> starts;
  for (int64_t t = from; t < to; t += kMinute) starts.insert(b.bucket_start(t));
  return starts;
}

TEST(TimeBucketerTest, HourlyBucketsRestartAtLocalMidnightOnDstDays) {
  TimeBucketer paris = make(kHour, "Europe/Paris");
  const std::set<int64_t> spring =
      starts_between(paris, utc(2025, 3, 29, 23), utc(2025, 3, 30, 22));
  ASSERT_EQ(spring.size(), 23u);
  EXPECT_EQ(*spring.begin(), utc(2025, 3, 29, 23));
  EXPECT_EQ(*spring.rbegin(), utc(2025, 3, 30, 21));
  // 01:30Z is 03:30 CEST, the third hour of the day (02:00-03:00 local never happened).
  EXPECT_EQ(paris.bucket_start(utc(2025, 3, 30, 1, 30)), utc(2025, 3, 30, 1));
  const std::set<int64_t> autumn =
      starts_between(paris, utc(2025, 10, 25, 22), utc(2025, 10, 26, 23));
  EXPECT_EQ(autumn.size(), 25u);
  // Both 02:30 CEST (00:30Z) and 02:30 CET (01:30Z) exist; each has its own bucket.
  EXPECT_EQ(paris.bucket_start(utc(2025, 10, 26, 0, 30)), utc(2025, 10, 26, 0));
  EXPECT_EQ(paris.bucket_start(utc(2025, 10, 26, 1, 30)), utc(2025, 10, 26, 1));

  TimeBucketer new_york = make(15 * kMinute, "America/New_York");
  EXPECT_EQ(starts_between(new_york, utc(2025, 3, 9, 5), utc(2025, 3, 10, 4)).size(), 23u * 4);
  EXPECT_EQ(starts_between(new_york, utc(2025, 11, 2, 4), utc(2025, 11, 3, 5)).size(), 25u * 4);
}

TEST(TimeBucketerTest, SubDayIntervalsThatDoNotDivideTheDayRestartAtMidnight) {
  // 7h buckets in Paris on 2025-03-30 (local day 23:00Z .. 22:00Z): starts at
  // 23:00Z, 06:00Z, 13:00Z, 20:00Z; the last is 2 hours long.
  TimeBucketer paris = make(7 * kHour, "Europe/Paris");
  EXPECT_EQ(paris.bucket_start(utc(2025, 3, 30, 21, 59)), utc(2025, 3, 30, 20));
  EXPECT_EQ(paris.bucket_start(utc(2025, 3, 30, 22)), utc(2025, 3, 30, 22));
}

TEST(TimeBucketerTest, KolkataHalfHourOffset) {
  // IST is +05:30 all year: local midnight of 2025-03-30 is 2025-03-29T18:30Z.
  EXPECT_EQ(make(kDay, "Asia/Kolkata").bucket_start(utc(2025, 3, 30)), utc(2025, 3, 29, 18, 30));
  // 00:00Z is 05:30 local: the 05:00 local hour started at 23:30Z.
  EXPECT_EQ(make(kHour, "Asia/Kolkata").bucket_start(utc(2025, 3, 30)), utc(2025, 3, 29, 23, 30));
  // 2d buckets count from the epoch's local date, 1970-01-01 in Kolkata:
  // 2025-03-30 is day 20177 (odd), so the bucket began on local 2025-03-29.
  EXPECT_EQ(make(2 * kDay, "Asia/Kolkata").bucket_start(utc(2025, 3, 30, 12)),
            utc(2025, 3, 28, 18, 30));
}

TEST(TimeBucketerTest, WholeDaysCountFromTheEpochsLocalDate) {
  // The epoch was 1969-12-31 19:00 in New York (day -1), so 2d buckets start on
  // days -1 + 2k; 2025-03-30 is day 20177 = -1 + 2 * 10089.
  TimeBucketer new_york = make(2 * kDay, "America/New_York");
  EXPECT_EQ(new_york.bucket_start(utc(2025, 3, 30, 12)), utc(2025, 3, 30, 4));
  EXPECT_EQ(new_york.bucket_start(utc(2025, 4, 1, 3, 59)), utc(2025, 3, 30, 4));
  EXPECT_EQ(new_york.bucket_start(utc(2025, 4, 1, 4)), utc(2025, 4, 1, 4));
}

TEST(TimeBucketerTest, ZonedWeeksStartOnLocalMonday) {
  TimeBucketer paris = make(kWeek, "Europe/Paris");
  // Monday 2025-03-24 00:00 CET = 2025-03-23T23:00Z; Monday 2025-03-31 00:00 CEST
  // = 2025-03-30T22:00Z, so this week is 167 hours long.
  EXPECT_EQ(paris.bucket_start(utc(2025, 3, 30, 21, 59)), utc(2025, 3, 23, 23));
  EXPECT_EQ(paris.bucket_start(utc(2025, 3, 30, 22)), utc(2025, 3, 30, 22));
}

TEST(TimeBucketerTest, DayStartsAtTheJumpWhenMidnightIsSkipped) {
  // Santiago skips 2025-09-07 00:00-01:00 local (-04 -> -03): the day starts at
  // 01:00 -03 = 04:00Z and ends at 2025-09-08 00:00 -03 = 03:00Z (23 hours).
  TimeBucketer santiago = make(kDay, "America/Santiago");
  EXPECT_EQ(santiago.bucket_start(utc(2025, 9, 7, 3, 59)), utc(2025, 9, 6, 4));
  EXPECT_EQ(santiago.bucket_start(utc(2025, 9, 7, 4)), utc(2025, 9, 7, 4));
  EXPECT_EQ(santiago.bucket_start(utc(2025, 9, 8, 2, 59)), utc(2025, 9, 7, 4));
  EXPECT_EQ(santiago.bucket_start(utc(2025, 9, 8, 3)), utc(2025, 9, 8, 3));
}

TEST(TimeBucketerTest, LongIntervalsInAZoneCountElapsedTimeFromTheEpochsLocalMidnight) {
  // 36h in Kolkata: counted from 1969-12-31T18:30Z.
  TimeBucketer kolkata = make(36 * kHour, "Asia/Kolkata");
  const int64_t origin = utc(1969, 12, 31, 18, 30);
  EXPECT_EQ(kolkata.bucket_start(origin + 36 * kHour + 5), origin + 36 * kHour);
  EXPECT_EQ(kolkata.bucket_start(origin - 1), origin - 36 * kHour);
}

TEST(TimeBucketerTest, CachedAnswersMatchFreshOnes) {
  const uint64_t seed = 42;
  SCOPED_TRACE(::testing::Message() << "seed " << seed);
  std::mt19937_64 rng(seed);
  const int64_t around = utc(2025, 3, 30);
  for (const char* zone :
       {"Europe/Paris", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe"}) {
    for (int64_t interval : {15 * kMinute, kHour, 7 * kHour, kDay, 3 * kDay, kWeek, 30 * kHour}) {
      SCOPED_TRACE(::testing::Message() << zone << " interval " << interval);
      TimeBucketer shared = make(interval, zone);
      int64_t t = around - 400 * kDay;
      for (int i = 0; i < 3000; ++i) {
        // Mostly small steps forward (as rows arrive), sometimes jumps both ways.
        t += (rng() % 10 == 0) ? static_cast<int64_t>(rng() % (60 * kDay)) - 30 * kDay
                               : static_cast<int64_t>(rng() % (2 * kHour));
        const int64_t expected = make(interval, zone).bucket_start(t);
        ASSERT_EQ(shared.bucket_start(t), expected) << "t " << t;
        ASSERT_LE(expected, t);
      }
    }
  }
}

TEST(TimeBucketerTest, RejectsUnknownZonesAndNonPositiveIntervals) {
  Result<TimeBucketer> mars = TimeBucketer::make(kDay, "Mars/Olympus");
  ASSERT_FALSE(mars.is_ok());
  EXPECT_EQ(mars.error().code, ErrorCode::kInvalidInput);
  EXPECT_EQ(mars.error().message, "unknown time zone 'Mars/Olympus'");
  Result<TimeBucketer> zero = TimeBucketer::make(0, std::nullopt);
  ASSERT_FALSE(zero.is_ok());
  EXPECT_EQ(zero.error().code, ErrorCode::kInvalidInput);
  EXPECT_FALSE(TimeBucketer::make(-kDay, "Europe/Paris").is_ok());
  EXPECT_FALSE(TimeBucketer::make(kDay, "").is_ok());
  EXPECT_FALSE(TimeBucketer::make(kDay, "../../../etc/passwd").is_ok());
  const std::string long_name(129, 'A');
  Result<TimeBucketer> too_long = TimeBucketer::make(kDay, long_name);
  ASSERT_FALSE(too_long.is_ok());
  EXPECT_EQ(too_long.error().message, "time zone name of 129 bytes exceeds the limit of 128");
}

}  // namespace
}  // namespace tessera::query
