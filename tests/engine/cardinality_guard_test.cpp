#include "engine/cardinality_guard.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <string>

#include "engine/engine.h"
#include "tests/support/temp_dir.h"

namespace tessera::engine {
namespace {

using Tags = std::vector<std::pair<std::string, std::string>>;

TEST(CardinalityGuardTest, AdmitsUpToTheLimitThenRefusesNewSeries) {
  CardinalityGuard guard(2);
  EXPECT_TRUE(guard.admit("cpu", {{"host", "a"}}, true).is_ok());
  EXPECT_TRUE(guard.admit("cpu", {{"host", "b"}}, true).is_ok());
  Status third = guard.admit("cpu", {{"host", "c"}}, true);
  ASSERT_FALSE(third.is_ok());
  EXPECT_EQ(third.code(), ErrorCode::kLimitExceeded);
  EXPECT_EQ(third.message(),
            "table \"cpu\": series limit of 2 reached (--max-series); line not written");
  EXPECT_EQ(guard.series_count("cpu"), 2u);
}

TEST(CardinalityGuardTest, KnownSeriesStayAdmittedAtTheLimit) {
  CardinalityGuard guard(1);
  EXPECT_TRUE(guard.admit("cpu", {{"host", "a"}, {"dc", "x"}}, true).is_ok());
  // Same tag set in another order is the same series.
  EXPECT_TRUE(guard.admit("cpu", {{"dc", "x"}, {"host", "a"}}, true).is_ok());
  EXPECT_FALSE(guard.admit("cpu", {{"dc", "x"}}, true).is_ok());
  EXPECT_FALSE(guard.admit("cpu", {}, true).is_ok());
}

TEST(CardinalityGuardTest, CountsEachTableApart) {
  CardinalityGuard guard(1);
  EXPECT_TRUE(guard.admit("cpu", {{"host", "a"}}, true).is_ok());
  EXPECT_TRUE(guard.admit("mem", {{"host", "b"}}, true).is_ok());
  EXPECT_EQ(guard.series_count("cpu"), 1u);
  EXPECT_EQ(guard.series_count("mem"), 1u);
  EXPECT_EQ(guard.series_count("disk"), 0u);
}

TEST(CardinalityGuardTest, KeyValueBoundariesMatter) {
  CardinalityGuard guard(10);
  EXPECT_TRUE(guard.admit("t", {{"ab", "c"}}, true).is_ok());
  EXPECT_TRUE(guard.admit("t", {{"a", "bc"}}, true).is_ok());
  EXPECT_TRUE(guard.admit("t", {{"a", "b"}, {"c", ""}}, true).is_ok());
  // Values swapped between keys: another series, whatever the tags' order.
  EXPECT_TRUE(guard.admit("t", {{"a", "x"}, {"b", "y"}}, true).is_ok());
  EXPECT_TRUE(guard.admit("t", {{"a", "y"}, {"b", "x"}}, true).is_ok());
  EXPECT_TRUE(guard.admit("t", {{"b", "x"}, {"a", "y"}}, true).is_ok());
  EXPECT_EQ(guard.series_count("t"), 5u);
}

// Series that differ in one byte anywhere (strings of 1..24 bytes, across the hash's
// 8-byte words), or only in how bytes split between key and value or between tags,
// all count apart: 200,000 of them, the ad_snapshot shape included.
TEST(CardinalityGuardTest, ManyNearlyEqualSeriesCountApart) {
  CardinalityGuard counted(1'000'000);
  size_t expected = 0;
  for (int tenant = 0; tenant < 100; ++tenant) {
    for (int entity = 0; entity < 1000; ++entity) {
      char id[32];
      std::snprintf(id, sizeof(id), "ent_%06d", tenant * 1000 + entity);
      ASSERT_TRUE(counted
                      .admit("ad_snapshot",
                             {{"entity_id", id},
                              {"goal", "purchases"},
                              {"level", "ad"},
                              {"provider", entity % 2 == 0 ? "meta" : "google"},
                              {"tenant", "ws_" + std::to_string(tenant)}},
                             true)
                      .is_ok());
      ++expected;
    }
  }
  for (size_t length = 1; length <= 24; ++length) {
    for (size_t at = 0; at < length; ++at) {
      for (char c : {'a', 'b'}) {
        std::string value(length, 'x');
        value[at] = c;
        ASSERT_TRUE(counted.admit("ad_snapshot", {{"k", value}}, true).is_ok());
        ++expected;
        // The same bytes split differently between key and value (at 0 that is the
        // series above), or over two tags.
        if (at > 0) {
          ASSERT_TRUE(
              counted.admit("ad_snapshot", {{"k" + value.substr(0, at), value.substr(at)}}, true)
                  .is_ok());
          ++expected;
        }
        ASSERT_TRUE(
            counted
                .admit("ad_snapshot", {{"k", value.substr(0, at)}, {"l", value.substr(at)}}, true)
                .is_ok());
        ++expected;
      }
    }
  }
  EXPECT_EQ(counted.series_count("ad_snapshot"), expected);
}

TEST(CardinalityGuardTest, ReplayIsNeverRefused) {
  CardinalityGuard guard(1);
  EXPECT_TRUE(guard.admit("cpu", {{"host", "a"}}, false).is_ok());
  EXPECT_TRUE(guard.admit("cpu", {{"host", "b"}}, false).is_ok());
  EXPECT_EQ(guard.series_count("cpu"), 2u);
  EXPECT_FALSE(guard.admit("cpu", {{"host", "c"}}, true).is_ok());
}

TEST(CardinalityGuardTest, ZeroMeansUnlimited) {
  CardinalityGuard guard(0);
  for (int i = 0; i < 100; ++i) {
    EXPECT_TRUE(guard.admit("cpu", {{"host", std::to_string(i)}}, true).is_ok());
  }
}

TEST(CardinalityGuardTest, EngineRejectsTheLineAndCreatesNothing) {
  testing::TempDir dir;
  EngineOptions options;
  options.data_dir = dir.path();
  options.max_series_per_table = 2;
  auto engine = Engine::open(options);
  ASSERT_TRUE(engine.is_ok());
  auto report = (*engine)->write_text(
      "cpu,host=a v=1 1\n"
      "cpu,host=b v=2 2\n"
      "cpu,host=c v=3,extra=1i 3\n"  // third series: rejected, `extra` not created
      "cpu,host=a v=4 4\n",          // known series: accepted
      {});
  ASSERT_TRUE(report.is_ok());
  EXPECT_EQ(report->accepted, 3u);
  ASSERT_EQ(report->rejected.size(), 1u);
  EXPECT_EQ(report->rejected[0].line_number, 3u);
  EXPECT_EQ(report->rejected[0].reason,
            "table \"cpu\": series limit of 2 reached (--max-series); line not written");
  auto schema = (*engine)->schema("cpu");
  ASSERT_TRUE(schema.has_value());
  EXPECT_EQ(schema->find("extra"), nullptr);
  // Another table has its own budget.
  auto other = (*engine)->write_text("mem,host=c v=1 1\n", {});
  ASSERT_TRUE(other.is_ok());
  EXPECT_EQ(other->accepted, 1u);
}

// A Pending remembers the previous call's table: switching tables within one batch
// must count each table's pending series apart, against its own recorded ones.
TEST(CardinalityGuardTest, PendingSeriesOfAlternatingTablesCountApart) {
  CardinalityGuard guard(2);
  ASSERT_TRUE(guard.admit("cpu", {{"host", "a"}}, true).is_ok());
  CardinalityGuard::Pending pending;
  EXPECT_TRUE(guard.admit_pending("cpu", {{"host", "b"}}, true, &pending).is_ok());
  EXPECT_TRUE(guard.admit_pending("mem", {{"host", "a"}}, true, &pending).is_ok());
  EXPECT_TRUE(guard.admit_pending("mem", {{"host", "b"}}, true, &pending).is_ok());
  EXPECT_FALSE(guard.admit_pending("cpu", {{"host", "c"}}, true, &pending).is_ok());
  EXPECT_TRUE(guard.admit_pending("cpu", {{"host", "b"}}, true, &pending).is_ok());
  EXPECT_TRUE(guard.admit_pending("cpu", {{"host", "a"}}, true, &pending).is_ok());
  EXPECT_FALSE(guard.admit_pending("mem", {{"host", "c"}}, true, &pending).is_ok());
  EXPECT_TRUE(guard.admit_pending("disk", {{"b", "2"}, {"a", "1"}}, true, &pending).is_ok());
  EXPECT_TRUE(guard.admit_pending("disk", {{"a", "1"}, {"b", "2"}}, true, &pending).is_ok());
  EXPECT_EQ(guard.series_count("cpu"), 1u);  // pending series are not recorded yet
  guard.commit(std::move(pending));
  EXPECT_EQ(guard.series_count("cpu"), 2u);
  EXPECT_EQ(guard.series_count("mem"), 2u);
  EXPECT_EQ(guard.series_count("disk"), 1u);
}

}  // namespace
}  // namespace tessera::engine
