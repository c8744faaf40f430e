// End-to-end tests of run_query over hand-built blocks (MemoryEngine): every
// aggregate, NULL logic, grouping and ordering, raw rows, tenant scope, limits and
// error codes. Expected answers are worked out by hand in the comments.
#include "query/query_runner.h"
#include "query/scan_workers.h"

#include <gtest/gtest.h>

#include <cmath>

#include "tests/query/query_test_util.h"
#include "tests/support/memory_engine.h"

namespace tessera::query {
namespace {

using tessera::testing::bool_column;
using tessera::testing::float_column;
using tessera::testing::int_column;
using tessera::testing::MemoryEngine;
using tessera::testing::string_column;
using testing::kDay;
using testing::kHour;
using testing::render;
using testing::utc;

const int64_t kD0 = utc(2025, 1, 16);
const int64_t kD1 = utc(2025, 1, 17);

engine::TableSchema ads_schema() {
  engine::TableSchema s;
  s.name = "ads";
  s.columns = {{"time", engine::ColumnKind::kTime, storage::ColumnType::kInt64},
               {"tenant", engine::ColumnKind::kTag, storage::ColumnType::kString},
               {"provider", engine::ColumnKind::kTag, storage::ColumnType::kString},
               {"spend", engine::ColumnKind::kField, storage::ColumnType::kFloat64},
               {"clicks", engine::ColumnKind::kField, storage::ColumnType::kInt64},
               {"ok", engine::ColumnKind::kField, storage::ColumnType::kBool},
               {"note", engine::ColumnKind::kField, storage::ColumnType::kString}};
  return s;
}

storage::Block make_block(std::vector<int64_t> times, std::vector<std::string> names,
                          std::vector<storage::Column> columns) {
  storage::Block b;
  b.time_ns = std::move(times);
  b.column_names = std::move(names);
  b.columns = std::move(columns);
  return b;
}

// The data set (two blocks, in write order):
//   block 1: D0+1h a google 10.0  5    true
//            D0+2h a meta   20.0  NULL false
//            D0+3h b google NULL  7    NULL
//   block 2: D1+1h a NULL   5.5   1    true   (provider absent)
//            D1+1h a google 4.5   2    (no ok column in this block)
//            D0+1h b meta   1.0   3
class QueryRunnerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    engine_.put_table(ads_schema());
    engine_.add_block(
        "ads",
        make_block({kD0 + kHour, kD0 + 2 * kHour, kD0 + 3 * kHour},
                   {"tenant", "provider", "spend", "clicks", "ok"},
                   {string_column({"a", "a", "b"}), string_column({"google", "meta", "google"}),
                    float_column({10.0, 20.0, std::nullopt}), int_column({5, std::nullopt, 7}),
                    bool_column({true, false, std::nullopt})}));
    engine_.add_block("ads", make_block({kD1 + kHour, kD1 + kHour, kD0 + kHour},
                                        {"tenant", "provider", "spend", "clicks"},
                                        {string_column({"a", "a", "b"}),
                                         string_column({std::nullopt, "google", "meta"}),
                                         float_column({5.5, 4.5, 1.0}), int_column({1, 2, 3})}));
    context_.now_ns = kD1 + 12 * kHour;
  }

  std::string q(std::string_view sql) { return q(sql, context_); }
  std::string q(std::string_view sql, const QueryContext& ctx) {
    auto r = run_query(engine_, sql, ctx);
    if (!r) return "ERR " + std::string(error_code_name(r.error().code)) + " " + r.error().message;
    return render(*r);
  }
  ErrorCode code_of(std::string_view sql, const QueryContext& ctx) {
    auto r = run_query(engine_, sql, ctx);
    EXPECT_FALSE(r.is_ok()) << sql;
    return r ? ErrorCode::kInternal : r.error().code;
  }
  ErrorCode code_of(std::string_view sql) { return code_of(sql, context_); }

  MemoryEngine engine_;
  QueryContext context_;
};

TEST_F(QueryRunnerTest, CountsSumsAndAveragesWithTheirTypes) {
  // spend: 10, 20, NULL, 5.5, 4.5, 1.0; clicks: 5, NULL, 7, 1, 2, 3.
  EXPECT_EQ(
      q("SELECT count(*), count(spend), sum(spend), sum(clicks), avg(spend), avg(clicks) FROM ads"),
      "count(*)|count(spend)|sum(spend)|sum(clicks)|avg(spend)|avg(clicks)\n"
      "6|5|41.0|18|8.2|3.6");
}

TEST_F(QueryRunnerTest, MinMaxKeepTheColumnType) {
  EXPECT_EQ(
      q("SELECT min(spend), max(spend), min(clicks), max(clicks), min(provider), max(provider), "
        "min(time), max(ok) FROM ads"),
      "min(spend)|max(spend)|min(clicks)|max(clicks)|min(provider)|max(provider)|min(time)|max(ok)"
      "\n"
      "1.0|20.0|1|7|'google'|'meta'|2025-01-16T01:00:00Z|true");
}

TEST_F(QueryRunnerTest, FirstAndLastPickByTimeAndTheLaterWriteOnTies) {
  // Earliest time D0+1h: block1 row0 (10.0, clicks 5) and block2 row2 (1.0, clicks 3,
  // written later). Latest D1+1h: block2 row0 (5.5, provider NULL), row1 (4.5, google).
  EXPECT_EQ(
      q("SELECT first(spend), last(spend), first(clicks), last(provider), first(ok) FROM ads"),
      "first(spend)|last(spend)|first(clicks)|last(provider)|first(ok)\n1.0|4.5|3|'google'|true");
}

TEST_F(QueryRunnerTest, PercentilesMedianCountIfAndSla) {
  // clicks sorted 1,2,3,5,7: median 3. spend sorted 1,4.5,5.5,10,20: p95 at 3.8 -> 10+0.8*10.
  EXPECT_EQ(
      q("SELECT median(clicks), percentile(spend, 0.95), percentile(spend, 0), "
        "count_if(provider = 'google'), sla_pct(clicks, 3), count(DISTINCT provider) FROM ads"),
      "median(clicks)|percentile(spend, 0.95)|percentile(spend, 0)|count_if(provider = 'google')|"
      "sla_pct(clicks, 3)|count(DISTINCT provider)\n3.0|18.0|1.0|3|60.0|2");
  auto r = run_query(engine_, "SELECT approx_percentile(spend, 0.5) FROM ads", context_);
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  EXPECT_NEAR(std::get<double>(r->rows[0][0]), 5.5, 5.5 * 0.01);
}

TEST_F(QueryRunnerTest, FilterClauseRestrictsOneAggregate) {
  // tenant a spend: 10, 20, 5.5, 4.5 -> avg 10.
  EXPECT_EQ(q("SELECT avg(spend) FILTER (WHERE tenant = 'a') AS a, count(*) FILTER (WHERE false) "
              "AS none, "
              "sum(clicks) FILTER (WHERE provider = 'x') AS s, count(*) FROM ads"),
            "a|none|s|count(*)\n10.0|0|NULL|6");
}

TEST_F(QueryRunnerTest, AggregatesOverNoRowsGiveOneRowOfNullsAndZeroCounts) {
  EXPECT_EQ(q("SELECT count(*), sum(spend), sla_pct(clicks, 1), first(spend) FROM ads WHERE tenant "
              "= 'zzz'"),
            "count(*)|sum(spend)|sla_pct(clicks, 1)|first(spend)\n0|NULL|NULL|NULL");
  EXPECT_EQ(q("SELECT count(*) FROM ads WHERE tenant = 'zzz' GROUP BY provider"),
            "provider|count(*)");
}

TEST_F(QueryRunnerTest, ArithmeticOverAggregates) {
  // 18 / 6 is floating point; division by zero is NULL; int * int stays int.
  EXPECT_EQ(q("SELECT sum(clicks) / count(*) AS r, sum(clicks) / 0 AS z, sum(clicks) * 2 + 1 AS i, "
              "100.0 * count(spend) / count(*) AS pct, sum(spend) - sum(spend) AS zero FROM ads"),
            "r|z|i|pct|zero\n3.0|NULL|37|83.33333333333333|0.0");
}

TEST_F(QueryRunnerTest, GroupsComeOutByTagWithNullLast) {
  EXPECT_EQ(q("SELECT count(*), sum(clicks), sum(spend) FROM ads GROUP BY provider"),
            "provider|count(*)|sum(clicks)|sum(spend)\n"
            "'google'|3|14|14.5\n'meta'|2|3|21.0\nNULL|1|1|5.5");
}

TEST_F(QueryRunnerTest, NamedGroupKeysStayInSelectOrder) {
  EXPECT_EQ(q("SELECT sum(clicks) AS c, provider FROM ads GROUP BY tenant, provider"),
            "tenant|c|provider\n'a'|7|'google'\n'a'|NULL|'meta'\n'a'|1|NULL\n'b'|7|'google'\n'b'|3|"
            "'meta'");
}

TEST_F(QueryRunnerTest, TimeBucketsInUtc) {
  EXPECT_EQ(q("SELECT count(*), sum(spend) FROM ads GROUP BY time(1d)"),
            "time|count(*)|sum(spend)\n2025-01-16T00:00:00Z|4|31.0\n2025-01-17T00:00:00Z|2|10.0");
  EXPECT_EQ(q("SELECT time, count(*) FROM ads WHERE tenant = 'a' GROUP BY time(1h), provider"),
            "provider|time|count(*)\n"
            "'google'|2025-01-16T01:00:00Z|1\n'meta'|2025-01-16T02:00:00Z|1\n"
            "'google'|2025-01-17T01:00:00Z|1\nNULL|2025-01-17T01:00:00Z|1");
}

TEST_F(QueryRunnerTest, TimeBucketsInAZoneStartAtLocalMidnight) {
  // Asia/Tokyo is UTC+9 with no DST: local midnight of 2025-01-16 is 2025-01-15T15:00Z.
  // D0+1h..D0+3h are 10:00-12:00 local on the 16th; D1+1h is 10:00 local on the 17th.
  EXPECT_EQ(q("SELECT count(*) FROM ads GROUP BY time(1d, 'Asia/Tokyo')"),
            "time|count(*)\n2025-01-15T15:00:00Z|4\n2025-01-16T15:00:00Z|2");
  EXPECT_EQ(code_of("SELECT count(*) FROM ads GROUP BY time(1d, 'Mars/Olympus')"),
            ErrorCode::kInvalidInput);
}

TEST_F(QueryRunnerTest, ZonedDayBucketsFollowDaylightSavingTime) {
  // Europe/Paris moves to CEST on 2025-03-30, a 23-hour local day. 2025-03-29T23:30Z is
  // 00:30 CET on the 30th (day starts 2025-03-29T23:00Z); 2025-03-30T22:30Z is 00:30 CEST
  // on the 31st (day starts 2025-03-30T22:00Z); 2025-03-30T21:30Z is still the 30th.
  engine::TableSchema s = ads_schema();
  s.name = "dst";
  engine_.put_table(s);
  engine_.add_block("dst", make_block({utc(2025, 3, 29, 23, 30), utc(2025, 3, 30, 21, 30),
                                       utc(2025, 3, 30, 22, 30)},
                                      {"clicks"}, {int_column({1, 2, 4})}));
  EXPECT_EQ(q("SELECT sum(clicks) FROM dst GROUP BY time(1d, 'Europe/Paris')"),
            "time|sum(clicks)\n2025-03-29T23:00:00Z|3\n2025-03-30T22:00:00Z|4");
  EXPECT_EQ(q("SELECT sum(clicks) FROM dst GROUP BY time(1d)"),
            "time|sum(clicks)\n2025-03-29T00:00:00Z|1\n2025-03-30T00:00:00Z|6");
}

TEST_F(QueryRunnerTest, ManyGroupsPerBlockFallBackToTheHashPath) {
  // Row i: provider p<i % 3000>, hour i % 100. lcm(3000, 100) = 3000, so 6000 rows make
  // 3000 (provider) groups and 3000 (hour, provider) groups of two rows each.
  engine::TableSchema s = ads_schema();
  s.name = "wide";
  engine_.put_table(s);
  std::vector<int64_t> times;
  std::vector<std::optional<std::string>> providers;
  for (int i = 0; i < 6000; ++i) {
    times.push_back(kD0 + (i % 100) * kHour);
    providers.push_back(std::string("p").append(std::to_string(i % 3000)));
  }
  engine_.add_block("wide", make_block(times, {"provider"}, {string_column(providers)}));
  for (const char* sql : {"SELECT count(*) AS c FROM wide GROUP BY provider",
                          "SELECT count(*) AS c FROM wide GROUP BY time(1h), provider"}) {
    SCOPED_TRACE(sql);
    auto r = run_query(engine_, sql, context_);
    ASSERT_TRUE(r.is_ok()) << r.status().to_string();
    ASSERT_EQ(r->rows.size(), 3000u);
    for (const auto& row : r->rows) EXPECT_EQ(std::get<int64_t>(row.back()), 2);
  }
}

TEST_F(QueryRunnerTest, RawRowsWithLimitKeepOnlyTheFirstRowsInMemory) {
  // 20 blocks of 1000 rows; row j of block k has time (1000 - j) s and clicks k * 1000 + j.
  // The 3 earliest rows are j = 999 of blocks 0, 1, 2 (write order breaks the tie).
  engine::TableSchema s = ads_schema();
  s.name = "many";
  engine_.put_table(s);
  for (int k = 0; k < 20; ++k) {
    std::vector<int64_t> times;
    std::vector<std::optional<int64_t>> clicks;
    for (int j = 0; j < 1000; ++j) {
      times.push_back((1000 - j) * testing::kSecond);
      clicks.push_back(k * 1000 + j);
    }
    engine_.add_block("many", make_block(times, {"clicks"}, {int_column(clicks)}));
  }
  QueryContext small = context_;
  small.max_memory_bytes = 2 << 20;  // far below 20000 gathered rows, above 2 * 3 + 4096
  EXPECT_EQ(q("SELECT clicks FROM many LIMIT 3", small), "clicks\n999\n1999\n2999");
  EXPECT_EQ(q("SELECT clicks FROM many ORDER BY clicks DESC LIMIT 2", small),
            "clicks\n19999\n19998");
  small.max_memory_bytes = 1 << 20;
  EXPECT_EQ(code_of("SELECT clicks FROM many", small), ErrorCode::kLimitExceeded);
}

TEST_F(QueryRunnerTest, HavingFiltersGroupsByAggregatesNotSelected) {
  EXPECT_EQ(q("SELECT count(*) FROM ads GROUP BY provider HAVING sum(spend) > 14"),
            "provider|count(*)\n'google'|3\n'meta'|2");
}

TEST_F(QueryRunnerTest, OrderByAliasesExpressionsAndNullPlacement) {
  EXPECT_EQ(q("SELECT sum(spend) AS s FROM ads GROUP BY provider ORDER BY s DESC"),
            "provider|s\n'meta'|21.0\n'google'|14.5\nNULL|5.5");
  EXPECT_EQ(q("SELECT count(*) FROM ads GROUP BY provider ORDER BY sum(spend)"),
            "provider|count(*)\nNULL|1\n'google'|3\n'meta'|2");
  // PostgreSQL: NULLs first in DESC, last in ASC.
  EXPECT_EQ(q("SELECT count(*) FROM ads GROUP BY provider ORDER BY provider DESC"),
            "provider|count(*)\nNULL|1\n'meta'|2\n'google'|3");
  EXPECT_EQ(q("SELECT sum(clicks) AS c FROM ads GROUP BY tenant, provider ORDER BY c LIMIT 3"),
            "tenant|provider|c\n'a'|NULL|1\n'b'|'meta'|3\n'a'|'google'|7");
}

TEST_F(QueryRunnerTest, RawRowsComeOutByTimeThenWriteOrder) {
  EXPECT_EQ(q("SELECT time, spend FROM ads WHERE tenant = 'a'"),
            "time|spend\n2025-01-16T01:00:00Z|10.0\n2025-01-16T02:00:00Z|20.0\n"
            "2025-01-17T01:00:00Z|5.5\n2025-01-17T01:00:00Z|4.5");
  EXPECT_EQ(q("SELECT spend FROM ads ORDER BY spend DESC LIMIT 2"), "spend\nNULL\n20.0");
  EXPECT_EQ(q("SELECT clicks * 2 AS c2, provider FROM ads WHERE time < '2025-01-16T02:00:00Z'"),
            "c2|provider\n10|'google'\n6|'meta'");
}

TEST_F(QueryRunnerTest, SelectStarListsTimeThenSchemaColumns) {
  EXPECT_EQ(q("SELECT * FROM ads WHERE tenant = 'b' LIMIT 1"),
            "time|tenant|provider|spend|clicks|ok|note\n"
            "2025-01-16T01:00:00Z|'b'|'meta'|1.0|3|NULL|NULL");
}

TEST_F(QueryRunnerTest, ThreeValuedLogicInWhere) {
  // clicks NULL in one row: NOT (clicks = 5) is unknown there, so it is dropped.
  EXPECT_EQ(q("SELECT count(*) FROM ads WHERE NOT (clicks = 5)"), "count(*)\n4");
  EXPECT_EQ(q("SELECT count(*) FROM ads WHERE clicks IN (5, NULL)"), "count(*)\n1");
  EXPECT_EQ(q("SELECT count(*) FROM ads WHERE clicks NOT IN (5, NULL)"), "count(*)\n0");
  EXPECT_EQ(q("SELECT count(*) FROM ads WHERE clicks NOT IN (5, 7)"), "count(*)\n3");
  EXPECT_EQ(q("SELECT count(*) FROM ads WHERE provider IS NULL"), "count(*)\n1");
  EXPECT_EQ(q("SELECT count(*) FROM ads WHERE ok IS NOT NULL"), "count(*)\n2");
  // ok NULL OR true is true; ok NULL AND true is unknown.
  EXPECT_EQ(q("SELECT count(*) FROM ads WHERE ok OR clicks > 6"), "count(*)\n2");
  EXPECT_EQ(q("SELECT count(*) FROM ads WHERE NOT ok AND clicks > 0"), "count(*)\n0");
  EXPECT_EQ(q("SELECT count(*) FROM ads WHERE provider != 'google'"), "count(*)\n2");
  EXPECT_EQ(q("SELECT count(*) FROM ads WHERE spend > 5"), "count(*)\n3");
  EXPECT_EQ(q("SELECT count(*) FROM ads WHERE clicks >= 2.5"), "count(*)\n3");
}

TEST_F(QueryRunnerTest, TimeLiteralsAndNow) {
  EXPECT_EQ(q("SELECT count(*) FROM ads WHERE time >= '2025-01-17'"), "count(*)\n2");
  EXPECT_EQ(q("SELECT count(*) FROM ads WHERE time < '2025-01-16T02:00:00Z'"), "count(*)\n2");
  // now = D1 12:00: now() - 1d = D0 12:00.
  EXPECT_EQ(q("SELECT count(*) FROM ads WHERE time >= now() - 1d"), "count(*)\n2");
  EXPECT_EQ(q("SELECT count(*) FROM ads WHERE time > now() + 1h"), "count(*)\n0");
  EXPECT_EQ(q("SELECT count(*) FROM ads WHERE time = " + std::to_string(kD0 + kHour)),
            "count(*)\n2");
}

TEST_F(QueryRunnerTest, DedupMaskHidesReplacedRows) {
  engine::TableSchema s = ads_schema();
  s.name = "dd";
  s.options.dedup_columns = {"tenant"};
  engine_.put_table(s);
  engine_.add_block("dd",
                    make_block({1, 2, 3}, {"tenant", "clicks"},
                               {string_column({"a", "a", "a"}), int_column({1, 2, 3})}),
                    {1, 0, 1});
  engine_.add_block("dd", make_block({2, 4}, {"tenant", "clicks"},
                                     {string_column({"a", "a"}), int_column({20, 4})}));
  EXPECT_EQ(q("SELECT count(*), sum(clicks) FROM dd"), "count(*)|sum(clicks)\n4|28");
  EXPECT_EQ(q("SELECT clicks FROM dd"), "clicks\n1\n20\n3\n4");
}

TEST_F(QueryRunnerTest, ReaderSeesOnlyItsTenantWhateverTheQuerySays) {
  QueryContext reader = context_;
  reader.role = Role::kReader;
  reader.tenant = "a";
  EXPECT_EQ(q("SELECT count(*) FROM ads WHERE tenant = 'b' OR true", reader), "count(*)\n4");
  EXPECT_EQ(q("SELECT count(*) FROM ads WHERE tenant = 'b'", reader), "count(*)\n0");
  EXPECT_EQ(q("SELECT count(*) FROM ads GROUP BY tenant", reader), "tenant|count(*)\n'a'|4");
  EXPECT_EQ(q("SELECT clicks FROM ads WHERE NOT (tenant = 'a') OR tenant IS NULL", reader),
            "clicks");
  reader.tenant = "nobody";
  EXPECT_EQ(q("SELECT count(*) FROM ads", reader), "count(*)\n0");
}

// Issue 5: to a reader, a table without a tenant column is a table that does not
// exist, with the very error a missing table gets (it used to be kPermissionDenied
// "has no tenant column", which told the reader the table was there).
TEST_F(QueryRunnerTest, ReaderCannotReadTablesWithoutTenantColumn) {
  engine::TableSchema s = ads_schema();
  s.name = "global";
  s.options.tenant_column = std::nullopt;
  engine_.put_table(s);
  QueryContext reader = context_;
  reader.role = Role::kReader;
  reader.tenant = "a";
  for (const std::string statement : {"SELECT count(*) FROM global", "SELECT nope FROM global",
                                      "DESCRIBE global", "EXPLAIN SELECT * FROM global"}) {
    auto hidden = run_query(engine_, statement, reader);
    std::string missing_statement = statement;
    missing_statement.replace(missing_statement.find("global"), 6, "absent");
    auto missing = run_query(engine_, missing_statement, reader);
    ASSERT_FALSE(hidden.is_ok()) << statement;
    ASSERT_FALSE(missing.is_ok()) << missing_statement;
    EXPECT_EQ(hidden.error().code, ErrorCode::kUnknownTable) << statement;
    EXPECT_EQ(hidden.error().message, "unknown table \"global\"") << statement;
    EXPECT_EQ(missing.error().code, ErrorCode::kUnknownTable) << missing_statement;
    EXPECT_EQ(missing.error().message, "unknown table \"absent\"") << missing_statement;
  }
  EXPECT_EQ(q("SHOW TABLES", reader), "table\n'ads'");
  EXPECT_EQ(q("SHOW TABLES"), "table\n'ads'\n'global'");
}

TEST_F(QueryRunnerTest, RolesGateStatements) {
  QueryContext writer = context_;
  writer.role = Role::kWriter;
  EXPECT_EQ(code_of("SELECT count(*) FROM ads", writer), ErrorCode::kPermissionDenied);
  QueryContext service = context_;
  service.role = Role::kService;
  EXPECT_EQ(q("SELECT count(*) FROM ads", service), "count(*)\n6");
  EXPECT_EQ(code_of("CREATE TABLE t (x INT)", service), ErrorCode::kPermissionDenied);
  EXPECT_EQ(q("CREATE TABLE t (host TAG, x INT)"), "");
  EXPECT_EQ(q("CREATE TABLE t (host TAG, x INT)"), "");
  EXPECT_EQ(
      q("DESCRIBE t"),
      "column|kind|type\n'time'|'time'|'TIMESTAMP'\n'host'|'tag'|'STRING'\n'x'|'field'|'INT'");
  EXPECT_EQ(q("SELECT count(*), sum(x) FROM t"), "count(*)|sum(x)\n0|NULL");
}

TEST_F(QueryRunnerTest, ErrorCodes) {
  EXPECT_EQ(code_of("SELECT count(*) FROM nope"), ErrorCode::kUnknownTable);
  EXPECT_EQ(code_of("DESCRIBE nope"), ErrorCode::kUnknownTable);
  EXPECT_EQ(code_of("SELECT nope FROM ads"), ErrorCode::kUnknownColumn);
  EXPECT_EQ(code_of("SELECT count(*) FROM ads WHERE nope = 1"), ErrorCode::kUnknownColumn);
  EXPECT_EQ(code_of("SELECT count(*) FROM ads GROUP BY nope"), ErrorCode::kUnknownColumn);
  EXPECT_EQ(code_of("SELECT frobnicate(spend) FROM ads"), ErrorCode::kUnknownFunction);
  EXPECT_EQ(code_of("SELECT count(*) FROM ads WHERE provider = 5"), ErrorCode::kTypeMismatch);
  EXPECT_EQ(code_of("SELECT count(*) FROM ads WHERE spend = 'x'"), ErrorCode::kTypeMismatch);
  EXPECT_EQ(code_of("SELECT sum(provider) FROM ads"), ErrorCode::kTypeMismatch);
  EXPECT_EQ(code_of("SELECT count(*) FROM ads WHERE spend"), ErrorCode::kTypeMismatch);
  EXPECT_EQ(code_of("SELECT count(*) FROM ads WHERE time > 'yesterday'"), ErrorCode::kInvalidInput);
  EXPECT_EQ(code_of("SELECT percentile(spend, 1.5) FROM ads"), ErrorCode::kInvalidInput);
  EXPECT_EQ(code_of("SELECT percentile(spend, clicks) FROM ads"), ErrorCode::kInvalidInput);
  EXPECT_EQ(code_of("SELECT spend, count(*) FROM ads"), ErrorCode::kInvalidInput);
  EXPECT_EQ(code_of("SELECT spend FROM ads GROUP BY provider"), ErrorCode::kInvalidInput);
  EXPECT_EQ(code_of("SELECT sum(count(*)) FROM ads"), ErrorCode::kInvalidInput);
  EXPECT_EQ(code_of("SELECT count(*) FROM ads WHERE sum(spend) > 1"), ErrorCode::kInvalidInput);
  EXPECT_EQ(code_of("SELECT count(*) FROM ads GROUP BY spend"), ErrorCode::kInvalidInput);
  EXPECT_EQ(code_of("SELEC 1"), ErrorCode::kSyntax);
  auto r = run_query(engine_, "SELECT count(*) FROM ads WHERE provider = 5", context_);
  ASSERT_FALSE(r.is_ok());
  EXPECT_NE(r.error().message.find("at column 32"), std::string::npos) << r.error().message;
}

TEST_F(QueryRunnerTest, IntegerOverflowIsAnError) {
  engine::TableSchema s = ads_schema();
  s.name = "big";
  engine_.put_table(s);
  engine_.add_block("big", make_block({1, 2}, {"clicks"}, {int_column({INT64_MAX, 1})}));
  auto r = run_query(engine_, "SELECT sum(clicks) FROM big", context_);
  ASSERT_FALSE(r.is_ok());
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidInput);
  EXPECT_NE(r.error().message.find("integer overflow in sum(clicks)"), std::string::npos);
  EXPECT_EQ(code_of("SELECT max(clicks) + 1 FROM big"), ErrorCode::kInvalidInput);
  EXPECT_EQ(q("SELECT avg(clicks) FROM big"), "avg(clicks)\n4611686018427387904.0");
}

TEST_F(QueryRunnerTest, LimitsAreEnforced) {
  QueryContext small = context_;
  small.max_result_rows = 2;
  EXPECT_EQ(code_of("SELECT spend FROM ads", small), ErrorCode::kLimitExceeded);
  EXPECT_EQ(q("SELECT spend FROM ads LIMIT 2", small), "spend\n10.0\n1.0");
  QueryContext tight = context_;
  tight.max_memory_bytes = 16;
  EXPECT_EQ(code_of("SELECT percentile(spend, 0.5) FROM ads", tight), ErrorCode::kLimitExceeded);
  EXPECT_EQ(code_of("SELECT spend FROM ads", tight), ErrorCode::kLimitExceeded);
  QueryContext hurried = context_;
  hurried.timeout = std::chrono::milliseconds(-1);
  auto r = run_query(engine_, "SELECT count(*) FROM ads", hurried);
  ASSERT_FALSE(r.is_ok());
  EXPECT_EQ(r.error().code, ErrorCode::kLimitExceeded);
  EXPECT_NE(r.error().message.find("time limit"), std::string::npos);
}

TEST_F(QueryRunnerTest, ExplainReportsPruning) {
  // Block 1 spans D0 01:00-03:00 and is pruned (left out of the snapshot, which
  // covers only the queried time range, and still counted); block 2 holds D0 01:00
  // too, so it is scanned.
  auto r = run_query(
      engine_, "EXPLAIN SELECT count(*) FROM ads WHERE time >= '2025-01-17' GROUP BY provider",
      context_);
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  const std::string text = render(*r);
  EXPECT_NE(text.find("'blocks total: 2'"), std::string::npos) << text;
  EXPECT_NE(text.find("'blocks scanned: 1'"), std::string::npos) << text;
  EXPECT_NE(text.find("'blocks pruned: 1'"), std::string::npos) << text;
  EXPECT_NE(text.find("'rows scanned: 3'"), std::string::npos) << text;
  EXPECT_NE(text.find("'groups: 2'"), std::string::npos) << text;
  EXPECT_NE(text.find("'blocks from statistics: 0'"), std::string::npos) << text;
  // Tag equality prunes by min/max: only block 1 holds tenant 'b'... both do; 'c' none.
  r = run_query(engine_, "EXPLAIN SELECT spend FROM ads WHERE tenant = 'c'", context_);
  ASSERT_TRUE(r.is_ok());
  EXPECT_NE(render(*r).find("'blocks pruned: 2'"), std::string::npos) << render(*r);
  // Block 2 lies inside D1 and holds tenant 'a' and 'b': it is read; block 1 ends at
  // D0 03:00 and is one day bucket with no filter: answered from its statistics.
  r = run_query(engine_, "EXPLAIN SELECT count(*), sum(clicks) FROM ads GROUP BY time(1d)",
                context_);
  ASSERT_TRUE(r.is_ok());
  EXPECT_NE(render(*r).find("'blocks from statistics: 1'"), std::string::npos) << render(*r);
  EXPECT_NE(render(*r).find("'blocks scanned: 1'"), std::string::npos) << render(*r);
}

TEST_F(QueryRunnerTest, ExplainReportsTheScanRanges) {
  // Both blocks are scanned (a FILTER keeps them from their statistics): alone, the
  // calling thread reads them as one range; with scan workers and ranges of at
  // least one row, each block is a range of its own, and the answer is the same.
  const std::string sql =
      "SELECT provider, count(*) FILTER (WHERE clicks > 0) FROM ads GROUP BY provider";
  const std::string alone = q(sql);
  auto r = run_query(engine_, "EXPLAIN " + sql, context_);
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  EXPECT_NE(render(*r).find("'scan ranges: 1'"), std::string::npos) << render(*r);
  ScanWorkers workers(1);
  QueryContext in_ranges = context_;
  in_ranges.scan_workers = &workers;
  in_ranges.min_rows_per_scan_range = 1;
  r = run_query(engine_, "EXPLAIN " + sql, in_ranges);
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  EXPECT_NE(render(*r).find("'scan ranges: 2'"), std::string::npos) << render(*r);
  EXPECT_NE(render(*r).find("'scan priority: normal'"), std::string::npos) << render(*r);
  EXPECT_EQ(q(sql, in_ranges), alone);
}

TEST_F(QueryRunnerTest, ExplainReportsABackgroundScan) {
  // Two scanned blocks of three rows each: a scan of 6 rows is big enough for the
  // background workers when background_scan_rows is 6, and not when it is 7.
  const std::string sql =
      "SELECT provider, count(*) FILTER (WHERE clicks > 0) FROM ads GROUP BY provider";
  const std::string alone = q(sql);
  ScanWorkers background(2, 1);
  QueryContext big = context_;
  big.background_workers = &background;
  big.min_rows_per_scan_range = 1;
  big.background_scan_rows = 7;
  auto r = run_query(engine_, "EXPLAIN " + sql, big);
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  EXPECT_NE(render(*r).find("'scan priority: normal'"), std::string::npos) << render(*r);
  EXPECT_NE(render(*r).find("'scan ranges: 1'"), std::string::npos) << render(*r);
  big.background_scan_rows = 6;
  r = run_query(engine_, "EXPLAIN " + sql, big);
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  EXPECT_NE(render(*r).find("'scan priority: background'"), std::string::npos) << render(*r);
  EXPECT_NE(render(*r).find("'scan ranges: 2'"), std::string::npos) << render(*r);
  EXPECT_EQ(q(sql, big), alone);
}

}  // namespace
}  // namespace tessera::query
