// Blocks of segment files are scanned without their time column when a query does
// not need it (daily buckets of a daily partition, a time range covering whole
// blocks), and with it otherwise (hourly buckets, a range cutting a block, first and
// last, time as an argument, raw rows). Over the real engine, answers checked against
// sums computed here from the rows written, each query twice: from disk, then from
// the block cache, with queries that do and do not need time taking turns.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <random>

#include "engine/engine.h"
#include "query/query_runner.h"
#include "tests/query/query_test_util.h"

namespace tessera::query {
namespace {

using testing::kDay;
using testing::kHour;
using testing::kMinute;
using testing::render_time;
using testing::utc;

struct Row {
  int64_t time;
  std::string tenant;
  int64_t v;
};

class TimeColumnLoadingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("tessera_time_column_loading_" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir_);
    engine::EngineOptions options;
    options.data_dir = dir_;
    options.block_rows = 16;  // many blocks a day
    options.background_maintenance = false;
    auto opened = engine::Engine::open(options);
    ASSERT_TRUE(opened.is_ok()) << opened.status().to_string();
    engine_ = std::move(opened).value();
    std::mt19937 rng(20261206);
    std::string lines;
    for (int i = 0; i < 600; ++i) {
      // Three days from day0, any minute; three tenants; v in [0, 10).
      Row row{day0_ + static_cast<int64_t>(rng() % (3 * 24 * 60)) * kMinute,
              "t" + std::to_string(rng() % 3), static_cast<int64_t>(rng() % 10)};
      lines += "m,tenant=" + row.tenant + " v=" + std::to_string(row.v) + "i " +
               std::to_string(row.time) + "\n";
      rows_.push_back(row);
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

  // The result as "bucket:count_if:sum" lines, buckets rendered as times.
  std::string run(const std::string& sql) {
    QueryContext context;
    auto r = run_query(*engine_, sql, context);
    if (!r) return "ERR " + r.status().to_string();
    std::string out;
    for (const auto& row : r->rows) {
      for (size_t i = 0; i < row.size(); ++i) out += (i ? ":" : "") + testing::render(row[i]);
      out += "\n";
    }
    return out;
  }

  // The same from the rows written: per bucket of `width` (0: one group) of rows in
  // [from, to), count of v > 4 and sum of v.
  std::string expected(int64_t width, int64_t from, int64_t to) const {
    std::map<int64_t, std::pair<int64_t, int64_t>> groups;
    for (const Row& row : rows_) {
      if (row.time < from || row.time >= to) continue;
      auto& [count, sum] = groups[width == 0 ? 0 : row.time - row.time % width];
      count += row.v > 4;
      sum += row.v;
    }
    std::string out;
    for (const auto& [bucket, cs] : groups) {
      if (width != 0) out += render_time(bucket) + ":";
      out += std::to_string(cs.first) + ":" + std::to_string(cs.second) + "\n";
    }
    return out;
  }

  const int64_t day0_ = utc(2025, 1, 16);
  std::filesystem::path dir_;
  std::unique_ptr<engine::Engine> engine_;
  std::vector<Row> rows_;
};

TEST_F(TimeColumnLoadingTest, AnswersAreTheSameWithAndWithoutTheTimeColumn) {
  const std::string range = "WHERE time >= '2025-01-17' AND time < '2025-01-18'";
  const std::string cut = "WHERE time >= '2025-01-16T06:30:00Z' AND time < '2025-01-17T03:00:00Z'";
  const int64_t cut_from = day0_ + 6 * kHour + 30 * kMinute, cut_to = day0_ + kDay + 3 * kHour;
  for (int pass = 0; pass < 2; ++pass) {  // from the segment files, then from the cache
    SCOPED_TRACE(pass == 0 ? "decoded" : "cached");
    // Daily buckets of daily partitions: every block lies in one bucket, no time.
    EXPECT_EQ(run("SELECT count_if(v > 4), sum(v) FROM m GROUP BY time(1d)"),
              expected(kDay, day0_, day0_ + 3 * kDay));
    // Hourly buckets: blocks span several, time decoded.
    EXPECT_EQ(run("SELECT count_if(v > 4), sum(v) FROM m GROUP BY time(1h)"),
              expected(kHour, day0_, day0_ + 3 * kDay));
    // A range covering whole blocks, then one cutting blocks.
    EXPECT_EQ(run("SELECT count_if(v > 4), sum(v) FROM m " + range),
              expected(0, day0_ + kDay, day0_ + 2 * kDay));
    EXPECT_EQ(run("SELECT count_if(v > 4), sum(v) FROM m " + cut), expected(0, cut_from, cut_to));
    // Time as an aggregate's argument and as a raw output.
    int64_t first = rows_[0].time, last = rows_[0].time, over_four = 0;
    for (const Row& row : rows_) {
      first = std::min(first, row.time);
      last = std::max(last, row.time);
      over_four += row.v > 4;
    }
    EXPECT_EQ(
        run("SELECT min(time), max(time), count_if(v > 4) FROM m"),
        render_time(first) + ":" + render_time(last) + ":" + std::to_string(over_four) + "\n");
    EXPECT_EQ(run("SELECT time FROM m ORDER BY time LIMIT 1"), render_time(first) + "\n");
  }
}

}  // namespace
}  // namespace tessera::query
