// Adversarial tenant isolation: a reader of tenant "alpha" runs hand-written and
// generated queries meant to see other tenants' rows (predicates naming them,
// tautologies, NOT/OR combinations, IN lists, aggregates over the tenant column,
// GROUP BY tenant, LIMIT/ORDER tricks, error paths, EXPLAIN). Every answer, rows
// or error, must equal the answer over a second engine that was given only
// alpha's rows (built independently, from the same generated lines):
//   - reader(alpha) over the mixed engine == reader(alpha) over the alpha-only engine
//   - for SELECTs on tenant tables, also == admin over the alpha-only engine.
// And no answer may contain a value that only other tenants have, unless the
// query text itself names it. Tenant-scoped writers are checked at the end.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "engine/engine.h"
#include "query/query_runner.h"
#include "tests/query/query_test_util.h"
#include "tests/support/temp_dir.h"

namespace tessera {
namespace {

using query::QueryContext;
using query::Role;

constexpr const char* kTenant = "alpha";
// Strings only other tenants' rows hold; none may show up in alpha's answers.
const std::vector<std::string> kForeignMarkers = {"bravo", "charlie", "h_b", "h_c", "sb_", "sc_"};

constexpr uint32_t kSeed = 20261122;
constexpr int kRows = 480;

struct Line {
  std::string tenant;
  std::string text;
};

// Deterministic rows for three tenants. Floats are multiples of 0.25 below 1000, so
// every sum is exact and its order of summation (which depends on block layout)
// cannot change the answer.
std::vector<Line> generate_lines(uint32_t seed) {
  std::mt19937 rng(seed);
  const std::vector<std::string> tenants = {"alpha", "bravo", "charlie"};
  const std::vector<std::string> regions = {"eu", "us"};
  std::vector<Line> lines;
  const int64_t t0 = query::testing::utc(2026, 1, 1);
  for (int i = 0; i < kRows; ++i) {
    const std::string& tenant = tenants[rng() % tenants.size()];
    const char letter = tenant[0];
    const std::string host = std::string("h_") + letter + "_" + std::to_string(rng() % 4);
    const int64_t t = t0 + static_cast<int64_t>(i) * 7 * query::testing::kMinute;
    const double v = static_cast<double>(rng() % 4000) / 4.0;
    const int64_t n = static_cast<int64_t>(rng() % 200) - 50;
    const std::string s = std::string("s") + letter + "_" + std::to_string(rng() % 5);
    std::string text = "m,tenant=" + tenant + ",region=" + regions[rng() % 2] + ",host=" + host +
                       " v=" + std::to_string(v) + ",n=" + std::to_string(n) + "i,s=\"" + s +
                       "\",b=" + ((rng() % 2) ? "t" : "f") + " " + std::to_string(t);
    lines.push_back({tenant, text});
    // A dedup table where a later write replaces an earlier one of the same key.
    const std::string dedup = "ded,tenant=" + tenant + ",host=" + host + " v=" + std::to_string(v) +
                              " " +
                              std::to_string(t0 + static_cast<int64_t>(i % 60) * 1'000'000'000);
    lines.push_back({tenant, dedup});
  }
  return lines;
}

QueryContext context_for(Role role, std::optional<std::string> tenant) {
  QueryContext context;
  context.role = role;
  context.tenant = std::move(tenant);
  context.now_ns = query::testing::utc(2026, 1, 5);
  return context;
}

// Rows, or "ERR <code> <message>"; rows sorted unless the query orders them (raw
// rows of blocks laid out differently may come in another order).
std::string answer(engine::Engine& engine, const std::string& statement,
                   const QueryContext& context) {
  Result<query::ResultSet> result = query::run_query(engine, statement, context);
  if (!result.is_ok()) {
    return "ERR " + std::string(error_code_name(result.error().code)) + " " +
           result.error().message;
  }
  std::string header;
  for (const auto& c : result->columns) header += c + "|";
  std::vector<std::string> rows;
  for (const auto& row : result->rows) {
    std::string text;
    for (const auto& v : row) text += query::testing::render(v) + "|";
    rows.push_back(std::move(text));
  }
  if (statement.find("ORDER BY") == std::string::npos) std::sort(rows.begin(), rows.end());
  std::string out = header;
  for (const auto& r : rows) out += "\n" + r;
  return out;
}

class TenantIsolationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    mixed_ = open(mixed_dir_);
    alpha_only_ = open(alpha_dir_);
    const std::vector<Line> lines = generate_lines(kSeed);
    // Same catalog in both engines: table and column names are shared metadata
    // (docs/security.md), so both declare everything up front.
    for (engine::Engine* e : {mixed_.get(), alpha_only_.get()}) {
      for (const char* ddl :
           {"CREATE TABLE m (tenant TAG, region TAG, host TAG, v FLOAT, n INT, s STRING, b BOOL)",
            "CREATE TABLE ded (tenant TAG, host TAG, v FLOAT) WITH (dedup = (tenant, host, time))",
            "CREATE TABLE cfg (name TAG, val INT) WITH (tenant = none)"}) {
        ASSERT_TRUE(query::run_query(*e, ddl, context_for(Role::kAdmin, std::nullopt)).is_ok());
      }
      ASSERT_TRUE(e->write_text("cfg,name=limit val=5i 1767225600000000000\n", {}).is_ok());
    }
    // Half the data goes to segment files, half stays in memory, in both engines.
    for (size_t half = 0; half < 2; ++half) {
      std::string all, alpha;
      const size_t begin = half * lines.size() / 2, end = (half + 1) * lines.size() / 2;
      for (size_t i = begin; i < end; ++i) {
        all += lines[i].text + "\n";
        if (lines[i].tenant == kTenant) alpha += lines[i].text + "\n";
      }
      auto written = mixed_->write_text(all, {});
      ASSERT_TRUE(written.is_ok());
      ASSERT_TRUE(written->rejected.empty()) << written->rejected[0].reason;
      ASSERT_TRUE(alpha_only_->write_text(alpha, {}).is_ok());
      if (half == 0) {
        ASSERT_TRUE(mixed_->flush().is_ok());
        ASSERT_TRUE(alpha_only_->flush().is_ok());
      }
    }
  }

  std::unique_ptr<engine::Engine> open(const testing::TempDir& dir) {
    engine::EngineOptions options;
    options.data_dir = dir.path();
    options.block_rows = 16;  // many small blocks, each mixing tenants
    auto engine = engine::Engine::open(options);
    EXPECT_TRUE(engine.is_ok());
    return engine.is_ok() ? std::move(engine).value() : nullptr;
  }

  // Checks one statement; returns the number of failures (0 or 1).
  int check(const std::string& statement) {
    SCOPED_TRACE("seed " + std::to_string(kSeed) + ": " + statement);
    const QueryContext reader = context_for(Role::kReader, kTenant);
    const std::string got = answer(*mixed_, statement, reader);
    const std::string reference = answer(*alpha_only_, statement, reader);
    int failures = 0;
    EXPECT_EQ(got, reference);
    failures += got != reference;
    const bool is_tenant_select =
        statement.rfind("SELECT", 0) == 0 && statement.find("FROM cfg") == std::string::npos;
    if (is_tenant_select) {
      const std::string admin = answer(*alpha_only_, statement, context_for(Role::kAdmin, {}));
      EXPECT_EQ(got, admin);
      failures += got != admin;
    }
    for (const std::string& marker : kForeignMarkers) {
      if (statement.find(marker) != std::string::npos) continue;
      EXPECT_EQ(got.find(marker), std::string::npos) << "leaks \"" << marker << "\": " << got;
      failures += got.find(marker) != std::string::npos;
    }
    ++checked_;
    return failures;
  }

  testing::TempDir mixed_dir_, alpha_dir_;
  std::unique_ptr<engine::Engine> mixed_, alpha_only_;
  int checked_ = 0;
};

TEST_F(TenantIsolationTest, HandWrittenAttacksSeeOnlyTheReadersRows) {
  const std::vector<std::string> statements = {
      // Naming other tenants, tautologies, NOT/OR.
      "SELECT * FROM m WHERE tenant = 'bravo'",
      "SELECT * FROM m WHERE tenant <> 'alpha'",
      "SELECT * FROM m WHERE tenant = 'alpha' OR tenant <> 'alpha'",
      "SELECT count(*) FROM m WHERE tenant = 'bravo' OR 1 = 1",
      "SELECT count(*) FROM m WHERE NOT (tenant = 'alpha')",
      "SELECT count(*) FROM m WHERE NOT (tenant = 'alpha' AND n < 1000)",
      "SELECT count(*) FROM m WHERE tenant IN ('alpha', 'bravo', 'charlie')",
      "SELECT count(*) FROM m WHERE tenant IN ('bravo', 'charlie')",
      "SELECT count(*) FROM m WHERE tenant IS NULL OR tenant IS NOT NULL",
      "SELECT count(*) FROM m WHERE host = 'h_b_1' OR host = 'h_c_2'",
      "SELECT count(*) FROM m WHERE s = 'sb_1'",
      "SELECT count(*) FROM m WHERE tenant > 'alpha'",
      "SELECT count(*) FROM m WHERE tenant >= ''",
      // Aggregates that would count or name other tenants.
      "SELECT count(*), count(DISTINCT tenant), min(tenant), max(tenant) FROM m",
      "SELECT count(DISTINCT host), count(DISTINCT s), min(s), max(s) FROM m",
      "SELECT first(tenant), last(tenant), first(host), last(s) FROM m",
      "SELECT tenant, count(*) FROM m GROUP BY tenant",
      "SELECT host, sum(n), max(v) FROM m GROUP BY host",
      "SELECT count(*) FROM m GROUP BY time(1d), tenant",
      "SELECT count(*) FILTER (WHERE tenant = 'bravo') FROM m",
      "SELECT count_if(tenant <> 'alpha'), sla_pct(v, 500) FROM m",
      "SELECT sum(v) / sum(n) AS ratio, median(v), percentile(v, 0.99) FROM m",
      "SELECT count(*) FROM m HAVING count(*) > 0",
      "SELECT tenant, count(*) AS c FROM m GROUP BY tenant HAVING count(*) >= 0 ORDER BY c DESC",
      // LIMIT / ORDER tricks.
      "SELECT tenant, host, time FROM m ORDER BY tenant DESC LIMIT 1",
      "SELECT time, tenant FROM m ORDER BY time DESC LIMIT 3",
      "SELECT host, count(*) AS c FROM m GROUP BY host ORDER BY c DESC LIMIT 1",
      "SELECT * FROM m ORDER BY time LIMIT 0",
      // Dedup table.
      "SELECT host, count(*), sum(v) FROM ded GROUP BY host",
      "SELECT count(*) FROM ded WHERE tenant <> 'alpha'",
      // Error paths: messages must not carry other tenants' values.
      "SELECT nope FROM m",
      "SELECT sum(s) FROM m",
      "SELECT sum(v) / 0 FROM m",
      "SELECT n / 0 FROM m ORDER BY time LIMIT 2",
      "SELECT percentile(v, 2) FROM m",
      "SELECT * FROM m WHERE tenant = 5",
      "SELECT * FROM m WHERE v = 'bravo'",
      "SELECT * FROM nosuch WHERE tenant = 'bravo'",
      "SELECT nosuch(v) FROM m",
      "SELECT v FROM m GROUP BY host",
      "SELECT count(*) FROM m GROUP BY time(1d, 'Mars/Olympus')",
      "SELEKT * FROM m",
      // EXPLAIN: identical whether or not other tenants have data.
      "EXPLAIN SELECT count(*) FROM m",
      "EXPLAIN SELECT * FROM m WHERE tenant = 'bravo'",
      "EXPLAIN SELECT host, sum(v) FROM m WHERE time >= '2026-01-01T10:00:00Z' GROUP BY host",
      "EXPLAIN SELECT count(*) FROM ded GROUP BY time(1h)",
      // Catalog statements, tables without a tenant column, DDL.
      "SHOW TABLES",
      "DESCRIBE m",
      "DESCRIBE cfg",
      "DESCRIBE nosuch",
      "SELECT * FROM cfg",
      "SELECT count(*) FROM cfg",
      "EXPLAIN SELECT * FROM cfg",
      "CREATE TABLE evil (tenant TAG)",
  };
  int failures = 0;
  for (const std::string& s : statements) failures += check(s);
  EXPECT_EQ(failures, 0);
  std::printf("hand-written adversarial statements checked: %d\n", checked_);
}

TEST_F(TenantIsolationTest, ShowTablesHidesTablesWithoutTenantColumn) {
  const std::string got = answer(*mixed_, "SHOW TABLES", context_for(Role::kReader, kTenant));
  EXPECT_EQ(got, "table|\n'ded'|\n'm'|");
}

TEST_F(TenantIsolationTest, ExplainHidesBlockCountsFromTenantReaders) {
  const std::string got =
      answer(*mixed_, "EXPLAIN SELECT count(*) FROM m", context_for(Role::kReader, kTenant));
  EXPECT_EQ(got.find("blocks"), std::string::npos) << got;
  EXPECT_EQ(got.find("rows scanned"), std::string::npos) << got;
  EXPECT_NE(got.find("scan counts: hidden for a tenant-scoped reader"), std::string::npos) << got;
  const std::string admin =
      answer(*mixed_, "EXPLAIN SELECT count(*) FROM m", context_for(Role::kAdmin, {}));
  EXPECT_NE(admin.find("blocks total"), std::string::npos) << admin;
}

// Select lists x predicates x grouping x ordering (1470 combinations), a quarter
// of them sampled with a fixed seed, plus EXPLAIN of some.
TEST_F(TenantIsolationTest, GeneratedAttacksSeeOnlyTheReadersRows) {
  const std::vector<std::string> selects = {
      "*",
      "time, tenant, host, v",
      "count(*)",
      "count(DISTINCT tenant)",
      "min(tenant), max(tenant)",
      "count(DISTINCT host), count(DISTINCT s)",
      "sum(n), min(n), max(n)",
      "sum(v), avg(v)",
      "percentile(v, 0.5), median(n)",
      "first(s), last(host)",
      "count_if(tenant = 'bravo')",
      "count(*) FILTER (WHERE tenant <> 'alpha')",
      "sum(v) / count(*) AS mean",
      "n / 0 AS z, tenant",
  };
  const std::vector<std::string> predicates = {
      "",
      "tenant = 'alpha'",
      "tenant = 'bravo'",
      "tenant <> 'alpha'",
      "tenant != 'charlie'",
      "tenant = 'bravo' OR 1 = 1",
      "tenant = 'bravo' OR tenant = 'alpha'",
      "NOT (tenant = 'alpha')",
      "NOT (tenant <> 'bravo')",
      "tenant IN ('bravo', 'charlie')",
      "tenant IN ('alpha', 'bravo')",
      "NOT (tenant IN ('alpha'))",
      "tenant IS NULL",
      "tenant IS NOT NULL OR n > 0",
      "n > 0 OR tenant <> 'alpha'",
      "(n > 0 AND tenant = 'bravo') OR (v >= 0 AND NOT (tenant = 'alpha'))",
      "host = 'h_b_0' OR host = 'h_a_0'",
      "s IN ('sb_1', 'sc_2', 'sa_3')",
      "b = true OR tenant = 'charlie'",
      "time >= '2026-01-01T12:00:00Z' OR tenant = 'bravo'",
      "v > 100 AND tenant < 'zzz'",
  };
  const std::vector<std::string> groupings = {
      "", "GROUP BY tenant", "GROUP BY host", "GROUP BY time(1h)", "GROUP BY time(6h), tenant",
  };
  const std::vector<std::string> suffixes = {"", " ORDER BY time DESC LIMIT 4", " LIMIT 2"};
  std::mt19937 rng(kSeed);
  std::vector<std::string> statements;
  for (const auto& select : selects) {
    for (const auto& where : predicates) {
      for (const auto& group : groupings) {
        std::string s = "SELECT " + select + " FROM m";
        if (!where.empty()) s += " WHERE " + where;
        if (!group.empty()) s += " " + group;
        // An ORDER BY time on raw rows, or a LIMIT on sorted groups: both
        // deterministic. Other cases get no suffix.
        const bool is_raw =
            select == "*" || select.starts_with("time,") || select.starts_with("n / 0");
        const std::string& suffix = suffixes[rng() % suffixes.size()];
        if (is_raw && group.empty() && suffix.starts_with(" ORDER")) s += suffix;
        if (!is_raw && !group.empty() && suffix == " LIMIT 2") s += suffix;
        // A fixed-seed quarter of the product keeps the run fast under sanitizers.
        if (rng() % 4 != 0) continue;
        statements.push_back(s);
        if (rng() % 6 == 0) statements.push_back("EXPLAIN " + s);
      }
    }
  }
  int failures = 0;
  for (const std::string& s : statements) {
    failures += check(s);
    if (failures > 20) break;  // enough to diagnose
  }
  EXPECT_EQ(failures, 0);
  std::printf("generated adversarial statements checked: %d (seed %u)\n", checked_, kSeed);
}

// Issue 5: a table without a tenant column is, to a reader, a table that does not
// exist. Every statement naming `cfg` must answer exactly what it answers over an
// engine that never had such a table, so neither the error code nor its message
// tells the two apart.
TEST_F(TenantIsolationTest, TableWithoutTenantColumnLooksMissingToAReader) {
  testing::TempDir empty_dir;
  std::unique_ptr<engine::Engine> empty = open(empty_dir);
  ASSERT_NE(empty, nullptr);
  const QueryContext reader = context_for(Role::kReader, kTenant);
  const std::vector<std::string> statements = {
      "DESCRIBE cfg",
      "SELECT * FROM cfg",
      "SELECT count(*) FROM cfg",
      "SELECT val FROM cfg WHERE name = 'limit'",
      "SELECT nope FROM cfg",
      "SELECT sum(name) FROM cfg",
      "SELECT count(*) FROM cfg GROUP BY time(1d, 'Mars/Olympus')",
      "EXPLAIN SELECT * FROM cfg",
      "EXPLAIN SELECT count(*) FROM cfg GROUP BY name",
  };
  for (const std::string& statement : statements) {
    SCOPED_TRACE(statement);
    const std::string got = answer(*mixed_, statement, reader);
    EXPECT_EQ(got, answer(*empty, statement, reader));
    EXPECT_TRUE(got.starts_with("ERR unknown_table ")) << got;
  }
  // The admin still sees it.
  EXPECT_EQ(answer(*mixed_, "SELECT val FROM cfg", context_for(Role::kAdmin, {})), "val|\n5|");
}

// Issue 5: with a dedup key that leaves out the tenant column, a row of tenant A
// replaces the row of tenant B that has the same key and time: a tenant-scoped
// writer could delete other tenants' rows. Such a key is refused, by SQL and by
// the engine API alike.
TEST_F(TenantIsolationTest, DedupKeyWithoutTenantColumnIsRefused) {
  const QueryContext admin = context_for(Role::kAdmin, std::nullopt);
  for (const std::string ddl : {
           "CREATE TABLE snap (tenant TAG, host TAG, v FLOAT) WITH (dedup = (host, time))",
           "CREATE TABLE snap (host TAG, v FLOAT) WITH (dedup = (host, time))",
           "CREATE TABLE snap (shop TAG, host TAG) WITH (tenant = shop, dedup = (tenant, time))",
       }) {
    SCOPED_TRACE(ddl);
    const std::string got = answer(*mixed_, ddl, admin);
    EXPECT_TRUE(
        got.starts_with("ERR invalid_input table \"snap\": the dedup key must include "
                        "the tenant column"))
        << got;
  }
  EXPECT_EQ(mixed_->schema("snap"), std::nullopt);
  engine::TableSchema schema;
  schema.name = "snap";
  schema.columns = {{"time", engine::ColumnKind::kTime, storage::ColumnType::kInt64}};
  schema.options.dedup_columns = {"host"};
  EXPECT_EQ(mixed_->create_table(schema).code(), ErrorCode::kInvalidInput);
  EXPECT_EQ(mixed_->schema("snap"), std::nullopt);

  // What the refusal prevents: alpha's writer reusing bravo's key and time.
  ASSERT_TRUE(
      mixed_->write_text("snap,tenant=bravo,host=h1 v=1 1767225600000000000\n", {}).is_ok());
  engine::WriteOptions scoped;
  scoped.tenant_scope = kTenant;
  auto attack = mixed_->write_text("snap,tenant=alpha,host=h1 v=666 1767225600000000000\n", scoped);
  ASSERT_TRUE(attack.is_ok());
  EXPECT_EQ(answer(*mixed_, "SELECT tenant, v FROM snap ORDER BY tenant", admin),
            "tenant|v|\n'alpha'|666.0|\n'bravo'|1.0|");
  // A key with the tenant column keeps tenants apart, and still deduplicates.
  EXPECT_EQ(answer(*mixed_,
                   "CREATE TABLE snap2 (tenant TAG, host TAG, v FLOAT) "
                   "WITH (dedup = (host, tenant, time))",
                   admin),
            "");
}

TEST_F(TenantIsolationTest, TenantScopedWriterCannotWriteOtherTenants) {
  engine::WriteOptions scoped;
  scoped.tenant_scope = kTenant;
  const std::vector<std::string> names_before = mixed_->table_names();
  const auto m_before = mixed_->schema("m");
  const std::string count_query = "SELECT count(*) FROM m";
  const std::string count_before = answer(*mixed_, count_query, context_for(Role::kAdmin, {}));
  auto report = mixed_->write_text(
      "m,tenant=bravo,host=h_b_9 v=1.0,secret_b=1i 1767225600000000000\n"  // another tenant
      "m,host=h_x v=1.0,secret_x=1i 1767225600000000000\n"                 // no tenant tag
      "newtable,tenant=bravo v=1.0 1767225600000000000\n"                  // would create a table
      "m,tenant=alph v=2.0 1767225600000000000\n"                          // a prefix is not it
      "m,tenant=alpha,tenant=bravo v=2.0 1767225600000000000\n",           // duplicate tag
      scoped);
  ASSERT_TRUE(report.is_ok());
  EXPECT_EQ(report->accepted, 0u);
  EXPECT_EQ(report->rejected.size(), 5u);
  for (const auto& r : report->rejected) EXPECT_FALSE(r.reason.empty()) << r.line_number;
  EXPECT_EQ(mixed_->table_names(), names_before);
  ASSERT_TRUE(m_before.has_value());
  EXPECT_EQ(mixed_->schema("m")->columns.size(), m_before->columns.size());
  EXPECT_EQ(answer(*mixed_, count_query, context_for(Role::kAdmin, {})), count_before);
  // Its own tenant's line goes in.
  auto own = mixed_->write_text("m,tenant=alpha,host=h_a_9 v=1.0 1767225600000000000\n", scoped);
  ASSERT_TRUE(own.is_ok());
  EXPECT_EQ(own->accepted, 1u);
}

}  // namespace
}  // namespace tessera
