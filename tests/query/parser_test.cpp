#include "query/parser.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "tests/query/ast_sexpr.h"

namespace tessera::query {
namespace {

using testing::parse_to_sexpr;

// Hand-computed durations.
constexpr int64_t kDayNs = 86'400'000'000'000;

SelectStmt parse_select(std::string_view text) {
  Result<Statement> statement = parse_statement(text);
  EXPECT_TRUE(statement.is_ok()) << statement.status().to_string();
  if (!statement.is_ok() || !std::holds_alternative<SelectStmt>(*statement)) return {};
  return std::move(std::get<SelectStmt>(*statement));
}

// ---- statement forms -----------------------------------------------------------------

TEST(ParserTest, ParsesEveryStatementForm) {
  EXPECT_EQ(parse_to_sexpr("SELECT * FROM t"), "(select (items *) (from t))");
  EXPECT_EQ(parse_to_sexpr("EXPLAIN SELECT a FROM t"), "(explain (select (items a) (from t)))");
  EXPECT_EQ(parse_to_sexpr("SHOW TABLES"), "(show-tables)");
  EXPECT_EQ(parse_to_sexpr("DESCRIBE ad_snapshot"), "(describe ad_snapshot)");
  EXPECT_EQ(parse_to_sexpr("CREATE TABLE t"),
            "(create t (columns time:time:int64) (tenant tenant) (partition 86400000000000))");
}

TEST(ParserTest, AcceptsKeywordsInAnyCaseAndATrailingSemicolon) {
  EXPECT_EQ(parse_to_sexpr("  show tables ;  "), "(show-tables)");
  EXPECT_EQ(
      parse_to_sexpr("explain Select SUM(x) From t Group By TIME(1h) Order By 1 Desc Limit 3;"),
      "(explain (select (items (sum x)) (from t) (group-by (time 3600000000000)) "
      "(order-by (desc 1)) (limit 3)))");
  EXPECT_EQ(parse_to_sexpr("describe \"My Table\""), "(describe My Table)");
}

TEST(ParserTest, KeepsIdentifiersCaseSensitiveAndUnquotesThem) {
  EXPECT_EQ(parse_to_sexpr("SELECT Spend, \"from\", \"a \"\"b\"\"\" FROM \"Ad-Snapshot\""),
            "(select (items Spend from a \"b\") (from Ad-Snapshot))");
}

// ---- the SPEC and dashboard queries ------------------------------------------------

TEST(ParserTest, ParsesDashboardRoasOverTime) {
  EXPECT_EQ(parse_to_sexpr("SELECT sum(revenue) / sum(spend) AS roas FROM ad_snapshot WHERE "
                           "tenant = 'ws_0000' AND time >= '2025-01-16' AND time < '2025-02-15' "
                           "GROUP BY time(1d)"),
            "(select (items (as roas (/ (sum revenue) (sum spend)))) (from ad_snapshot) "
            "(where (and (and (= tenant 'ws_0000') (>= time '2025-01-16')) "
            "(< time '2025-02-15'))) (group-by (time 86400000000000)))");
}

TEST(ParserTest, ParsesDashboardTopEntities) {
  EXPECT_EQ(parse_to_sexpr("SELECT entity_id, sum(revenue) / sum(spend) AS roas FROM ad_snapshot "
                           "WHERE time >= '2025-02-08' AND time < '2025-02-15' GROUP BY entity_id "
                           "HAVING sum(spend) >= 100 ORDER BY roas DESC, entity_id LIMIT 10"),
            "(select (items entity_id (as roas (/ (sum revenue) (sum spend)))) "
            "(from ad_snapshot) (where (and (>= time '2025-02-08') (< time '2025-02-15'))) "
            "(group-by entity_id) (having (>= (sum spend) 100)) "
            "(order-by (desc roas) (asc entity_id)) (limit 10))");
}

TEST(ParserTest, ParsesDashboardTryOnSuccessRate) {
  EXPECT_EQ(
      parse_to_sexpr("SELECT count(*) AS total_jobs, 100.0 * count_if(status = 'completed') / "
                     "count_if(status IN ('completed', 'failed', 'provider_expired')) AS "
                     "success_rate_pct, percentile(lifecycle_seconds, 0.95) AS p95_lifecycle FROM "
                     "tryon_job GROUP BY tenant"),
      "(select (items (as total_jobs (count *)) (as success_rate_pct (/ (* 100.0 "
      "(count_if (= status 'completed'))) (count_if (in status 'completed' 'failed' "
      "'provider_expired')))) (as p95_lifecycle (percentile lifecycle_seconds 0.95))) "
      "(from tryon_job) (group-by tenant))");
}

TEST(ParserTest, ParsesDashboardFilteredAverage) {
  const std::string text =
      "SELECT avg(lifecycle_seconds) FILTER (WHERE status = 'completed') FROM tryon_job WHERE "
      "time >= now() - 30d";
  EXPECT_EQ(parse_to_sexpr(text),
            "(select (items (avg lifecycle_seconds :filter (= status 'completed'))) "
            "(from tryon_job) (where (>= time (- (now) (ivl 30d 2592000000000000)))))");
  const SelectStmt select = parse_select(text);
  ASSERT_EQ(select.items.size(), 1u);
  EXPECT_EQ(select.items[0].output_name,
            "avg(lifecycle_seconds) FILTER (WHERE status = 'completed')");
}

TEST(ParserTest, ParsesDashboardZonedBuckets) {
  EXPECT_EQ(parse_to_sexpr("SELECT median(x) FROM t GROUP BY time(1d, 'Europe/Paris'), shop"),
            "(select (items (median x)) (from t) "
            "(group-by (time 86400000000000 'Europe/Paris') shop))");
  const SelectStmt select =
      parse_select("SELECT median(x) FROM t GROUP BY time(1d, 'Europe/Paris'), shop");
  ASSERT_TRUE(select.group_by.time.has_value());
  EXPECT_EQ(select.group_by.time->interval_ns, kDayNs);
  EXPECT_EQ(select.group_by.time->interval_text, "1d");
  EXPECT_EQ(select.group_by.time->column, 34);
  EXPECT_EQ(select.group_by.tag_columns, std::vector<int>{60});
}

TEST(ParserTest, ParsesDashboardCreateTable) {
  EXPECT_EQ(parse_to_sexpr("CREATE TABLE ad_snapshot (tenant TAG, entity_id TAG, spend FLOAT, "
                           "impressions INT) WITH (dedup = (tenant, entity_id, time), retention = "
                           "400d)"),
            "(create ad_snapshot (columns time:time:int64 tenant:tag:string "
            "entity_id:tag:string spend:field:float64 impressions:field:int64) (tenant tenant) "
            "(dedup tenant entity_id) (partition 86400000000000) "
            "(retention 34560000000000000))");
}

TEST(ParserTest, ParsesSpecExamples) {
  EXPECT_EQ(parse_to_sexpr("SELECT sum(revenue) / sum(spend) AS roas FROM ad_snapshot\n"
                           "  WHERE tenant = 'ws_0007' AND time >= now() - 30d GROUP BY time(1d)"),
            "(select (items (as roas (/ (sum revenue) (sum spend)))) (from ad_snapshot) "
            "(where (and (= tenant 'ws_0007') (>= time (- (now) (ivl 30d 2592000000000000))))) "
            "(group-by (time 86400000000000)))");
  EXPECT_EQ(parse_to_sexpr(
                "SELECT provider, sum(clicks) / sum(impressions) * 100 AS ctr_pct,\n"
                "       sum(spend) / sum(clicks) AS cpc, sum(spend) / sum(impressions) * 1000 AS "
                "cpm\n  FROM ad_snapshot WHERE tenant = 'ws_0007' AND time >= now() - 7d GROUP "
                "BY provider"),
            "(select (items provider (as ctr_pct (* (/ (sum clicks) (sum impressions)) 100)) "
            "(as cpc (/ (sum spend) (sum clicks))) (as cpm (* (/ (sum spend) (sum impressions)) "
            "1000))) (from ad_snapshot) (where (and (= tenant 'ws_0007') (>= time (- (now) "
            "(ivl 7d 604800000000000))))) (group-by provider))");
  EXPECT_EQ(
      parse_to_sexpr("SELECT median(first_response_minutes), percentile(first_response_minutes, "
                     "0.95),\n       sla_pct(first_response_minutes, 120)\n  FROM cx_conversation "
                     "WHERE tenant = 'shop-042.myshopify.com' GROUP BY time(1d)"),
      "(select (items (median first_response_minutes) (percentile first_response_minutes "
      "0.95) (sla_pct first_response_minutes 120)) (from cx_conversation) (where (= tenant "
      "'shop-042.myshopify.com')) (group-by (time 86400000000000)))");
  EXPECT_EQ(parse_to_sexpr("SELECT count(*) AS total_jobs,\n"
                           "       100.0 * count_if(status = 'completed')\n"
                           "             / count_if(status IN ('completed', 'failed', "
                           "'provider_expired')) AS success_rate_pct,\n"
                           "       percentile(lifecycle_seconds, 0.95) AS p95_lifecycle\n"
                           "  FROM tryon_job GROUP BY tenant"),
            "(select (items (as total_jobs (count *)) (as success_rate_pct (/ (* 100.0 "
            "(count_if (= status 'completed'))) (count_if (in status 'completed' 'failed' "
            "'provider_expired')))) (as p95_lifecycle (percentile lifecycle_seconds 0.95))) "
            "(from tryon_job) (group-by tenant))");
  EXPECT_EQ(parse_to_sexpr(
                "SELECT time, spend FROM ad_snapshot WHERE entity_id = 'ent_000123' LIMIT 100"),
            "(select (items time spend) (from ad_snapshot) (where (= entity_id 'ent_000123')) "
            "(limit 100))");
  EXPECT_EQ(parse_to_sexpr("SELECT count(DISTINCT entity_id), first(spend), last(spend), "
                           "approx_percentile(x, 0.5) FROM t WHERE a IS NOT NULL AND b IS NULL"),
            "(select (items (count distinct entity_id) (first spend) (last spend) "
            "(approx_percentile x 0.5)) (from t) (where (and (is-not-null a) (is-null b))))");
  EXPECT_EQ(parse_to_sexpr("SELECT count(*) FROM t WHERE time >= '2026-01-02T00:00:00Z'"),
            "(select (items (count *)) (from t) (where (>= time '2026-01-02T00:00:00Z')))");
}

TEST(ParserTest, ParsesTheWorkedExampleOfTheDocs) {
  const std::string text =
      "SELECT entity_id, sum(revenue) / sum(spend) AS roas FROM ad_snapshot WHERE time >= now() "
      "- 7d GROUP BY entity_id HAVING sum(spend) >= 100 ORDER BY roas DESC LIMIT 10";
  EXPECT_EQ(parse_to_sexpr(text),
            "(select (items entity_id (as roas (/ (sum revenue) (sum spend)))) "
            "(from ad_snapshot) (where (>= time (- (now) (ivl 7d 604800000000000)))) "
            "(group-by entity_id) (having (>= (sum spend) 100)) (order-by (desc roas)) "
            "(limit 10))");
  const SelectStmt select = parse_select(text);
  ASSERT_EQ(select.items.size(), 2u);
  EXPECT_EQ(select.items[0].output_name, "entity_id");
  EXPECT_EQ(select.items[1].output_name, "roas");
  EXPECT_EQ(select.items[1].expr->text, "sum(revenue) / sum(spend)");
  EXPECT_EQ(select.items[1].expr->column, 19);
}

// ---- text, columns and output names -----------------------------------------------

TEST(ParserTest, RecordsSourceTextAndColumnOfEachExpression) {
  const std::string text =
      "SELECT  sum(revenue)  /  sum(spend) , (a + b) * c AS x FROM ad_snapshot WHERE "
      "NOT tenant = 'ws' ORDER BY x";
  const SelectStmt select = parse_select(text);
  ASSERT_EQ(select.items.size(), 2u);
  const Expr& ratio = *select.items[0].expr;
  EXPECT_EQ(ratio.text, "sum(revenue)  /  sum(spend)");
  EXPECT_EQ(ratio.column, 9);
  EXPECT_EQ(select.items[0].output_name, "sum(revenue)  /  sum(spend)");
  const auto& division = std::get<BinaryExpr>(ratio.node);
  EXPECT_EQ(division.right->text, "sum(spend)");
  EXPECT_EQ(division.right->column, 26);
  EXPECT_EQ(std::get<CallExpr>(division.right->node).args[0]->column, 30);

  const Expr& product = *select.items[1].expr;
  EXPECT_EQ(product.text, "(a + b) * c");
  EXPECT_EQ(std::get<BinaryExpr>(product.node).left->text, "(a + b)");
  EXPECT_EQ(std::get<BinaryExpr>(product.node).left->column, 39);
  EXPECT_EQ(select.items[1].output_name, "x");
  EXPECT_EQ(select.items[1].alias, std::optional<std::string>("x"));

  EXPECT_EQ(select.table, "ad_snapshot");
  EXPECT_EQ(select.table_column, 61);
  EXPECT_EQ(select.where->text, "NOT tenant = 'ws'");
  EXPECT_EQ(select.where->column, 79);
  EXPECT_EQ(std::get<UnaryExpr>(select.where->node).operand->text, "tenant = 'ws'");
}

TEST(ParserTest, NamesUnaliasedItemsByTheirTextAsWritten) {
  const SelectStmt select = parse_select(
      "SELECT count(*), 100.0 * count_if(status = 'completed') AS pct, "
      "percentile(x,0.95) FROM t");
  ASSERT_EQ(select.items.size(), 3u);
  EXPECT_EQ(select.items[0].output_name, "count(*)");
  EXPECT_EQ(select.items[1].output_name, "pct");
  EXPECT_EQ(select.items[2].output_name, "percentile(x,0.95)");
  EXPECT_FALSE(select.items[2].alias.has_value());
}

// ---- precedence and associativity ---------------------------------------------------

std::string where_of(std::string_view condition) {
  const std::string rendered = parse_to_sexpr("SELECT a FROM t WHERE " + std::string(condition));
  const std::string prefix = "(select (items a) (from t) (where ";
  if (rendered.rfind(prefix, 0) != 0) return rendered;
  return rendered.substr(prefix.size(), rendered.size() - prefix.size() - 2);
}

TEST(ParserTest, AppliesPrecedenceAndLeftAssociativity) {
  EXPECT_EQ(where_of("a - b - c"), "(- (- a b) c)");
  EXPECT_EQ(where_of("a / b * c"), "(* (/ a b) c)");
  EXPECT_EQ(where_of("a + b * c - d"), "(- (+ a (* b c)) d)");
  EXPECT_EQ(where_of("(a + b) * c"), "(* (+ a b) c)");
  EXPECT_EQ(where_of("NOT a = b"), "(not (= a b))");
  EXPECT_EQ(where_of("NOT NOT a"), "(not (not a))");
  EXPECT_EQ(where_of("a OR b AND c"), "(or a (and b c))");
  EXPECT_EQ(where_of("a AND b OR c"), "(or (and a b) c)");
  EXPECT_EQ(where_of("a OR b OR c"), "(or (or a b) c)");
  EXPECT_EQ(where_of("NOT a AND b"), "(and (not a) b)");
  EXPECT_EQ(where_of("a + 1 >= b * 2"), "(>= (+ a 1) (* b 2))");
  EXPECT_EQ(where_of("-a * b"), "(* (neg a) b)");
  EXPECT_EQ(where_of("- - a"), "(neg (neg a))");
  EXPECT_EQ(where_of("a = 1 OR NOT b IN (1, 2) AND c IS NOT NULL"),
            "(or (= a 1) (and (not (in b 1 2)) (is-not-null c)))");
  EXPECT_EQ(where_of("a + b NOT IN ('x')"), "(not-in (+ a b) 'x')");
  EXPECT_EQ(where_of("a * 2 IS NULL"), "(is-null (* a 2))");
}

TEST(ParserTest, ParsesEveryComparisonOperator) {
  EXPECT_EQ(where_of("a = 1"), "(= a 1)");
  EXPECT_EQ(where_of("a != 1"), "(!= a 1)");
  EXPECT_EQ(where_of("a <> 1"), "(!= a 1)");
  EXPECT_EQ(where_of("a < 1"), "(< a 1)");
  EXPECT_EQ(where_of("a <= 1"), "(<= a 1)");
  EXPECT_EQ(where_of("a > 1"), "(> a 1)");
  EXPECT_EQ(where_of("a >= 1"), "(>= a 1)");
}

// ---- literals -----------------------------------------------------------------------

TEST(ParserTest, ParsesLiterals) {
  EXPECT_EQ(where_of("a = 42"), "(= a 42)");
  EXPECT_EQ(where_of("a = 100.0"), "(= a 100.0)");
  EXPECT_EQ(where_of("a = 2.5e3"), "(= a 2500.0)");
  EXPECT_EQ(where_of("a = 1E-2"), "(= a 0.01)");
  EXPECT_EQ(where_of("a = 'it''s'"), "(= a 'it's')");
  EXPECT_EQ(where_of("a = ''"), "(= a '')");
  EXPECT_EQ(where_of("a = TRUE OR b = false OR c = Null"),
            "(or (or (= a true) (= b false)) (= c NULL))");
  EXPECT_EQ(where_of("a = 9223372036854775807"), "(= a 9223372036854775807)");
  EXPECT_EQ(where_of("a = -9223372036854775808"), "(= a -9223372036854775808)");
  EXPECT_EQ(where_of("a = -5 - -2.5"), "(= a (- -5 -2.5))");
}

TEST(ParserTest, FoldsMinusIntoNumericLiterals) {
  const SelectStmt select = parse_select("SELECT - 5, -x FROM t");
  ASSERT_EQ(select.items.size(), 2u);
  const auto& literal = std::get<LiteralExpr>(select.items[0].expr->node);
  EXPECT_EQ(std::get<int64_t>(literal.value), -5);
  EXPECT_EQ(select.items[0].expr->text, "- 5");
  EXPECT_TRUE(std::holds_alternative<UnaryExpr>(select.items[1].expr->node));
}

TEST(ParserTest, ParsesIntervalsOfEveryUnit) {
  EXPECT_EQ(where_of("a = 10s"), "(= a (ivl 10s 10000000000))");
  EXPECT_EQ(where_of("a = 15m"), "(= a (ivl 15m 900000000000))");
  EXPECT_EQ(where_of("a = 2h"), "(= a (ivl 2h 7200000000000))");
  EXPECT_EQ(where_of("a = 30d"), "(= a (ivl 30d 2592000000000000))");
  EXPECT_EQ(where_of("a = 1w"), "(= a (ivl 1w 604800000000000))");
  EXPECT_EQ(where_of("a = 0s"), "(= a (ivl 0s 0))");
  // The largest whole number of weeks that fits: floor((2^63 - 1) / 604800e9) = 15250.
  EXPECT_EQ(where_of("a = 15250w"), "(= a (ivl 15250w 9223200000000000000))");
}

TEST(ParserTest, ParsesCallsWithStarDistinctAndFilter) {
  EXPECT_EQ(where_of("now() > 1"), "(> (now) 1)");
  EXPECT_EQ(where_of("COUNT(*) FILTER (WHERE x > 1) > 2"), "(> (count * :filter (> x 1)) 2)");
  EXPECT_EQ(where_of("Count(Distinct x) = 1"), "(= (count distinct x) 1)");
  EXPECT_EQ(where_of("f(g(1, 2), -3) = 0"), "(= (f (g 1 2) -3) 0)");
}

// ---- CREATE TABLE ---------------------------------------------------------------------

TEST(ParserTest, ParsesCreateTableOptions) {
  EXPECT_EQ(parse_to_sexpr("create table t (a tag, b string, c bool, d int, e float) "
                           "with (tenant = none, partition = 1h, retention = 2w)"),
            "(create t (columns time:time:int64 a:tag:string b:field:string c:field:bool "
            "d:field:int64 e:field:float64) (tenant none) (partition 3600000000000) "
            "(retention 1209600000000000))");
  EXPECT_EQ(parse_to_sexpr("CREATE TABLE t (shop TAG) WITH (tenant = shop)"),
            "(create t (columns time:time:int64 shop:tag:string) (tenant shop) "
            "(partition 86400000000000))");
  EXPECT_EQ(parse_to_sexpr("CREATE TABLE t (a INT) WITH (TENANT = shop, Dedup = (time, shop))"),
            "(create t (columns time:time:int64 a:field:int64) (tenant shop) (dedup shop) "
            "(partition 86400000000000))");
  EXPECT_EQ(parse_to_sexpr("CREATE TABLE t WITH (tenant = \"none\")"),
            "(create t (columns time:time:int64) (tenant none) (partition 86400000000000))");
  const Result<Statement> quoted_none = parse_statement("CREATE TABLE t WITH (tenant = \"none\")");
  ASSERT_TRUE(quoted_none.is_ok());
  EXPECT_EQ(std::get<CreateTableStmt>(*quoted_none).schema.options.tenant_column,
            std::optional<std::string>("none"));
}

TEST(ParserTest, RejectsBadCreateTableDefinitions) {
  EXPECT_EQ(parse_to_sexpr("CREATE TABLE t (a TAG, a INT)"),
            "invalid_input: at column 24: duplicate column 'a'");
  EXPECT_EQ(parse_to_sexpr("CREATE TABLE t (time INT)"),
            "invalid_input: at column 17: column 'time' is implicit and cannot be declared");
  EXPECT_EQ(parse_to_sexpr("CREATE TABLE t (a DOUBLE)"),
            "syntax: at column 19: unknown type 'DOUBLE' (expected TAG, INT, FLOAT, BOOL or "
            "STRING)");
  EXPECT_EQ(parse_to_sexpr("CREATE TABLE t (a)"), "syntax: at column 18: expected column type");
  EXPECT_EQ(parse_to_sexpr("CREATE TABLE t ()"), "syntax: at column 17: expected column name");
  EXPECT_EQ(parse_to_sexpr("CREATE TABLE t WITH (owner = x)"),
            "syntax: at column 22: unknown option 'owner' (expected tenant, dedup, partition "
            "or retention)");
  EXPECT_EQ(parse_to_sexpr("CREATE TABLE t WITH (retention = 1d, retention = 2d)"),
            "invalid_input: at column 38: duplicate option 'retention'");
  EXPECT_EQ(parse_to_sexpr("CREATE TABLE t WITH (partition = 0d)"),
            "invalid_input: at column 34: partition interval must be greater than zero");
  EXPECT_EQ(parse_to_sexpr("CREATE TABLE t WITH (partition = 5)"),
            "syntax: at column 34: expected partition interval (e.g. 1d)");
  EXPECT_EQ(parse_to_sexpr("CREATE TABLE t WITH (retention = 9999999999999w)"),
            "invalid_input: at column 34: interval 9999999999999w out of range");
  EXPECT_EQ(parse_to_sexpr("CREATE TABLE t WITH (dedup = (a, b))"),
            "syntax: at column 22: dedup key must include time");
  EXPECT_EQ(parse_to_sexpr("CREATE TABLE t WITH (dedup = (time))"),
            "invalid_input: at column 22: dedup key needs at least one tag column besides time");
  EXPECT_EQ(parse_to_sexpr("CREATE TABLE t WITH (dedup = (a, time, a))"),
            "invalid_input: at column 40: duplicate dedup column 'a'");
  EXPECT_EQ(parse_to_sexpr("CREATE TABLE t (tenant INT)"),
            "invalid_input: at column 17: tenant column 'tenant' must be a TAG");
  EXPECT_EQ(parse_to_sexpr("CREATE TABLE t (shop STRING) WITH (tenant = shop)"),
            "invalid_input: at column 45: tenant column 'shop' must be a TAG");
  EXPECT_EQ(parse_to_sexpr("CREATE TABLE t (a INT) WITH (dedup = (a, time))"),
            "invalid_input: at column 39: dedup column 'a' must be a TAG");
  EXPECT_EQ(parse_to_sexpr("CREATE TABLE t WITH ()"), "syntax: at column 22: expected option name");
  EXPECT_EQ(parse_to_sexpr("CREATE t"), "syntax: at column 8: expected TABLE");
}

// ---- errors ----------------------------------------------------------------------------

TEST(ParserTest, ReportsSyntaxErrorsAtTheOffendingToken) {
  EXPECT_EQ(parse_to_sexpr("SELECT a"), "syntax: at column 9: expected FROM");
  EXPECT_EQ(parse_to_sexpr("SELECT a FROM"), "syntax: at column 14: expected table name");
  EXPECT_EQ(parse_to_sexpr("SELECT a b FROM t"), "syntax: at column 10: expected FROM");
  EXPECT_EQ(parse_to_sexpr("SELECT FROM t"), "syntax: at column 8: unexpected 'FROM'");
  EXPECT_EQ(parse_to_sexpr("SELECT a FROM t WHERE"), "syntax: at column 22: expected expression");
  EXPECT_EQ(parse_to_sexpr("SELECT a FROM t WHERE x = 'abc"),
            "syntax: at column 27: unterminated string");
  EXPECT_EQ(parse_to_sexpr("SELECT a FROM t extra"), "syntax: at column 17: unexpected 'extra'");
  EXPECT_EQ(parse_to_sexpr("SELECT a FROM t;;"), "syntax: at column 17: unexpected ';'");
  EXPECT_EQ(parse_to_sexpr("SELECT a FROM t LIMIT -1"),
            "syntax: at column 23: expected a non-negative integer after LIMIT");
  EXPECT_EQ(parse_to_sexpr("SELECT a FROM t GROUP BY time(1d"),
            "syntax: at column 33: expected ')'");
  EXPECT_EQ(parse_to_sexpr("SELECT a FROM t GROUP BY time(x)"),
            "syntax: at column 31: expected bucket interval (e.g. 1d)");
  EXPECT_EQ(parse_to_sexpr("SELECT a FROM t GROUP BY time(1d, 5)"),
            "syntax: at column 35: expected time zone string (e.g. 'Europe/Paris')");
  EXPECT_EQ(parse_to_sexpr("SELECT a FROM t GROUP BY shop, time(1d)"),
            "syntax: at column 32: time(...) must come first in GROUP BY");
  EXPECT_EQ(parse_to_sexpr("SELECT a FROM t GROUP tenant"), "syntax: at column 23: expected BY");
  EXPECT_EQ(parse_to_sexpr("SELECT a < b < c FROM t"),
            "syntax: at column 14: comparisons do not chain; join them with AND");
  EXPECT_EQ(parse_to_sexpr("SELECT count(* FROM t"), "syntax: at column 16: expected ')'");
  EXPECT_EQ(parse_to_sexpr("SELECT a FROM t WHERE a IN ()"),
            "syntax: at column 29: unexpected ')'");
  EXPECT_EQ(parse_to_sexpr("SELECT a FROM t WHERE a IN 1"),
            "syntax: at column 28: expected '(' after IN");
  EXPECT_EQ(parse_to_sexpr("SELECT a FROM t WHERE a IS b"), "syntax: at column 28: expected NULL");
  EXPECT_EQ(parse_to_sexpr("SELECT avg(x) FILTER (x > 1) FROM t"),
            "syntax: at column 23: expected WHERE");
  EXPECT_EQ(parse_to_sexpr("SELECT a AS FROM t"), "syntax: at column 13: expected name after AS");
  EXPECT_EQ(parse_to_sexpr("EXPLAIN SHOW TABLES"), "syntax: at column 9: expected SELECT");
  EXPECT_EQ(parse_to_sexpr("SHOW TABLE"), "syntax: at column 6: expected TABLES");
  EXPECT_EQ(parse_to_sexpr("SELECT a FROM t WHERE a = 15ms"),
            "syntax: at column 27: malformed number '15ms' (interval units are s, m, h, d, w)");
  EXPECT_EQ(parse_to_sexpr("SELECT 'caf\xC3' FROM t"), "syntax: at column 12: invalid UTF-8");
}

TEST(ParserTest, RejectsSessionCommandsAsUnknownStatements) {
  EXPECT_EQ(parse_to_sexpr("AUTH secret-token"), "syntax: at column 1: unknown statement");
  EXPECT_EQ(parse_to_sexpr("PING"), "syntax: at column 1: unknown statement");
  EXPECT_EQ(parse_to_sexpr("STATS"), "syntax: at column 1: unknown statement");
  EXPECT_EQ(parse_to_sexpr("DELETE FROM t"), "syntax: at column 1: unknown statement");
  EXPECT_EQ(parse_to_sexpr(";"), "syntax: at column 1: unknown statement");
  EXPECT_EQ(parse_to_sexpr(""), "syntax: at column 1: empty statement");
  EXPECT_EQ(parse_to_sexpr("   "), "syntax: at column 4: empty statement");
}

TEST(ParserTest, RejectsOutOfRangeValuesAsInvalidInput) {
  EXPECT_EQ(parse_to_sexpr("SELECT 9223372036854775808 FROM t"),
            "invalid_input: at column 8: integer 9223372036854775808 out of range");
  EXPECT_EQ(parse_to_sexpr("SELECT -9223372036854775809 FROM t"),
            "invalid_input: at column 9: integer -9223372036854775809 out of range");
  EXPECT_EQ(parse_to_sexpr("SELECT a FROM t LIMIT 99999999999999999999"),
            "invalid_input: at column 23: integer 99999999999999999999 out of range");
  EXPECT_EQ(parse_to_sexpr("SELECT 1e999 FROM t"),
            "invalid_input: at column 8: number 1e999 out of range");
  EXPECT_EQ(parse_to_sexpr("SELECT a FROM t WHERE time > now() - 15251w"),
            "invalid_input: at column 38: interval 15251w out of range");
  EXPECT_EQ(parse_to_sexpr("SELECT a FROM t GROUP BY time(0m)"),
            "invalid_input: at column 31: bucket interval must be greater than zero");
}

// ---- limits ------------------------------------------------------------------------------

std::string repeat(std::string_view piece, int count) {
  std::string out;
  for (int i = 0; i < count; ++i) out += piece;
  return out;
}

TEST(ParserTest, RejectsStatementsOverTheSizeLimit) {
  const std::string padded = "SELECT a FROM t" + std::string(kMaxStatementBytes - 15, ' ');
  EXPECT_TRUE(parse_statement(padded).is_ok());
  const Result<Statement> too_long = parse_statement(padded + " ");
  ASSERT_FALSE(too_long.is_ok());
  EXPECT_EQ(too_long.error().code, ErrorCode::kLimitExceeded);
  EXPECT_EQ(too_long.error().message, "statement is 1048577 bytes; the limit is 1048576");
}

TEST(ParserTest, AllowsNestingUpToTheDepthLimit) {
  // The item itself is one level; each NOT adds one.
  const int levels = kMaxExpressionDepth - 1;
  EXPECT_TRUE(parse_statement("SELECT " + repeat("NOT ", levels) + "a FROM t").is_ok());
  EXPECT_TRUE(
      parse_statement("SELECT " + repeat("(", levels) + "a" + repeat(")", levels) + " FROM t")
          .is_ok());
  EXPECT_EQ(parse_to_sexpr("SELECT " + repeat("NOT ", levels + 1) + "a FROM t"),
            "limit_exceeded: at column 804: expression nested deeper than 200");
}

TEST(ParserTest, RejectsDeepNestingWithoutOverflowingTheStack) {
  const int n = 100'000;
  const std::string cases[] = {
      "SELECT " + repeat("(", n) + "a" + repeat(")", n) + " FROM t",
      "SELECT " + repeat("NOT ", n) + "a FROM t",
      "SELECT " + repeat("-", n) + "a FROM t",
      "SELECT " + repeat("- ", n) + "1 FROM t",
      "SELECT " + repeat("f(", n) + "a" + repeat(")", n) + " FROM t",
      "SELECT a FROM t WHERE " + repeat("a IN (", n) + "1" + repeat(")", n),
      "SELECT a" + repeat(" + a", n) + " FROM t",
      "SELECT a FROM t WHERE a = 1" + repeat(" AND a = 1", n),
      "SELECT " + repeat("(", n),
  };
  for (const std::string& text : cases) {
    SCOPED_TRACE(text.substr(0, 40));
    const Result<Statement> statement = parse_statement(text);
    ASSERT_FALSE(statement.is_ok());
    EXPECT_EQ(statement.error().code, ErrorCode::kLimitExceeded) << statement.error().message;
  }
}

}  // namespace
}  // namespace tessera::query
