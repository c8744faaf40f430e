// Percentiles and sla_pct of blocks whose groups and FILTER keep whole runs of the
// tenant, grouped and FILTER tags read the float column's values sorted within
// those runs (storage::SortedRunValues, kept in the block cache) instead of the rows.
// Over the real engine: answers checked against PostgreSQL's percentile_cont and
// sla_pct's definition computed here from the rows written, each query twice
// (sorted runs computed, then from the block cache); EXPLAIN shows which blocks read
// sorted runs, and a query whose groups cut the runs reads rows and answers the same.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <random>

#include "engine/engine.h"
#include "query/query_runner.h"
#include "tests/query/explain_count.h"
#include "tests/query/query_test_util.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_engine.h"

namespace tessera::query {
namespace {

using testing::kDay;
using testing::kMinute;
using testing::postgres_percentile_cont;
using testing::utc;

struct Row {
  int64_t time;
  std::string tenant, channel, status;
  std::optional<double> f;  // NULL in some rows
  std::optional<double> g;  // f + 1000 where f has a value (table m only)
};

// sla_pct(f, target): 100 * count(f <= target) / count(f); NULL over no values.
std::optional<double> sla(const std::vector<double>& values, double target) {
  if (values.empty()) return std::nullopt;
  const auto at_most =
      std::count_if(values.begin(), values.end(), [&](double v) { return v <= target; });
  return 100.0 * static_cast<double>(at_most) / static_cast<double>(values.size());
}

void expect_value(const Value& got, std::optional<double> want, const std::string& where) {
  if (!want) {
    EXPECT_TRUE(is_null(got)) << where;
    return;
  }
  ASSERT_TRUE(std::holds_alternative<double>(got)) << where;
  EXPECT_EQ(std::get<double>(got), *want) << where;
}

class SortedRunsAggregationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    engine::EngineOptions options;
    options.block_rows = 512;  // t0's day spans blocks; small tenants share them
    options.background_maintenance = false;
    engine_ = tessera::testing::open_test_engine(dir_.path(), options);
    ASSERT_NE(engine_, nullptr);
    std::mt19937 rng(20261207);
    const std::vector<std::string> statuses = {"ok", "late", "fail"};
    std::string lines;
    // Two days, ten tenants (t0 big; t3-t9 below an eighth of a block, so that they
    // share blocks), two channels and three statuses; f has two decimals with
    // repeats, -0.0 and 0, or is NULL.
    for (int day = 0; day < 2; ++day) {
      for (int t = 0; t < 10; ++t) {
        const int count = t == 0   ? 1500
                          : t >= 3 ? 40 + static_cast<int>(rng() % 20)
                                   : 150 + static_cast<int>(rng() % 200);
        for (int k = 0; k < count; ++k) {
          Row row{day0_ + day * kDay + static_cast<int64_t>(rng() % (24 * 60)) * kMinute,
                  "t" + std::to_string(t),
                  rng() % 2 == 0 ? "a" : "b",
                  statuses[rng() % statuses.size()],
                  std::nullopt,
                  std::nullopt};
          std::string field = "i=1i";
          std::string g_field;
          const uint32_t kind = rng() % 16;
          if (kind == 0) {
            field = "f=-0.0";
            row.f = -0.0;
          } else if (kind == 1) {
            field = "f=0";
            row.f = 0.0;
          } else if (kind != 2) {  // kind 2: NULL
            const int64_t cents = static_cast<int64_t>(rng() % (kind < 6 ? 20 : 20'000));
            row.f = static_cast<double>(cents) / 100.0;
            const std::string decimals =
                std::string(".") + (cents % 100 < 10 ? "0" : "") + std::to_string(cents % 100);
            field = "f=" + std::to_string(cents / 100) + decimals;
            const std::string g = std::to_string(cents / 100 + 1000) + decimals;
            g_field = ",g=" + g;
            row.g = std::stod(g);
          }
          if (row.f && !row.g) {
            g_field = ",g=1000";
            row.g = 1000.0;
          }
          lines += "m,tenant=" + row.tenant + ",channel=" + row.channel + ",status=" + row.status +
                   " " + field + g_field + " " + std::to_string(row.time) + "\n";
          rows_.push_back(row);
          // Table n: t0's rows with the tenant tag alone, so that they sort by time.
          if (t == 0) {
            lines += "n,tenant=t0 " + field + " " + std::to_string(row.time) + "\n";
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

  // f's values of the rows that `keep` keeps, by the group key `key_of` gives.
  template <typename KeyOf, typename Keep>
  std::map<std::string, std::vector<double>> values_by(KeyOf key_of, Keep keep) const {
    std::map<std::string, std::vector<double>> out;
    for (const Row& row : rows_) {
      if (!keep(row)) continue;
      std::vector<double>& values = out[key_of(row)];
      if (row.f) values.push_back(*row.f);
    }
    return out;
  }

  // Checks SELECT tenant, sla_pct(f, 50), median(f), percentile(f, 0.9) ... GROUP
  // BY tenant ORDER BY tenant against f's values per tenant.
  void expect_by_tenant(const std::string& sql,
                        const std::map<std::string, std::vector<double>>& groups) {
    auto r = run(sql);
    ASSERT_TRUE(r.is_ok()) << r.status().to_string();
    ASSERT_EQ(r->rows.size(), groups.size());
    size_t n = 0;
    for (const auto& [tenant, values] : groups) {
      const std::vector<Value>& row = r->rows[n++];
      EXPECT_EQ(std::get<std::string>(row[0]), tenant);
      expect_value(row[1], sla(values, 50), tenant + " sla");
      expect_value(row[2], postgres_percentile_cont(values, 0.5), tenant + " median");
      expect_value(row[3], postgres_percentile_cont(values, 0.9), tenant + " p90");
    }
  }

  const int64_t day0_ = utc(2025, 1, 16);
  tessera::testing::TempDir dir_;  // outlives engine_
  std::unique_ptr<engine::Engine> engine_;
  std::vector<Row> rows_;
};

TEST_F(SortedRunsAggregationTest, GroupedByTenantReadsSortedRuns) {
  const std::string sql =
      "SELECT tenant, sla_pct(f, 50), median(f), percentile(f, 0.9) FROM m"
      " GROUP BY tenant ORDER BY tenant";
  const auto groups =
      values_by([](const Row& r) { return r.tenant; }, [](const Row&) { return true; });
  for (int pass = 0; pass < 2; ++pass) {  // computed, then from the block cache
    SCOPED_TRACE(pass == 0 ? "computed" : "cached");
    expect_by_tenant(sql, groups);
  }
  EXPECT_GT(explain(sql, "blocks from sorted runs"), 0);

  // Rows still in memory are read row by row: a group then joins the values
  // gathered from them with its sorted runs from the segment blocks.
  std::string lines;
  for (int k = 0; k < 300; ++k) {
    const int64_t cents = (k * 7919) % 20'000;
    Row row{day0_ + 2 * kDay + k * kMinute,
            k % 2 == 0 ? "t0" : "t1",
            "a",
            "ok",
            static_cast<double>(cents) / 100.0,
            std::nullopt};
    lines += "m,tenant=" + row.tenant + ",channel=a,status=ok f=" + std::to_string(cents / 100) +
             "." + (cents % 100 < 10 ? "0" : "") + std::to_string(cents % 100) + " " +
             std::to_string(row.time) + "\n";
    rows_.push_back(row);
  }
  ASSERT_TRUE(tessera::testing::write_ok(*engine_, lines).rejected.empty());
  expect_by_tenant(
      sql, values_by([](const Row& r) { return r.tenant; }, [](const Row&) { return true; }));
  EXPECT_GT(explain(sql, "blocks from sorted runs"), 0);
}

TEST_F(SortedRunsAggregationTest, OneTenantByDayReadsSortedRuns) {
  const std::string sql =
      "SELECT sla_pct(f, 50), median(f), percentile(f, 0.95) FROM m WHERE tenant = 't0'"
      " GROUP BY time(1d) ORDER BY time";
  const auto days = values_by([&](const Row& r) { return std::to_string(r.time - r.time % kDay); },
                              [](const Row& r) { return r.tenant == "t0"; });
  for (int pass = 0; pass < 2; ++pass) {
    SCOPED_TRACE(pass == 0 ? "computed" : "cached");
    auto r = run(sql);
    ASSERT_TRUE(r.is_ok()) << r.status().to_string();
    ASSERT_EQ(r->rows.size(), days.size());
    size_t n = 0;
    for (const auto& [day, values] : days) {
      const std::vector<Value>& row = r->rows[n++];
      EXPECT_EQ(std::to_string(std::get<Timestamp>(row[0]).ns), day);
      expect_value(row[1], sla(values, 50), day + " sla");
      expect_value(row[2], postgres_percentile_cont(values, 0.5), day + " median");
      expect_value(row[3], postgres_percentile_cont(values, 0.95), day + " p95");
    }
  }
  // t0's rows of a day fill several blocks: every one reads sorted runs.
  EXPECT_GT(explain(sql, "blocks from sorted runs"), 2);
  EXPECT_EQ(explain(sql, "blocks from sorted runs"), explain(sql, "blocks scanned"));

  // t5 shares its blocks with other small tenants: its rows begin within a block.
  const std::string shared =
      "SELECT sla_pct(f, 50), median(f) FROM m WHERE tenant = 't5' GROUP BY time(1d) ORDER BY time";
  const auto t5_days =
      values_by([&](const Row& r) { return std::to_string(r.time - r.time % kDay); },
                [](const Row& r) { return r.tenant == "t5"; });
  for (int pass = 0; pass < 2; ++pass) {
    SCOPED_TRACE(pass == 0 ? "computed" : "cached");
    auto r = run(shared);
    ASSERT_TRUE(r.is_ok()) << r.status().to_string();
    ASSERT_EQ(r->rows.size(), t5_days.size());
    size_t n = 0;
    for (const auto& [day, values] : t5_days) {
      const std::vector<Value>& row = r->rows[n++];
      EXPECT_EQ(std::to_string(std::get<Timestamp>(row[0]).ns), day);
      expect_value(row[1], sla(values, 50), day + " t5 sla");
      expect_value(row[2], postgres_percentile_cont(values, 0.5), day + " t5 median");
    }
  }
  EXPECT_EQ(explain(shared, "blocks from sorted runs"), 2);
}

TEST_F(SortedRunsAggregationTest, FilterOnATagKeepsWholeSortedRuns) {
  const std::string sql =
      "SELECT tenant, percentile(f, 0.95) FILTER (WHERE status = 'ok'),"
      " sla_pct(f, 30) FILTER (WHERE status IN ('ok', 'late')) FROM m"
      " GROUP BY tenant ORDER BY tenant";
  const auto ok = values_by([](const Row& r) { return r.tenant; },
                            [](const Row& r) { return r.status == "ok"; });
  const auto ok_or_late = values_by([](const Row& r) { return r.tenant; },
                                    [](const Row& r) { return r.status != "fail"; });
  const std::string one_tenant =
      "SELECT percentile(f, 0.95) FILTER (WHERE status = 'ok') FROM m WHERE tenant = 't2'";
  for (int pass = 0; pass < 2; ++pass) {
    SCOPED_TRACE(pass == 0 ? "computed" : "cached");
    auto r = run(sql);
    ASSERT_TRUE(r.is_ok()) << r.status().to_string();
    ASSERT_EQ(r->rows.size(), ok.size());
    size_t n = 0;
    for (const auto& [tenant, values] : ok) {
      const std::vector<Value>& row = r->rows[n++];
      EXPECT_EQ(std::get<std::string>(row[0]), tenant);
      expect_value(row[1], postgres_percentile_cont(values, 0.95), tenant + " p95 ok");
      expect_value(row[2], sla(ok_or_late.at(tenant), 30), tenant + " sla ok or late");
    }
    auto one = run(one_tenant);
    ASSERT_TRUE(one.is_ok()) << one.status().to_string();
    ASSERT_EQ(one->rows.size(), 1u);
    expect_value(one->rows[0][0], postgres_percentile_cont(ok.at("t2"), 0.95), "t2 p95 ok");
  }
  EXPECT_GT(explain(sql, "blocks from sorted runs"), 0);
  EXPECT_GT(explain(one_tenant, "blocks from sorted runs"), 0);
}

// count, sum and avg of f beside a percentile of f over the same runs read the
// runs' counts and sums, g's aggregates read g's runs, and avg of f with no
// percentile in the query reads rows. Sums are added in another order than the
// reference's, so they are compared within 1e-12 relative.
TEST_F(SortedRunsAggregationTest, CountSumAndAvgBesideAPercentileReadTheRunsSums) {
  const std::string sql =
      "SELECT tenant, count(f) FILTER (WHERE status = 'ok'), sum(f) FILTER (WHERE status = 'ok'),"
      " avg(f) FILTER (WHERE status = 'ok'), percentile(f, 0.95) FILTER (WHERE status = 'ok'),"
      " avg(g) FILTER (WHERE status = 'ok'), median(g) FILTER (WHERE status = 'ok')"
      " FROM m GROUP BY tenant ORDER BY tenant";
  const std::string avg_alone =
      "SELECT tenant, avg(f) FILTER (WHERE status = 'ok') FROM m GROUP BY tenant ORDER BY tenant";
  const auto ok = values_by([](const Row& r) { return r.tenant; },
                            [](const Row& r) { return r.status == "ok"; });
  std::map<std::string, std::vector<double>> g_ok;
  for (const Row& row : rows_) {
    if (row.status == "ok" && row.g) g_ok[row.tenant].push_back(*row.g);
  }
  auto expect_near = [](const Value& got, double want, const std::string& where) {
    ASSERT_TRUE(std::holds_alternative<double>(got)) << where;
    EXPECT_NEAR(std::get<double>(got), want, 1e-12 * std::max(1.0, std::abs(want))) << where;
  };
  auto total = [](const std::vector<double>& v) {
    double sum = 0;
    for (const double x : v) sum += x;
    return sum;
  };
  auto mean = [&](const std::vector<double>& v) {
    return total(v) / static_cast<double>(v.size());
  };
  for (int pass = 0; pass < 2; ++pass) {  // sorted by the percentile, then from the cache
    SCOPED_TRACE(pass == 0 ? "computed" : "cached");
    auto r = run(sql);
    ASSERT_TRUE(r.is_ok()) << r.status().to_string();
    ASSERT_EQ(r->rows.size(), ok.size());
    size_t n = 0;
    for (const auto& [tenant, values] : ok) {
      const std::vector<Value>& row = r->rows[n++];
      EXPECT_EQ(std::get<std::string>(row[0]), tenant);
      ASSERT_FALSE(values.empty()) << tenant;
      EXPECT_EQ(std::get<int64_t>(row[1]), static_cast<int64_t>(values.size())) << tenant;
      expect_near(row[2], total(values), tenant + " sum");
      expect_near(row[3], mean(values), tenant + " avg");
      expect_value(row[4], postgres_percentile_cont(values, 0.95), tenant + " p95");
      expect_near(row[5], mean(g_ok.at(tenant)), tenant + " avg(g)");
      expect_value(row[6], postgres_percentile_cont(g_ok.at(tenant), 0.5), tenant + " median(g)");
    }
    auto alone = run(avg_alone);
    ASSERT_TRUE(alone.is_ok()) << alone.status().to_string();
    ASSERT_EQ(alone->rows.size(), ok.size());
    n = 0;
    for (const auto& [tenant, values] : ok) {
      expect_near(alone->rows[n++][1], mean(values), tenant + " avg alone");
    }
  }
  EXPECT_GT(explain(sql, "blocks from sorted runs"), 0);
  // The percentile's sorted runs are cached now, yet avg alone never reads them.
  EXPECT_EQ(explain(avg_alone, "blocks from sorted runs"), 0);
}

TEST_F(SortedRunsAggregationTest, GroupsThatCutTheRunsReadRows) {
  // Hourly groups split t0's one run per block of table n (its rows sort by time):
  // the rows are read, and the answers are the same.
  const std::string sql =
      "SELECT percentile(f, 0.5), sla_pct(f, 50) FROM n WHERE tenant = 't0'"
      " GROUP BY time(1h) ORDER BY time";
  const auto hours =
      values_by([](const Row& r) { return std::to_string(r.time - r.time % (60 * kMinute)); },
                [](const Row& r) { return r.tenant == "t0"; });
  auto r = run(sql);
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  ASSERT_EQ(r->rows.size(), hours.size());
  size_t n = 0;
  for (const auto& [hour, values] : hours) {
    const std::vector<Value>& row = r->rows[n++];
    EXPECT_EQ(std::to_string(std::get<Timestamp>(row[0]).ns), hour);
    expect_value(row[1], postgres_percentile_cont(values, 0.5), hour + " median");
    expect_value(row[2], sla(values, 50), hour + " sla");
  }
  EXPECT_EQ(explain(sql, "blocks from sorted runs"), 0);
  EXPECT_GT(explain(sql, "blocks scanned"), 0);
}

}  // namespace
}  // namespace tessera::query
