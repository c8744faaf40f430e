// Blocks grouped by one tag whose rows all pass, or holding the one value of a tag
// that WHERE asks for among others, are folded run by run from the statistics of
// the tag's runs (storage::TagRunStats) instead of being scanned.
// Over the real engine, with blocks that hold several runs: answers checked against
// aggregates computed here from the rows written, each query twice (run statistics
// computed, then from the block cache); EXPLAIN shows which path read the blocks;
// and a run whose integer sum leaves int64 while its block's does not still fails
// the query as a scan does.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <limits>
#include <map>
#include <optional>
#include <random>

#include "engine/engine.h"
#include "query/query_runner.h"
#include "query/scan_workers.h"
#include "tests/query/explain_count.h"
#include "tests/query/query_test_util.h"

namespace tessera::query {
namespace {

using testing::kDay;
using testing::kMinute;
using testing::utc;

struct Row {
  int64_t time;
  std::string entity;
  std::optional<double> f;  // NULL in some rows
  int64_t i;
};

// Per group: what the query below asks for, from the rows.
struct Expected {
  int64_t rows = 0, f_count = 0, i_sum = 0;
  double f_sum = 0;
  std::optional<double> f_min, f_max;
  int64_t i_min = std::numeric_limits<int64_t>::max(), i_max = std::numeric_limits<int64_t>::min();
};

constexpr const char* kSelect =
    "count(*), count(f), sum(f), avg(f), min(f), max(f), sum(i), min(i), max(i)";

class RunStatsAggregationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("tessera_run_stats_aggregation_" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir_);
    engine::EngineOptions options;
    options.data_dir = dir_;
    options.block_rows = 256;  // a few runs of an entity's day per block
    options.background_maintenance = false;
    auto opened = engine::Engine::open(options);
    ASSERT_TRUE(opened.is_ok()) << opened.status().to_string();
    engine_ = std::move(opened).value();
    std::mt19937 rng(20261206);
    std::string lines;
    // Three days, seven entities, 20-60 rows per entity and day: runs of one
    // entity per block, a block holding several. f has two decimals, or is NULL.
    for (int day = 0; day < 3; ++day) {
      for (int e = 0; e < 7; ++e) {
        const int count = 20 + static_cast<int>(rng() % 41);
        for (int k = 0; k < count; ++k) {
          Row row{day0_ + day * kDay + static_cast<int64_t>(rng() % (24 * 60)) * kMinute,
                  "e" + std::to_string(e), std::nullopt, static_cast<int64_t>(rng() % 2001) - 1000};
          std::string fields = "i=" + std::to_string(row.i) + "i";
          if (rng() % 8 != 0) {
            const int64_t cents = static_cast<int64_t>(rng() % 100'000);
            row.f = static_cast<double>(cents) / 100.0;
            fields += ",f=" + std::to_string(cents / 100) + "." + (cents % 100 < 10 ? "0" : "") +
                      std::to_string(cents % 100);
          }
          lines += "m,entity=" + row.entity + " " + fields + " " + std::to_string(row.time) + "\n";
          rows_.push_back(row);
        }
      }
    }
    auto report = engine_->write_text(lines, {});
    ASSERT_TRUE(report.is_ok()) << report.status().to_string();
    ASSERT_TRUE(report->rejected.empty());
    ASSERT_TRUE(engine_->flush().is_ok());
  }
  void TearDown() override {
    engine_.reset();
    std::filesystem::remove_all(dir_);
  }

  Result<ResultSet> run(const std::string& sql) {
    QueryContext context;
    return run_query(*engine_, sql, context);
  }

  int64_t explain(const std::string& sql, const std::string& name) {
    return testing::explain_count(*engine_, sql, name);
  }

  // The groups of the rows in [from, to) (of `entity` alone, when set), keyed by
  // day (0 unless `by_day`) and entity ("" when `entity` is set).
  std::map<std::pair<int64_t, std::string>, Expected> expected_groups(
      bool by_day, int64_t from, int64_t to, const std::optional<std::string>& entity) const {
    std::map<std::pair<int64_t, std::string>, Expected> groups;
    for (const Row& row : rows_) {
      if (row.time < from || row.time >= to || (entity && row.entity != *entity)) continue;
      Expected& g = groups[{by_day ? row.time - row.time % kDay : 0, entity ? "" : row.entity}];
      ++g.rows;
      g.i_sum += row.i;
      g.i_min = std::min(g.i_min, row.i);
      g.i_max = std::max(g.i_max, row.i);
      if (!row.f) continue;
      ++g.f_count;
      g.f_sum += *row.f;
      g.f_min = std::min(g.f_min.value_or(*row.f), *row.f);
      g.f_max = std::max(g.f_max.value_or(*row.f), *row.f);
    }
    return groups;
  }

  // Checks the rows of `sql` (SELECT entity, kSelect ... GROUP BY entity ORDER BY
  // entity, with the day first when `by_day`; without the entity column when
  // `entity` is set, for WHERE entity = '...') against the rows in [from, to).
  void expect_answers(const std::string& sql, bool by_day, int64_t from, int64_t to,
                      const std::optional<std::string>& entity = std::nullopt) {
    const auto groups = expected_groups(by_day, from, to, entity);
    auto r = run(sql);
    ASSERT_TRUE(r.is_ok()) << r.status().to_string();
    ASSERT_EQ(r->rows.size(), groups.size()) << sql;
    size_t n = 0;
    for (const auto& [key, g] : groups) {
      const std::vector<Value>& row = r->rows[n++];
      size_t c = 0;
      if (by_day) {
        EXPECT_EQ(std::get<Timestamp>(row[c++]).ns, key.first);
      }
      if (!entity) {
        EXPECT_EQ(std::get<std::string>(row[c++]), key.second);
      }
      EXPECT_EQ(std::get<int64_t>(row[c++]), g.rows) << key.second;
      EXPECT_EQ(std::get<int64_t>(row[c++]), g.f_count) << key.second;
      EXPECT_NEAR(std::get<double>(row[c++]), g.f_sum, 1e-9 * std::abs(g.f_sum)) << key.second;
      EXPECT_NEAR(std::get<double>(row[c++]), g.f_sum / static_cast<double>(g.f_count), 1e-9)
          << key.second;
      EXPECT_EQ(std::get<double>(row[c++]), *g.f_min) << key.second;
      EXPECT_EQ(std::get<double>(row[c++]), *g.f_max) << key.second;
      EXPECT_EQ(std::get<int64_t>(row[c++]), g.i_sum) << key.second;
      EXPECT_EQ(std::get<int64_t>(row[c++]), g.i_min) << key.second;
      EXPECT_EQ(std::get<int64_t>(row[c++]), g.i_max) << key.second;
    }
  }

  const int64_t day0_ = utc(2025, 1, 16);
  std::filesystem::path dir_;
  std::unique_ptr<engine::Engine> engine_;
  std::vector<Row> rows_;
};

TEST_F(RunStatsAggregationTest, GroupsByATagFromRunStatistics) {
  const std::string by_entity =
      std::string("SELECT entity, ") + kSelect + " FROM m GROUP BY entity ORDER BY entity";
  const std::string by_day_entity = std::string("SELECT entity, ") + kSelect +
                                    " FROM m GROUP BY time(1d), entity ORDER BY time, entity";
  const std::string one_day = std::string("SELECT entity, ") + kSelect +
                              " FROM m WHERE time >= '2025-01-17' AND time < '2025-01-18'"
                              " GROUP BY entity ORDER BY entity";
  for (int pass = 0; pass < 2; ++pass) {  // computed, then from the block cache
    SCOPED_TRACE(pass == 0 ? "computed" : "cached");
    expect_answers(by_entity, false, day0_, day0_ + 3 * kDay);
    expect_answers(by_day_entity, true, day0_, day0_ + 3 * kDay);
    expect_answers(one_day, false, day0_ + kDay, day0_ + 2 * kDay);
  }
  // A block of one entity folds whole; the others, holding several, run by run.
  const int64_t from_runs = explain(by_entity, "blocks from run statistics");
  EXPECT_GT(from_runs, 0);
  EXPECT_EQ(explain(by_entity, "blocks scanned"), 0);
  EXPECT_EQ(from_runs + explain(by_entity, "blocks from statistics"),
            explain(by_entity, "blocks total"));
  // A condition the blocks' statistics cannot prove for every row, a FILTER, or a
  // percentile: the blocks are scanned.
  for (const std::string sql : {"SELECT entity, sum(f) FROM m WHERE i > 0 GROUP BY entity",
                                "SELECT entity, sum(f) FILTER (WHERE i > 0) FROM m GROUP BY entity",
                                "SELECT entity, percentile(f, 0.5) FROM m GROUP BY entity"}) {
    EXPECT_EQ(explain(sql, "blocks from run statistics"), 0) << sql;
    EXPECT_GT(explain(sql, "blocks scanned"), 0) << sql;
  }
}

// Scanned blocks (a percentile keeps them from run statistics) grouped by one tag
// take each run's group from the tag's cached runs instead of the rows' codes: the
// same answers with aggregates that read a group per row (min, max) and without,
// by entity and by day and entity, and with a NULL tag's rows flushed beside them.
TEST_F(RunStatsAggregationTest, ScannedBlocksGroupByTheRunsOfTheirTag) {
  // The median of f per entity, as PostgreSQL's percentile_cont(0.5) gives it.
  auto medians = [&](const std::vector<Row>& rows) {
    std::map<std::string, std::vector<double>> by_entity;
    for (const Row& row : rows) {
      if (row.f) by_entity[row.entity].push_back(*row.f);
    }
    std::map<std::string, double> out;
    for (auto& [entity, v] : by_entity) {
      std::sort(v.begin(), v.end());
      const size_t mid = v.size() / 2;
      out[entity] = v.size() % 2 == 1 ? v[mid] : v[mid - 1] + 0.5 * (v[mid] - v[mid - 1]);
    }
    return out;
  };
  const std::string by_entity = std::string("SELECT entity, ") + kSelect +
                                ", median(f) FROM m GROUP BY entity ORDER BY entity";
  const std::string by_day_entity = std::string("SELECT entity, ") + kSelect +
                                    ", median(f) FROM m GROUP BY time(1d), entity"
                                    " ORDER BY time, entity";
  const std::string runs_only =
      "SELECT entity, count(*), median(f) FROM m GROUP BY entity ORDER BY entity";
  const std::map<std::string, double> want_medians = medians(rows_);
  for (int pass = 0; pass < 2; ++pass) {  // runs computed, then from the block cache
    SCOPED_TRACE(pass == 0 ? "computed" : "cached");
    expect_answers(by_entity, false, day0_, day0_ + 3 * kDay);
    expect_answers(by_day_entity, true, day0_, day0_ + 3 * kDay);
    auto r = run(runs_only);
    ASSERT_TRUE(r.is_ok()) << r.status().to_string();
    const auto groups = expected_groups(false, day0_, day0_ + 3 * kDay, std::nullopt);
    ASSERT_EQ(r->rows.size(), groups.size());
    size_t n = 0;
    for (const auto& [key, g] : groups) {
      const std::vector<Value>& row = r->rows[n++];
      EXPECT_EQ(std::get<std::string>(row[0]), key.second);
      EXPECT_EQ(std::get<int64_t>(row[1]), g.rows) << key.second;
      EXPECT_EQ(std::get<double>(row[2]), want_medians.at(key.second)) << key.second;
    }
  }
  EXPECT_EQ(explain(by_entity, "blocks from run statistics"), 0);
  EXPECT_GT(explain(by_entity, "blocks scanned"), 0);

  // Table p: one block of three runs, e0, e1 and rows without an entity (a run of
  // NULL tags, its group last); i = k and f = k in each run's k-th row.
  std::string lines;
  for (const char* entity : {"e0", "e1", ""}) {
    for (int k = 0; k < 40; ++k) {
      lines += std::string("p") + (*entity != 0 ? ",entity=" : "") + entity +
               " i=" + std::to_string(k) + "i,f=" + std::to_string(k) + " " +
               std::to_string(day0_ + k * kMinute) + "\n";
    }
  }
  ASSERT_TRUE(engine_->write_text(lines, {}).is_ok());
  ASSERT_TRUE(engine_->flush().is_ok());
  const std::string by_entity_p =
      "SELECT entity, count(*), max(i), median(f) FROM p GROUP BY entity ORDER BY entity";
  for (int pass = 0; pass < 2; ++pass) {
    SCOPED_TRACE(pass == 0 ? "computed" : "cached");
    auto r = run(by_entity_p);
    ASSERT_TRUE(r.is_ok()) << r.status().to_string();
    ASSERT_EQ(r->rows.size(), 3u);
    for (size_t g = 0; g < 3; ++g) {
      const std::vector<Value>& row = r->rows[g];
      if (g < 2) {
        EXPECT_EQ(std::get<std::string>(row[0]), "e" + std::to_string(g));
      } else {
        EXPECT_TRUE(is_null(row[0]));
      }
      EXPECT_EQ(std::get<int64_t>(row[1]), 40);
      EXPECT_EQ(std::get<int64_t>(row[2]), 39);
      EXPECT_EQ(std::get<double>(row[3]), 19.5);
    }
  }
  EXPECT_EQ(explain(by_entity_p, "blocks scanned"), 1);
}

TEST_F(RunStatsAggregationTest, KeepsTheRunsOfOneTagValueFromRunStatistics) {
  const std::string by_day = std::string("SELECT ") + kSelect +
                             " FROM m WHERE entity = 'e3' GROUP BY time(1d) ORDER BY time";
  const std::string whole = std::string("SELECT ") + kSelect + " FROM m WHERE entity = 'e5'";
  const std::string one_day = std::string("SELECT ") + kSelect +
                              " FROM m WHERE entity = 'e0' AND time >= '2025-01-18'"
                              " AND time < '2025-01-19'";
  for (int pass = 0; pass < 2; ++pass) {  // computed, then from the block cache
    SCOPED_TRACE(pass == 0 ? "computed" : "cached");
    expect_answers(by_day, true, day0_, day0_ + 3 * kDay, "e3");
    expect_answers(whole, false, day0_, day0_ + 3 * kDay, "e5");
    expect_answers(one_day, false, day0_ + 2 * kDay, day0_ + 3 * kDay, "e0");
  }
  // Blocks holding e3 and other entities fold the runs of e3; a block of e3 alone
  // folds whole; blocks without e3 are pruned. None is scanned.
  EXPECT_GT(explain(by_day, "blocks from run statistics"), 0);
  EXPECT_EQ(explain(by_day, "blocks scanned"), 0);
  EXPECT_EQ(explain(whole, "blocks scanned"), 0);
  // count(*) alone folds from the runs without per-run statistics, grouped or kept.
  const auto e3 = expected_groups(false, day0_, day0_ + 3 * kDay, "e3").begin()->second;
  auto counted = run("SELECT count(*) FROM m WHERE entity = 'e3'");
  ASSERT_TRUE(counted.is_ok()) << counted.status().to_string();
  EXPECT_EQ(std::get<int64_t>(counted->rows.at(0).at(0)), e3.rows);
  auto grouped = run("SELECT entity, count(*) FROM m GROUP BY entity ORDER BY entity");
  ASSERT_TRUE(grouped.is_ok()) << grouped.status().to_string();
  const auto by_entity = expected_groups(false, day0_, day0_ + 3 * kDay, std::nullopt);
  ASSERT_EQ(grouped->rows.size(), by_entity.size());
  size_t n = 0;
  for (const auto& [key, g] : by_entity) {
    EXPECT_EQ(std::get<std::string>(grouped->rows[n][0]), key.second);
    EXPECT_EQ(std::get<int64_t>(grouped->rows[n][1]), g.rows);
    ++n;
  }
  EXPECT_GT(explain("SELECT count(*) FROM m WHERE entity = 'e3'", "blocks from run statistics"), 0);
  // Time bounds inside a block's range, a second tag condition, or a tag grouped
  // besides: those blocks are scanned, and the answers are the same.
  const std::string cut = std::string("SELECT ") + kSelect +
                          " FROM m WHERE entity = 'e3' AND time >= '2025-01-17T12:00:00Z'";
  expect_answers(cut, false, day0_ + kDay + kDay / 2, day0_ + 3 * kDay, "e3");
  EXPECT_GT(explain(cut, "blocks scanned"), 0);
  for (const std::string sql :
       {"SELECT sum(f) FROM m WHERE entity = 'e3' AND entity = 'e4'",
        "SELECT entity, sum(f) FROM m WHERE entity = 'e3' GROUP BY entity"}) {
    EXPECT_EQ(explain(sql, "blocks from run statistics"), 0) << sql;
  }
}

TEST(RunStatsTenantScopeTest, AReaderOfOneTenantFoldsItsRunsInSharedBlocks) {
  // Three tenants' rows share each block (sorted by tenant): a reader scoped to one
  // tenant gets that tenant's sums per day, folded from the runs of its rows.
  const auto dir = std::filesystem::temp_directory_path() /
                   ("tessera_run_stats_tenant_" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  engine::EngineOptions options;
  options.data_dir = dir;
  options.block_rows = 512;
  options.background_maintenance = false;
  auto engine = engine::Engine::open(options);
  ASSERT_TRUE(engine.is_ok()) << engine.status().to_string();
  const int64_t day0 = utc(2025, 1, 16);
  std::map<int64_t, std::pair<int64_t, int64_t>> expected;  // day -> (rows, sum of v) of t1
  std::string lines;
  for (int day = 0; day < 2; ++day) {
    for (int tenant = 0; tenant < 3; ++tenant) {
      for (int k = 0; k < 40 + 10 * tenant; ++k) {
        const int64_t v = day * 1000 + tenant * 100 + k;
        const int64_t time = day0 + day * kDay + k * kMinute;
        lines += "m,tenant=t" + std::to_string(tenant) + " v=" + std::to_string(v) + "i " +
                 std::to_string(time) + "\n";
        if (tenant == 1) {
          ++expected[day0 + day * kDay].first;
          expected[day0 + day * kDay].second += v;
        }
      }
    }
  }
  ASSERT_TRUE((*engine)->write_text(lines, {}).is_ok());
  ASSERT_TRUE((*engine)->flush().is_ok());
  QueryContext reader;
  reader.role = Role::kReader;
  reader.tenant = "t1";
  const std::string sql = "SELECT count(*), sum(v) FROM m GROUP BY time(1d) ORDER BY time";
  for (int pass = 0; pass < 2; ++pass) {
    auto r = run_query(**engine, sql, reader);
    ASSERT_TRUE(r.is_ok()) << r.status().to_string();
    ASSERT_EQ(r->rows.size(), expected.size());
    size_t n = 0;
    for (const auto& [day, want] : expected) {
      EXPECT_EQ(std::get<Timestamp>(r->rows[n][0]).ns, day);
      EXPECT_EQ(std::get<int64_t>(r->rows[n][1]), want.first);
      EXPECT_EQ(std::get<int64_t>(r->rows[n][2]), want.second);
      ++n;
    }
  }
  // EXPLAIN hides scan counts from a tenant-scoped reader; the scope is the same
  // equality on the tenant column as this WHERE clause (block_pruning.h).
  QueryContext admin;
  auto plan = run_query(
      **engine, "EXPLAIN SELECT count(*), sum(v) FROM m WHERE tenant = 't1' GROUP BY time(1d)",
      admin);
  ASSERT_TRUE(plan.is_ok()) << plan.status().to_string();
  std::string shown;
  for (const auto& row : plan->rows) shown += std::get<std::string>(row[0]) + "\n";
  EXPECT_NE(shown.find("blocks from run statistics: 2\n"), std::string::npos)
      << "both days' blocks fold the runs of t1:\n"
      << shown;
  engine->reset();
  std::filesystem::remove_all(dir);
}

TEST(RunStatsValueIdsTest, GroupsMeetByValueIdAndByNameAcrossTablesBlocksAndRanges) {
  // Flushed blocks fold their runs with the database's ids of the tag values
  // (engine::TagValueIds), blocks still in memory by the values' names; two tables
  // share the tag's name, and so its ids; scans in ranges merge groups by id. The
  // answers: per-entity counts and sums computed here from the rows written.
  const auto dir = std::filesystem::temp_directory_path() /
                   ("tessera_run_stats_value_ids_" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  engine::EngineOptions options;
  options.data_dir = dir;
  options.block_rows = 256;
  options.background_maintenance = false;
  auto opened = engine::Engine::open(options);
  ASSERT_TRUE(opened.is_ok()) << opened.status().to_string();
  engine::Engine& engine = **opened;
  const int64_t day0 = utc(2025, 1, 16);
  std::mt19937 rng(20261207);
  // table -> entity -> (rows, sum of f in cents)
  std::map<std::string, std::map<std::string, std::pair<int64_t, int64_t>>> expected;
  auto write = [&](const std::string& table, int first_entity, int last_entity, int days) {
    std::string lines;
    for (int day = 0; day < days; ++day) {
      for (int e = first_entity; e <= last_entity; ++e) {
        const std::string entity = "e" + std::to_string(e);
        for (int k = 0, n = 20 + static_cast<int>(rng() % 21); k < n; ++k) {
          const int64_t cents = static_cast<int64_t>(rng() % 10'000);
          lines += table + ",entity=" + entity + " f=" + std::to_string(cents / 100) + "." +
                   (cents % 100 < 10 ? "0" : "") + std::to_string(cents % 100) + " " +
                   std::to_string(day0 + day * kDay + k * kMinute) + "\n";
          ++expected[table][entity].first;
          expected[table][entity].second += cents;
        }
      }
    }
    auto report = engine.write_text(lines, {});
    ASSERT_TRUE(report.is_ok()) << report.status().to_string();
    ASSERT_TRUE(report->rejected.empty());
  };
  write("m", 0, 9, 2);
  write("n", 5, 14, 2);
  ASSERT_TRUE(engine.flush().is_ok());
  write("m", 8, 12, 1);  // in memory: e8, e9 known to m's blocks, e10-e12 only to n's
  ScanWorkers workers(1);
  for (const std::string table : {"m", "n"}) {
    const auto& want = expected[table];
    for (const bool in_ranges : {false, true}) {
      SCOPED_TRACE(table + (in_ranges ? " in ranges" : " on the caller"));
      QueryContext context;
      if (in_ranges) {
        context.scan_workers = &workers;
        context.min_rows_per_scan_range = 1;
      }
      for (int pass = 0; pass < 2; ++pass) {  // run statistics computed, then cached
        auto r = run_query(
            engine,
            "SELECT entity, count(*), sum(f) FROM " + table + " GROUP BY entity ORDER BY entity",
            context);
        ASSERT_TRUE(r.is_ok()) << r.status().to_string();
        ASSERT_EQ(r->rows.size(), want.size());
        size_t n = 0;
        for (const auto& [entity, rows_and_cents] : want) {
          EXPECT_EQ(std::get<std::string>(r->rows[n][0]), entity);
          EXPECT_EQ(std::get<int64_t>(r->rows[n][1]), rows_and_cents.first) << entity;
          EXPECT_NEAR(std::get<double>(r->rows[n][2]), rows_and_cents.second / 100.0, 1e-6)
              << entity;
          ++n;
        }
        // The three biggest sums, as Q7 keeps its top ten.
        auto top = run_query(engine,
                             "SELECT entity, sum(f) AS s FROM " + table +
                                 " GROUP BY entity ORDER BY s DESC, entity LIMIT 3",
                             context);
        ASSERT_TRUE(top.is_ok()) << top.status().to_string();
        std::vector<std::pair<int64_t, std::string>> by_sum;
        for (const auto& [entity, rows_and_cents] : want)
          by_sum.emplace_back(-rows_and_cents.second, entity);
        std::sort(by_sum.begin(), by_sum.end());
        ASSERT_EQ(top->rows.size(), 3u);
        for (size_t i = 0; i < 3; ++i) {
          EXPECT_EQ(std::get<std::string>(top->rows[i][0]), by_sum[i].second);
        }
      }
    }
  }
  EXPECT_GT(testing::explain_count(engine, "SELECT entity, count(*) FROM m GROUP BY entity",
                                   "blocks from run statistics"),
            0);
  opened->reset();
  std::filesystem::remove_all(dir);
}

TEST_F(RunStatsAggregationTest, ARunSumPastInt64IsScannedAndFails) {
  // One block, two runs of 16 rows: a's sum is -2^63 and b's 2^63, one past int64;
  // the block's running sum (a, then b) stays inside, so its statistics are exact.
  std::string lines;
  const int64_t t = day0_ + 10 * kDay;
  for (int k = 0; k < 16; ++k) {
    lines += "o,e=a i=-576460752303423488i " + std::to_string(t + k) + "\n";
    lines += "o,e=b i=576460752303423488i " + std::to_string(t + k) + "\n";
  }
  auto report = engine_->write_text(lines, {});
  ASSERT_TRUE(report.is_ok()) << report.status().to_string();
  ASSERT_TRUE(engine_->flush().is_ok());
  auto total = run("SELECT sum(i) FROM o");
  ASSERT_TRUE(total.is_ok()) << total.status().to_string();
  EXPECT_EQ(std::get<int64_t>(total->rows.at(0).at(0)), 0);
  for (int pass = 0; pass < 2; ++pass) {
    auto r = run("SELECT e, sum(i) FROM o GROUP BY e ORDER BY e");
    ASSERT_FALSE(r.is_ok());
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidInput) << r.error().message;
  }
  // The other group alone fits, whether grouped by e or kept by WHERE e = 'a' (the
  // block is then scanned: its run statistics are not exact).
  auto a = run("SELECT e, sum(i), count(*) FROM o WHERE e = 'a' GROUP BY e");
  ASSERT_TRUE(a.is_ok()) << a.status().to_string();
  EXPECT_EQ(std::get<int64_t>(a->rows.at(0).at(1)), std::numeric_limits<int64_t>::min());
  EXPECT_EQ(std::get<int64_t>(a->rows.at(0).at(2)), 16);
  auto kept = run("SELECT sum(i), count(*) FROM o WHERE e = 'a'");
  ASSERT_TRUE(kept.is_ok()) << kept.status().to_string();
  EXPECT_EQ(std::get<int64_t>(kept->rows.at(0).at(0)), std::numeric_limits<int64_t>::min());
  EXPECT_EQ(std::get<int64_t>(kept->rows.at(0).at(1)), 16);
  EXPECT_EQ(explain("SELECT sum(i), count(*) FROM o WHERE e = 'a'", "blocks scanned"), 1);
}

}  // namespace
}  // namespace tessera::query
