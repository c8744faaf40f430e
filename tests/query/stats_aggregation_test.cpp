// Aggregation from block statistics: blocks that match a query as a whole are
// folded from their statistics, and the answers equal sums computed here by hand;
// blocks the statistics cannot answer (masks, NaN, overflowing sums, partial
// matches, FILTER, percentiles) are scanned instead.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "query/binder.h"
#include "query/parser.h"
#include "query/scan_workers.h"
#include "query/select_executor.h"
#include "tests/query/query_test_util.h"
#include "tests/support/memory_engine.h"

namespace tessera::query {
namespace {

using tessera::testing::float_column;
using tessera::testing::int_column;
using tessera::testing::string_column;
using testing::kDay;
using testing::kHour;
using testing::render;
using testing::utc;

const int64_t kDay0 = utc(2025, 1, 16);

engine::TableSchema table_schema() {
  engine::TableSchema schema;
  schema.name = "t";
  schema.columns = {{"time", engine::ColumnKind::kTime, storage::ColumnType::kInt64},
                    {"tenant", engine::ColumnKind::kTag, storage::ColumnType::kString},
                    {"entity", engine::ColumnKind::kTag, storage::ColumnType::kString},
                    {"spend", engine::ColumnKind::kField, storage::ColumnType::kFloat64},
                    {"clicks", engine::ColumnKind::kField, storage::ColumnType::kInt64}};
  return schema;
}

// One block of `hours` rows at day `day` hour 0.. of `tenant`/`entity`; spend
// = base + hour, clicks = hour.
storage::Block block_of(int day, const std::string& tenant, const std::string& entity, double base,
                        int hours) {
  storage::Block block;
  std::vector<std::optional<std::string>> tenants, entities;
  std::vector<std::optional<double>> spend;
  std::vector<std::optional<int64_t>> clicks;
  for (int h = 0; h < hours; ++h) {
    block.time_ns.push_back(kDay0 + day * kDay + h * kHour);
    tenants.push_back(tenant);
    entities.push_back(entity);
    spend.push_back(base + h);
    clicks.push_back(h);
  }
  block.column_names = {"tenant", "entity", "spend", "clicks"};
  block.columns = {string_column(tenants), string_column(entities), float_column(spend),
                   int_column(clicks)};
  return block;
}

struct QueryRun {
  ResultSet result;
  ScanStats stats;
};

// Parses, binds and executes `sql` over `engine`'s table t as `tenant` (none:
// every row); the executor's result, errors included.
Result<ResultSet> try_run(const engine::Engine& engine, const std::string& sql, ScanStats* stats,
                          std::optional<std::string> tenant = std::nullopt) {
  TESSERA_ASSIGN_OR_RETURN(Statement statement, parse_statement(sql));
  QueryContext context;
  context.now_ns = kDay0 + 10 * kDay;
  TESSERA_ASSIGN_OR_RETURN(
      BoundSelect plan, bind_select(std::get<SelectStmt>(statement), *engine.schema("t"), context));
  TESSERA_ASSIGN_OR_RETURN(engine::TableSnapshot snapshot, engine.snapshot("t"));
  return execute_select(plan, snapshot, tenant, context, stats);
}

QueryRun run(const engine::Engine& engine, const std::string& sql,
             std::optional<std::string> tenant = std::nullopt) {
  QueryRun out;
  Result<ResultSet> result = try_run(engine, sql, &out.stats, std::move(tenant));
  EXPECT_TRUE(result.is_ok()) << result.error().message;
  if (result.is_ok()) out.result = std::move(result.value());
  return out;
}

std::string rows_of(const ResultSet& result) {
  std::string out;
  for (const auto& row : result.rows) {
    for (size_t i = 0; i < row.size(); ++i) out += (i ? "|" : "") + render(row[i]);
    out += "\n";
  }
  return out;
}

// Four clustered blocks: tenants a and b on days 0 and 1, 24 hourly rows each.
// Hand sums: spend over 24 rows = 24 * base + 276; clicks = 276.
std::vector<storage::Block> clustered_blocks() {
  return {block_of(0, "a", "e1", 1.0, 24), block_of(0, "b", "e2", 10.0, 24),
          block_of(1, "a", "e1", 2.0, 24), block_of(1, "b", "e3", 20.0, 24)};
}

void fill_clustered(tessera::testing::MemoryEngine& engine) {
  engine.put_table(table_schema());
  for (storage::Block& block : clustered_blocks()) engine.add_block("t", std::move(block));
}

TEST(StatsAggregationTest, AnswersWholeBlocksFromStatisticsPerDay) {
  tessera::testing::MemoryEngine engine;
  fill_clustered(engine);
  QueryRun r = run(engine, "SELECT sum(spend), sum(clicks), count(*) FROM t GROUP BY time(1d)");
  EXPECT_EQ(r.stats.blocks_from_stats, 4u);
  EXPECT_EQ(r.stats.blocks_scanned, 0u);
  // Day 0: (24 + 276) + (240 + 276) = 816; day 1: (48 + 276) + (480 + 276) = 1080.
  EXPECT_EQ(rows_of(r.result),
            "2025-01-16T00:00:00Z|816.0|552|48\n"
            "2025-01-17T00:00:00Z|1080.0|552|48\n");
}

TEST(StatsAggregationTest, AnswersATenantScopeAndTimeRangeFromStatistics) {
  tessera::testing::MemoryEngine engine;
  fill_clustered(engine);
  const std::string sql =
      "SELECT avg(spend), min(clicks), max(spend), min(entity), count(clicks) FROM t "
      "WHERE time >= '2025-01-16' AND time < '2025-01-18' GROUP BY time(1d)";
  QueryRun r = run(engine, sql, std::string("a"));
  EXPECT_EQ(r.stats.blocks_from_stats, 2u);
  EXPECT_EQ(r.stats.blocks_pruned, 2u);
  // avg day 0 = (24 + 276) / 24 = 12.5, max 24.0; day 1 avg 13.5, max 25.0.
  EXPECT_EQ(rows_of(r.result),
            "2025-01-16T00:00:00Z|12.5|0|24.0|'e1'|24\n"
            "2025-01-17T00:00:00Z|13.5|0|25.0|'e1'|24\n");
}

TEST(StatsAggregationTest, GroupsByATagConstantWithinEachBlock) {
  tessera::testing::MemoryEngine engine;
  fill_clustered(engine);
  QueryRun r = run(engine, "SELECT entity, sum(clicks) FROM t WHERE tenant = 'b' GROUP BY entity");
  EXPECT_EQ(r.stats.blocks_from_stats, 2u);
  EXPECT_EQ(rows_of(r.result), "'e2'|276\n'e3'|276\n");
}

TEST(StatsAggregationTest, ScansBlocksThatMatchOnlyInPart) {
  tessera::testing::MemoryEngine engine;
  fill_clustered(engine);
  // The range cuts every remaining block at hour 12: rows 0..11 of each kept.
  QueryRun r = run(engine,
                   "SELECT sum(clicks) FROM t WHERE time >= '2025-01-16' AND "
                   "time < '2025-01-16T12:00:00Z'");
  EXPECT_EQ(r.stats.blocks_from_stats, 0u);
  EXPECT_EQ(r.stats.blocks_scanned, 2u);
  EXPECT_EQ(rows_of(r.result), "132\n");  // 2 * (0 + ... + 11)

  // Buckets of 1h split each block across 24 groups: scanned.
  QueryRun hourly = run(engine, "SELECT count(*) FROM t GROUP BY time(1h)");
  EXPECT_EQ(hourly.stats.blocks_from_stats, 0u);
  // A condition the statistics cannot decide for a whole block: scanned.
  QueryRun cond = run(engine, "SELECT count(*) FROM t WHERE clicks > 5");
  EXPECT_EQ(cond.stats.blocks_from_stats, 0u);
  EXPECT_EQ(rows_of(cond.result), "72\n");  // 4 blocks * 18 rows
}

TEST(StatsAggregationTest, ScansForAggregatesStatisticsCannotAnswer) {
  tessera::testing::MemoryEngine engine;
  fill_clustered(engine);
  for (const char* sql :
       {"SELECT median(spend) FROM t", "SELECT first(spend) FROM t",
        "SELECT count(*) FILTER (WHERE clicks > 3) FROM t", "SELECT count(DISTINCT entity) FROM t",
        "SELECT sum(clicks * 2) FROM t"}) {
    SCOPED_TRACE(sql);
    QueryRun r = run(engine, sql);
    EXPECT_EQ(r.stats.blocks_from_stats, 0u);
    EXPECT_EQ(r.stats.blocks_scanned, 4u);
  }
}

// A block with a dedup mask folds from the statistics of its live rows, which the
// first query computes and keeps on the mask for the next ones.
TEST(StatsAggregationTest, FoldsMaskedBlocksFromTheirLiveRowsStatistics) {
  tessera::testing::MemoryEngine engine;
  engine.put_table(table_schema());
  std::vector<uint8_t> mask(24, 1);
  mask[5] = 0;   // a later write replaced row 5 (clicks 5, spend 6.0)
  mask[23] = 0;  // and row 23 (clicks 23, spend 24.0), the block's largest
  engine.add_block("t", block_of(0, "a", "e1", 1.0, 24), mask);
  engine.add_block("t", block_of(1, "a", "e1", 1.0, 3));

  // By hand over the live rows: clicks 276 - 5 - 23 = 248 over 22 rows; spend
  // 24 * 1.0 + 276 - 6 - 24 = 270, from 1.0 up to 23.0. Day 1: clicks 0+1+2, spend
  // 1+2+3.
  const std::string sql =
      "SELECT sum(clicks), count(*), count(spend), sum(spend), min(spend), max(spend), "
      "avg(clicks) FROM t GROUP BY time(1d)";
  const std::string expected =
      "2025-01-16T00:00:00Z|248|22|22|270.0|1.0|23.0|11.272727272727273\n"
      "2025-01-17T00:00:00Z|3|3|3|6.0|1.0|3.0|1.0\n";
  for (int pass = 0; pass < 2; ++pass) {
    SCOPED_TRACE("pass " + std::to_string(pass));
    QueryRun r = run(engine, sql);
    EXPECT_EQ(r.stats.blocks_from_stats, 2u);
    EXPECT_EQ(r.stats.blocks_scanned, 0u);
    EXPECT_EQ(rows_of(r.result), expected);
  }
  Result<engine::TableSnapshot> snapshot = engine.snapshot("t");
  ASSERT_TRUE(snapshot.is_ok());
  const engine::LiveRows& kept = snapshot->blocks[0].live_rows;
  ASSERT_NE(kept, nullptr);
  ASSERT_NE(kept->find_stats("clicks"), nullptr);
  EXPECT_EQ(kept->find_stats("clicks")->sum_int, 248);
  ASSERT_NE(kept->find_stats("spend"), nullptr);
  EXPECT_EQ(kept->find_stats("spend")->max_float, 23.0);

  // Rows that do not all pass keep the block scanned, mask applied.
  QueryRun part = run(engine, "SELECT sum(clicks), count(*) FROM t WHERE clicks > 3");
  EXPECT_EQ(part.stats.blocks_from_stats, 0u);
  EXPECT_EQ(rows_of(part.result), "242|18\n");  // 4..22 without 5
}

TEST(StatsAggregationTest, AMaskedBlockWhoseLiveStatisticsAreKeptCostsAFold) {
  // 200 rows, one replaced: until a query keeps its live rows' statistics the block
  // costs its rows (computing them reads the rows), a background scan past 100 rows;
  // afterwards a fold, as a block without a mask does.
  tessera::testing::MemoryEngine engine;
  engine.put_table(table_schema());
  std::vector<uint8_t> mask(200, 1);
  mask[7] = 0;
  engine.add_block("t", block_of(0, "a", "e1", 1.0, 200), mask);
  ScanWorkers background(1, 1);
  auto run_in_background_past_100_rows = [&] {
    Result<Statement> statement = parse_statement("SELECT sum(spend) FROM t");
    EXPECT_TRUE(statement.is_ok());
    QueryContext context;
    context.background_workers = &background;
    context.background_scan_rows = 100;
    Result<BoundSelect> plan =
        bind_select(std::get<SelectStmt>(*statement), *engine.schema("t"), context);
    EXPECT_TRUE(plan.is_ok());
    Result<engine::TableSnapshot> snapshot = engine.snapshot("t");
    EXPECT_TRUE(snapshot.is_ok());
    ScanStats stats;
    Result<ResultSet> result = execute_select(*plan, *snapshot, std::nullopt, context, &stats);
    EXPECT_TRUE(result.is_ok());
    // 200 * 1.0 + (0 + ... + 199) - (1.0 + 7) = 20092.
    if (result.is_ok()) {
      EXPECT_EQ(rows_of(*result), "20092.0\n");
    }
    EXPECT_EQ(stats.blocks_from_stats, 1u);
    return stats.in_background;
  };
  EXPECT_TRUE(run_in_background_past_100_rows());
  EXPECT_FALSE(run_in_background_past_100_rows());
}

TEST(StatsAggregationTest, ScansBlocksWithNaN) {
  tessera::testing::MemoryEngine engine;
  engine.put_table(table_schema());
  storage::Block with_nan = block_of(1, "a", "e1", 1.0, 3);
  with_nan.columns[2].floats[1] = std::nan("");
  engine.add_block("t", std::move(with_nan));

  // PostgreSQL orders NaN above every number, so max is NaN; statistics skip NaN.
  QueryRun max = run(engine, "SELECT max(spend) FROM t WHERE time >= '2025-01-17'");
  EXPECT_EQ(max.stats.blocks_from_stats, 0u);
  EXPECT_EQ(rows_of(max.result), "nan\n");
}

// The whole block's integer sum fits in int64 (max, -max, max), its live rows' does
// not (max, max): the block is scanned, which reports the overflow as PostgreSQL does.
TEST(StatsAggregationTest, ScansAMaskedBlockWhoseLiveRowsOverflowASum) {
  tessera::testing::MemoryEngine engine;
  engine.put_table(table_schema());
  storage::Block block = block_of(0, "a", "e1", 1.0, 3);
  block.columns[3].ints = {std::numeric_limits<int64_t>::max(),
                           -std::numeric_limits<int64_t>::max(),
                           std::numeric_limits<int64_t>::max()};
  engine.add_block("t", std::move(block), {1, 0, 1});
  ScanStats stats;
  Result<ResultSet> result = try_run(engine, "SELECT sum(clicks) FROM t", &stats);
  ASSERT_FALSE(result.is_ok());
  EXPECT_NE(result.error().message.find("integer overflow in sum(clicks)"), std::string::npos);
  EXPECT_EQ(stats.blocks_scanned, 1u);
  EXPECT_EQ(stats.blocks_from_stats, 0u);
}

TEST(StatsAggregationTest, ReportsIntegerOverflowLikeTheScan) {
  tessera::testing::MemoryEngine engine;
  engine.put_table(table_schema());
  for (int day = 0; day < 2; ++day) {
    storage::Block block = block_of(day, "a", "e1", 1.0, 1);
    block.columns[3].ints[0] = std::numeric_limits<int64_t>::max();
    engine.add_block("t", std::move(block));
  }
  ScanStats stats;
  Result<ResultSet> result = try_run(engine, "SELECT sum(clicks) FROM t", &stats);
  ASSERT_FALSE(result.is_ok());
  EXPECT_EQ(result.error().code, ErrorCode::kInvalidInput);
  EXPECT_NE(result.error().message.find("integer overflow in sum(clicks)"), std::string::npos);
  EXPECT_EQ(stats.blocks_scanned, 0u);  // both blocks went through their statistics
}

// fill_clustered's blocks with the statistics a segment footer holds: quantile
// sketches of the float columns included.
void fill_clustered_with_sketches(tessera::testing::MemoryEngine& engine) {
  engine.put_table(table_schema());
  for (storage::Block& block : clustered_blocks()) {
    storage::BlockStats stats = storage::compute_stats(block);
    storage::add_quantile_sketches(block, &stats);
    engine.add_block_with_stats("t", std::move(block), std::move(stats));
  }
}

double as_double(const Value& value) { return std::get<double>(value); }

TEST(StatsAggregationTest, MergesQuantileSketchesOfWholeBlocks) {
  const std::string sql =
      "SELECT approx_percentile(spend, 0.5), approx_percentile(spend, 0.95) FROM t "
      "GROUP BY time(1d)";
  tessera::testing::MemoryEngine sketched;
  fill_clustered_with_sketches(sketched);
  QueryRun merged = run(sketched, sql);
  EXPECT_EQ(merged.stats.blocks_from_stats, 4u);
  EXPECT_EQ(merged.stats.blocks_scanned, 0u);

  // The same rows without footer sketches are scanned; the sketch of a multiset does
  // not depend on how it was split, so the answers are equal.
  tessera::testing::MemoryEngine plain;
  fill_clustered(plain);
  QueryRun scanned = run(plain, sql);
  EXPECT_EQ(scanned.stats.blocks_scanned, 4u);
  EXPECT_EQ(rows_of(merged.result), rows_of(scanned.result));

  // Nearest-rank values by hand. Day 0: spend 1..24 and 10..33, the 24th and 46th
  // smallest of 48 are 17 and 31; day 1: 2..25 and 20..43 give 22 and 41.
  ASSERT_EQ(merged.result.rows.size(), 2u);
  const double expected[2][2] = {{17, 31}, {22, 41}};
  for (size_t day = 0; day < 2; ++day) {
    for (size_t p = 0; p < 2; ++p) {
      const double got = as_double(merged.result.rows[day][p + 1]);
      EXPECT_NEAR(got, expected[day][p], 0.01 * expected[day][p]) << "day " << day << " p " << p;
    }
  }
}

TEST(StatsAggregationTest, ScansApproxPercentileWithoutAFloatSketch) {
  tessera::testing::MemoryEngine engine;
  fill_clustered_with_sketches(engine);
  // clicks is an integer column: footers keep no sketch of it.
  QueryRun ints = run(engine, "SELECT approx_percentile(clicks, 0.5) FROM t");
  EXPECT_EQ(ints.stats.blocks_from_stats, 0u);
  EXPECT_EQ(ints.stats.blocks_scanned, 4u);
  // FILTER makes the rows that count a subset of the block: scanned.
  QueryRun filtered =
      run(engine, "SELECT approx_percentile(spend, 0.5) FILTER (WHERE clicks > 3) FROM t");
  EXPECT_EQ(filtered.stats.blocks_from_stats, 0u);
}

TEST(StatsAggregationTest, ReportsADamagedSketchAsCorruption) {
  tessera::testing::MemoryEngine engine;
  engine.put_table(table_schema());
  storage::Block block = block_of(0, "a", "e1", 1.0, 24);
  storage::BlockStats stats = storage::compute_stats(block);
  storage::add_quantile_sketches(block, &stats);
  std::string& sketch = stats.columns[2].quantile_sketch;  // spend
  ASSERT_GT(sketch.size(), 4u);
  sketch.resize(sketch.size() - 3);
  engine.add_block_with_stats("t", std::move(block), std::move(stats));

  ScanStats scan;
  Result<ResultSet> result = try_run(engine, "SELECT approx_percentile(spend, 0.9) FROM t", &scan);
  ASSERT_FALSE(result.is_ok());
  EXPECT_EQ(result.error().code, ErrorCode::kCorruption);
  EXPECT_NE(result.error().message.find("block statistics for approx_percentile(spend, 0.9)"),
            std::string::npos)
      << result.error().message;
}

}  // namespace
}  // namespace tessera::query
