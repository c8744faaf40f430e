// The four dashboard queries of SPEC.md, run through run_query over the real engine
// (Engine::open on a temporary directory, rows written as line protocol), on a
// small data set whose answers are worked out by hand below.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "engine/engine.h"
#include "query/query_runner.h"
#include "tests/query/query_test_util.h"

namespace tessera::query {
namespace {

using testing::kMinute;
using testing::render;
using testing::utc;

class SpecExamplesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("tessera_spec_examples_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    engine::EngineOptions options;
    options.data_dir = dir_;
    auto opened = engine::Engine::open(options);
    ASSERT_TRUE(opened.is_ok()) << opened.status().to_string();
    engine_ = std::move(opened).value();
    context_.now_ns = utc(2025, 1, 20);
  }
  void TearDown() override {
    engine_.reset();
    std::filesystem::remove_all(dir_);
  }

  void write(const std::string& text) {
    auto report = engine_->write_text(text, {});
    ASSERT_TRUE(report.is_ok()) << report.status().to_string();
    ASSERT_TRUE(report->rejected.empty()) << report->rejected[0].reason;
  }
  std::string q(std::string_view sql) {
    auto r = run_query(*engine_, sql, context_);
    if (!r) return "ERR " + r.status().to_string();
    return render(*r);
  }
  static std::string ns(int64_t t) { return std::to_string(t); }

  std::filesystem::path dir_;
  std::unique_ptr<engine::Engine> engine_;
  QueryContext context_;
};

TEST_F(SpecExamplesTest, RoasPerDayAndProviderRatesOverDeduplicatedSnapshots) {
  ASSERT_EQ(
      q("CREATE TABLE ad_snapshot (tenant TAG, entity_id TAG, provider TAG, spend FLOAT, "
        "revenue FLOAT, clicks INT, impressions INT) WITH (dedup = (tenant, entity_id, time))"),
      "");
  const int64_t d18 = utc(2025, 1, 18), d19 = utc(2025, 1, 19);
  write(
      "ad_snapshot,tenant=ws_0007,entity_id=e1,provider=google "
      "spend=10,revenue=30,clicks=5i,impressions=100i " +
      ns(d18 + 15 * kMinute) + "\n" +
      "ad_snapshot,tenant=ws_0007,entity_id=e2,provider=meta "
      "spend=20,revenue=20,clicks=10i,impressions=400i " +
      ns(d18 + 30 * kMinute) + "\n" +
      "ad_snapshot,tenant=ws_0007,entity_id=e1,provider=google "
      "spend=5,revenue=20,clicks=5i,impressions=100i " +
      ns(d19 + 600 * kMinute) + "\n" +
      "ad_snapshot,tenant=ws_0008,entity_id=e9,provider=google "
      "spend=1000,revenue=1,clicks=1i,impressions=1i " +
      ns(d18 + 60 * kMinute) + "\n" +
      "ad_snapshot,tenant=ws_0007,entity_id=e1,provider=google "
      "spend=7,revenue=7,clicks=1i,impressions=1i " +
      ns(utc(2024, 11, 1)) + "\n");
  // The 00:15 snapshot of e1 is restated: it replaces the first one.
  write(
      "ad_snapshot,tenant=ws_0007,entity_id=e1,provider=google "
      "spend=12,revenue=36,clicks=6i,impressions=200i " +
      ns(d18 + 15 * kMinute) + "\n");

  // 2025-01-18: (36 + 20) / (12 + 20) = 1.75; 2025-01-19: 20 / 5 = 4. The 2024-11-01 row is
  // older than now() - 30d; ws_0008's row is another tenant.
  EXPECT_EQ(q("SELECT sum(revenue) / sum(spend) AS roas FROM ad_snapshot "
              "WHERE tenant = 'ws_0007' AND time >= now() - 30d GROUP BY time(1d)"),
            "time|roas\n2025-01-18T00:00:00Z|1.75\n2025-01-19T00:00:00Z|4.0");
  // google: clicks 6+5, impressions 200+100, spend 12+5; meta: 10, 400, 20.
  EXPECT_EQ(q("SELECT provider, sum(clicks) / sum(impressions) * 100 AS ctr_pct, "
              "sum(spend) / sum(clicks) AS cpc, sum(spend) / sum(impressions) * 1000 AS cpm "
              "FROM ad_snapshot WHERE tenant = 'ws_0007' AND time >= now() - 7d GROUP BY provider"),
            "provider|ctr_pct|cpc|cpm\n"
            "'google'|3.6666666666666665|1.5454545454545454|56.666666666666664\n"
            "'meta'|2.5|2.0|50.0");
  QueryContext reader = context_;
  reader.role = Role::kReader;
  reader.tenant = "ws_0008";
  auto r = run_query(*engine_,
                     "SELECT sum(spend) FROM ad_snapshot WHERE tenant = 'ws_0007' OR true", reader);
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  EXPECT_EQ(render(*r), "sum(spend)\n1000.0");
}

TEST_F(SpecExamplesTest, SupportResponseMedianPercentileAndSla) {
  const std::string tenant = "shop-042.myshopify.com";
  const int64_t d1 = utc(2025, 1, 14), d2 = utc(2025, 1, 15);
  std::string lines;
  const std::pair<int64_t, double> rows[] = {{d1 + 60 * kMinute, 10},
                                             {d1 + 120 * kMinute, 30},
                                             {d1 + 180 * kMinute, 200},
                                             {d1 + 240 * kMinute, 60},
                                             {d2 + 60 * kMinute, 130}};
  for (const auto& [t, minutes] : rows) {
    lines += "cx_conversation,tenant=" + tenant +
             " first_response_minutes=" + std::to_string(minutes) + " " + ns(t) + "\n";
  }
  lines += "cx_conversation,tenant=other first_response_minutes=1 " + ns(d1 + kMinute) + "\n";
  write(lines);
  // Day 1 sorted 10, 30, 60, 200: median (30 + 60) / 2 = 45; p95 at 0.95 * 3 = 2.85:
  // 60 + 0.85 * 140 = 179, which in doubles (as PostgreSQL computes it: 0.95 * 3 is
  // 2.8499999999999996) is 178.99999999999994; 3 of 4 within 120 minutes. Day 2: one value, 130,
  // over the target.
  EXPECT_EQ(
      q("SELECT median(first_response_minutes), percentile(first_response_minutes, 0.95), "
        "sla_pct(first_response_minutes, 120) FROM cx_conversation "
        "WHERE tenant = 'shop-042.myshopify.com' GROUP BY time(1d)"),
      "time|median(first_response_minutes)|percentile(first_response_minutes, 0.95)|"
      "sla_pct(first_response_minutes, 120)\n"
      "2025-01-14T00:00:00Z|45.0|178.99999999999994|75.0\n2025-01-15T00:00:00Z|130.0|130.0|0.0");
}

TEST_F(SpecExamplesTest, TryOnSuccessRateAndLifecyclePerTenant) {
  const int64_t t = utc(2025, 1, 10);
  write("tryon_job,tenant=t1 status=\"completed\",lifecycle_seconds=10 " + ns(t) + "\n" +
        "tryon_job,tenant=t1 status=\"completed\",lifecycle_seconds=20 " + ns(t + 1) + "\n" +
        "tryon_job,tenant=t1 status=\"failed\",lifecycle_seconds=30 " + ns(t + 2) + "\n" +
        "tryon_job,tenant=t1 status=\"running\" " + ns(t + 3) + "\n" +
        "tryon_job,tenant=t2 status=\"provider_expired\",lifecycle_seconds=100 " + ns(t + 4) +
        "\n" + "tryon_job,tenant=t3 status=\"running\",lifecycle_seconds=5 " + ns(t + 5) + "\n");
  // t1: 2 completed of 3 finished; p95 of 10, 20, 30 at 1.9 -> 29. t2: 0 of 1. t3: no
  // finished job, so the rate divides by zero: NULL.
  EXPECT_EQ(
      q("SELECT count(*) AS total_jobs, "
        "100.0 * count_if(status = 'completed') "
        "/ count_if(status IN ('completed', 'failed', 'provider_expired')) AS success_rate_pct, "
        "percentile(lifecycle_seconds, 0.95) AS p95_lifecycle FROM tryon_job GROUP BY tenant"),
      "tenant|total_jobs|success_rate_pct|p95_lifecycle\n"
      "'t1'|4|66.66666666666667|29.0\n't2'|1|0.0|100.0\n't3'|1|NULL|5.0");
}

}  // namespace
}  // namespace tessera::query
