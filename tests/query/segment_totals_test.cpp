// A sorted segment whose blocks all pass a query in one group is folded from the
// segment's totals (storage::total_of) in one step. Over the real engine, with daily
// partitions of several blocks: the answers equal aggregates computed here from the
// rows written, and EXPLAIN shows which blocks went through totals. Segments that a
// tenant scope, a partial day, a group tag, dedup masks or an unflushed head leave
// not whole, and an integer sum that overflows only across blocks, take the
// block-by-block path, with the same answers or the same error.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "engine/database.h"
#include "query/query_runner.h"
#include "tests/query/explain_count.h"
#include "tests/query/query_test_util.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_engine.h"

namespace tessera::query {
namespace {

using testing::kDay;
using testing::kMinute;
using testing::utc;

const int64_t kDay0 = utc(2025, 1, 16);

struct Row {
  int64_t time;
  std::string tenant, entity;
  std::optional<double> f;  // NULL in some rows
  int64_t i;
};

std::string line_of(const Row& row) {
  std::string fields = "i=" + std::to_string(row.i) + "i";
  if (row.f) fields += ",f=" + std::to_string(*row.f);
  return "m,tenant=" + row.tenant + ",entity=" + row.entity + " " + fields + " " +
         std::to_string(row.time) + "\n";
}

// What the daily rollup below answers for one day, from the rows.
struct Day {
  int64_t rows = 0, f_count = 0, i_sum = 0, i_min = INT64_MAX, i_max = INT64_MIN;
  double f_sum = 0, f_min = INFINITY, f_max = -INFINITY;
};

constexpr const char* kRollup =
    "SELECT count(*), count(f), sum(f), avg(f), min(f), max(f), sum(i), min(i), max(i) FROM m";

class SegmentTotalsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    engine::EngineOptions options;
    options.block_rows = 64;  // several blocks per day
    options.background_maintenance = false;
    options.data_dir = dir_.path();
    auto opened = engine::Database::open(options);
    ASSERT_TRUE(opened.is_ok()) << opened.error().message;
    engine_ = std::move(opened).value();
    ASSERT_TRUE(run("CREATE TABLE m (tenant TAG, entity TAG) WITH (dedup = (tenant, entity, time))")
                    .is_ok());
    std::mt19937 rng(20261207);
    std::string lines;
    // Three days, three tenants of 2-4 entities, one row per entity and 20 minutes:
    // f has two decimals (the line carries it exactly) or is NULL.
    for (int day = 0; day < 3; ++day) {
      for (int t = 0; t < 3; ++t) {
        for (int e = 0; e < 2 + t; ++e) {
          for (int k = 0; k < 72; ++k) {
            Row row{kDay0 + day * kDay + k * 20 * kMinute, "t" + std::to_string(t),
                    "e" + std::to_string(e), std::nullopt,
                    static_cast<int64_t>(rng() % 2001) - 1000};
            if (rng() % 6 != 0) row.f = static_cast<double>(rng() % 100'000) / 100.0;
            lines += line_of(row);
            rows_.push_back(row);
          }
        }
      }
    }
    ASSERT_TRUE(tessera::testing::write_ok(*engine_, lines).rejected.empty());
    ASSERT_TRUE(engine_->flush().is_ok());
  }

  Result<ResultSet> run(const std::string& sql) {
    QueryContext context;
    return run_query(*engine_, sql, context);
  }
  int64_t explain(const std::string& sql, const std::string& name) {
    return testing::explain_count(*engine_, sql, name);
  }

  // Per day start, the rollup of the rows that pass `keep`.
  template <typename Keep>
  std::map<int64_t, Day> expected_days(Keep keep) const {
    std::map<int64_t, Day> days;
    for (const Row& row : rows_) {
      if (!keep(row)) continue;
      Day& d = days[row.time - (row.time - kDay0) % kDay];
      ++d.rows;
      d.i_sum += row.i;
      d.i_min = std::min(d.i_min, row.i);
      d.i_max = std::max(d.i_max, row.i);
      if (!row.f) continue;
      ++d.f_count;
      d.f_sum += *row.f;
      d.f_min = std::min(d.f_min, *row.f);
      d.f_max = std::max(d.f_max, *row.f);
    }
    return days;
  }

  // Runs `sql` (kRollup ... GROUP BY time(1d)) and checks its rows against `want`.
  void expect_days(const std::string& sql, const std::map<int64_t, Day>& want) {
    Result<ResultSet> result = run(sql);
    ASSERT_TRUE(result.is_ok()) << sql << ": " << result.error().message;
    ASSERT_EQ(result->rows.size(), want.size()) << sql;
    size_t r = 0;
    for (const auto& [start, d] : want) {
      const auto& row = result->rows[r++];
      EXPECT_EQ(std::get<Timestamp>(row[0]).ns, start) << sql;
      EXPECT_EQ(std::get<int64_t>(row[1]), d.rows) << sql;
      EXPECT_EQ(std::get<int64_t>(row[2]), d.f_count) << sql;
      EXPECT_NEAR(std::get<double>(row[3]), d.f_sum, 1e-9 * std::abs(d.f_sum)) << sql;
      EXPECT_NEAR(std::get<double>(row[4]), d.f_sum / static_cast<double>(d.f_count),
                  1e-9 * d.f_sum)
          << sql;
      EXPECT_EQ(std::get<double>(row[5]), d.f_min) << sql;
      EXPECT_EQ(std::get<double>(row[6]), d.f_max) << sql;
      EXPECT_EQ(std::get<int64_t>(row[7]), d.i_sum) << sql;
      EXPECT_EQ(std::get<int64_t>(row[8]), d.i_min) << sql;
      EXPECT_EQ(std::get<int64_t>(row[9]), d.i_max) << sql;
    }
  }

  tessera::testing::TempDir dir_;
  std::unique_ptr<engine::Database> engine_;
  std::vector<Row> rows_;
};

const std::string kDaily = std::string("SELECT time, ") + (kRollup + 7) + " GROUP BY time(1d)";

TEST_F(SegmentTotalsTest, FoldsEachDaysSegmentFromItsTotals) {
  const int64_t blocks = explain(kDaily, "blocks total");
  ASSERT_GT(blocks, 3);  // more blocks than days: totals save folds
  EXPECT_EQ(explain(kDaily, "blocks from segment totals"), blocks);
  EXPECT_EQ(explain(kDaily, "blocks from statistics"), blocks);
  EXPECT_EQ(explain(kDaily, "blocks scanned"), 0);
  expect_days(kDaily, expected_days([](const Row&) { return true; }));

  // Without GROUP BY every segment folds into the one group.
  EXPECT_EQ(explain("SELECT count(*), sum(i) FROM m", "blocks from segment totals"), blocks);
  Result<ResultSet> all = run("SELECT count(*), sum(i) FROM m");
  ASSERT_TRUE(all.is_ok()) << all.error().message;
  int64_t i_sum = 0;
  for (const Row& row : rows_) i_sum += row.i;
  EXPECT_EQ(std::get<int64_t>(all->rows[0][0]), static_cast<int64_t>(rows_.size()));
  EXPECT_EQ(std::get<int64_t>(all->rows[0][1]), i_sum);
}

TEST_F(SegmentTotalsTest, FoldsBlockByBlockWhereASegmentIsNotWholeInOneGroup) {
  // One tenant's blocks: the segments hold others too.
  const std::string tenant =
      std::string("SELECT time, ") + (kRollup + 7) + " WHERE tenant = 't1' GROUP BY time(1d)";
  EXPECT_EQ(explain(tenant, "blocks from segment totals"), 0);
  expect_days(tenant, expected_days([](const Row& row) { return row.tenant == "t1"; }));

  // The first day in part: only the two later days' segments go through totals.
  const int64_t from = kDay0 + 12 * 60 * kMinute;
  const std::string partial = std::string("SELECT time, ") + (kRollup + 7) +
                              " WHERE time >= " + std::to_string(from) + " GROUP BY time(1d)";
  const int64_t whole_days = explain(partial, "blocks from segment totals");
  EXPECT_GT(whole_days, 0);
  EXPECT_LT(whole_days, explain(partial, "blocks total"));
  expect_days(partial, expected_days([&](const Row& row) { return row.time >= from; }));

  // Grouped by tenant: a segment holds three groups.
  EXPECT_EQ(explain("SELECT tenant, count(*) FROM m GROUP BY tenant", "blocks from segment totals"),
            0);

  // approx_percentile needs the blocks' sketches, which totals do not merge.
  EXPECT_EQ(explain("SELECT approx_percentile(f, 0.5) FROM m", "blocks from segment totals"), 0);
}

TEST_F(SegmentTotalsTest, ARestatedDayFoldsBlockByBlockUntilCompacted) {
  // Restate every row of t0's e0 on the second day, unflushed: that day's segment
  // has masked blocks and a head beside it.
  std::string lines;
  for (Row& row : rows_) {
    if (row.tenant != "t0" || row.entity != "e0" || row.time < kDay0 + kDay ||
        row.time >= kDay0 + 2 * kDay) {
      continue;
    }
    row.i += 5000;
    row.f = 1.25;
    lines += line_of(row);
  }
  ASSERT_TRUE(tessera::testing::write_ok(*engine_, lines).rejected.empty());
  const std::map<int64_t, Day> want = expected_days([](const Row&) { return true; });
  const int64_t blocks = explain(kDaily, "blocks total");
  const int64_t from_totals = explain(kDaily, "blocks from segment totals");
  EXPECT_GT(from_totals, 0);
  EXPECT_LT(from_totals, blocks - 1);  // neither the restated day's blocks nor its head
  expect_days(kDaily, want);

  ASSERT_TRUE(engine_->flush().is_ok());
  ASSERT_TRUE(engine_->compact().is_ok());
  EXPECT_EQ(explain(kDaily, "blocks from segment totals"), explain(kDaily, "blocks total"));
  expect_days(kDaily, want);
}

TEST_F(SegmentTotalsTest, ASumThatOverflowsOnlyAcrossBlocksFailsAsTheScanDoes) {
  // 2^58 in each of 96 rows of one day: a 64-row block sums within int64 (2^64 / 4),
  // the day does not.
  std::string lines;
  for (int k = 0; k < 96; ++k) {
    lines += "big,tenant=t0,entity=e" + std::to_string(k % 4) +
             " i=" + std::to_string(int64_t{1} << 58) + "i " + std::to_string(kDay0 + k * kMinute) +
             "\n";
  }
  ASSERT_TRUE(tessera::testing::write_ok(*engine_, lines).rejected.empty());
  ASSERT_TRUE(engine_->flush().is_ok());
  Result<ResultSet> sum = run("SELECT sum(i) FROM big");
  ASSERT_FALSE(sum.is_ok());
  EXPECT_EQ(sum.error().code, ErrorCode::kInvalidInput);
  EXPECT_NE(sum.error().message.find("integer overflow in sum(i)"), std::string::npos);
  EXPECT_EQ(explain("SELECT count(*), max(i) FROM big", "blocks from segment totals"),
            explain("SELECT count(*), max(i) FROM big", "blocks total"));
  Result<ResultSet> count = run("SELECT count(*), max(i) FROM big");
  ASSERT_TRUE(count.is_ok()) << count.error().message;
  EXPECT_EQ(std::get<int64_t>(count->rows[0][0]), 96);
  EXPECT_EQ(std::get<int64_t>(count->rows[0][1]), int64_t{1} << 58);
}

}  // namespace
}  // namespace tessera::query
