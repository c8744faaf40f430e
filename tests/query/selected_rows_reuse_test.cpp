// A scan keeps one buffer of selected row numbers from block to block, and a block
// whose rows all pass reuses the numbers it already holds (query/block_range_scan.cpp).
// Over the real engine, with small blocks of random sizes: an entity's rows lie in
// blocks of their own and in blocks shared with others, day after day, so a scan
// passes from blocks of every row to blocks narrowed by `WHERE entity = ...` (or by
// another condition) and back, and from short blocks to longer ones. Every answer is
// checked against aggregates computed here from the rows written.
#include <gtest/gtest.h>

#include <map>
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
using testing::utc;

struct Row {
  int64_t time;
  int entity;
  double f;
  int64_t i;
};

// What the queries below ask per hour: count(*), sum(f), percentile(f, 0.9).
struct Expected {
  int64_t rows = 0;
  double sum = 0;
  std::vector<double> values;
};

class SelectedRowsReuseTest : public ::testing::Test {
 protected:
  void SetUp() override {
    engine::EngineOptions options;
    options.block_rows = 64;
    options.background_maintenance = false;
    engine_ = tessera::testing::open_test_engine(dir_.path(), options);
    ASSERT_NE(engine_, nullptr);
    std::mt19937 rng(20261208);
    std::string lines;
    // Four days, six entities, 1-200 rows per entity and day: some fill blocks of
    // their own, some share one with their neighbours.
    for (int day = 0; day < 4; ++day) {
      for (int e = 0; e < kEntities; ++e) {
        const int count = 1 + static_cast<int>(rng() % 200);
        for (int k = 0; k < count; ++k) {
          const Row row{day0_ + day * kDay + static_cast<int64_t>(rng() % (24 * 60)) * kMinute, e,
                        static_cast<double>(rng() % 10'000) / 4.0,
                        static_cast<int64_t>(rng() % 201) - 100};
          lines += "m,entity=e" + std::to_string(e) + " f=" + std::to_string(row.f) +
                   ",i=" + std::to_string(row.i) + "i " + std::to_string(row.time) + "\n";
          rows_.push_back(row);
        }
      }
    }
    EXPECT_TRUE(tessera::testing::write_ok(*engine_, lines).rejected.empty());
    ASSERT_TRUE(engine_->flush().is_ok());
  }

  // Checks `SELECT count(*), sum(f), percentile(f, 0.9) ... GROUP BY time(1h)` with
  // `where` against the rows `keep` accepts.
  template <typename Keep>
  void expect_hours(const std::string& where, Keep&& keep) {
    const std::string sql = "SELECT count(*), sum(f), percentile(f, 0.9) FROM m " + where +
                            " GROUP BY time(1h) ORDER BY time";
    std::map<int64_t, Expected> hours;
    for (const Row& row : rows_) {
      if (!keep(row)) continue;
      Expected& hour = hours[row.time - row.time % (60 * kMinute)];
      ++hour.rows;
      hour.sum += row.f;
      hour.values.push_back(row.f);
    }
    QueryContext context;
    auto r = run_query(*engine_, sql, context);
    ASSERT_TRUE(r.is_ok()) << r.status().to_string();
    ASSERT_EQ(r->rows.size(), hours.size()) << sql;
    size_t n = 0;
    for (const auto& [hour, expected] : hours) {
      const std::vector<Value>& row = r->rows[n++];
      ASSERT_EQ(row.size(), 4u);
      EXPECT_EQ(std::get<Timestamp>(row[0]).ns, hour) << sql;
      EXPECT_EQ(std::get<int64_t>(row[1]), expected.rows) << sql << " hour " << hour;
      // Quarters sum exactly in any order at these magnitudes.
      EXPECT_EQ(std::get<double>(row[2]), expected.sum) << sql << " hour " << hour;
      EXPECT_NEAR(std::get<double>(row[3]),
                  *testing::postgres_percentile_cont(expected.values, 0.9), 1e-9)
          << sql << " hour " << hour;
    }
  }

  static constexpr int kEntities = 6;
  const int64_t day0_ = utc(2025, 1, 16);
  tessera::testing::TempDir dir_;
  std::unique_ptr<engine::Engine> engine_;
  std::vector<Row> rows_;
};

TEST_F(SelectedRowsReuseTest, BlocksOfEveryRowBetweenNarrowedOnesReadTheRightRows) {
  // Every block scanned whole, in sizes that change where a day's blocks end.
  expect_hours("", [](const Row&) { return true; });
  EXPECT_EQ(testing::explain_count(*engine_, "SELECT count(*), sum(f) FROM m GROUP BY time(1h)",
                                   "blocks scanned"),
            testing::explain_count(*engine_, "SELECT count(*) FROM m", "blocks total"));
  for (int e = 0; e < kEntities; ++e) {
    const std::string entity = "e" + std::to_string(e);
    SCOPED_TRACE(entity);
    // Blocks of the entity alone pass whole; shared ones keep its rows only.
    expect_hours("WHERE entity = '" + entity + "'",
                 [&](const Row& row) { return row.entity == e; });
    // The same, then narrowed by a condition evaluated row by row.
    expect_hours("WHERE entity = '" + entity + "' AND i > 0",
                 [&](const Row& row) { return row.entity == e && row.i > 0; });
  }
  // Narrowed by a row condition alone, between whole scans of the same blocks.
  expect_hours("WHERE i <= 50", [](const Row& row) { return row.i <= 50; });
  expect_hours("", [](const Row&) { return true; });
}

}  // namespace
}  // namespace tessera::query
