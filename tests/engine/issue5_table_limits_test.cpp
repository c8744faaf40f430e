// Issue 5 regressions in table definitions and write-time admission:
//   - a dedup key without the tenant column let a tenant-scoped writer replace
//     (that is, delete) another tenant's rows;
//   - a line with more columns than a segment block holds was acknowledged, and
//     then every flush failed.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "engine/engine.h"
#include "tests/support/snapshot_rows.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_engine.h"

namespace tessera::engine {
namespace {

using tessera::testing::table_rows;
using tessera::testing::TempDir;
using tessera::testing::write_ok;
using ::testing::ElementsAre;

std::unique_ptr<Engine> open_engine(const std::filesystem::path& dir, EngineOptions options = {}) {
  options.background_maintenance = false;
  return tessera::testing::open_test_engine(dir, options);
}

TableSchema snap_schema(std::optional<std::string> tenant_column,
                        std::vector<std::string> dedup_columns) {
  TableSchema schema;
  schema.name = "snap";
  schema.columns = {{"time", ColumnKind::kTime, storage::ColumnType::kInt64},
                    {"tenant", ColumnKind::kTag, storage::ColumnType::kString},
                    {"shop", ColumnKind::kTag, storage::ColumnType::kString},
                    {"entity", ColumnKind::kTag, storage::ColumnType::kString}};
  schema.options.tenant_column = std::move(tenant_column);
  schema.options.dedup_columns = std::move(dedup_columns);
  return schema;
}

// `count` float fields "f<first>=1,f<first+1>=1,...".
std::string fields(int count, int first = 0) {
  std::string out;
  for (int i = first; i < first + count; ++i) {
    if (!out.empty()) out += ',';
    out += "f" + std::to_string(i) + "=1";
  }
  return out;
}

TEST(Issue5TableLimitsTest, DedupKeyWithoutTheTenantColumnIsRefused) {
  TempDir dir;
  auto engine = open_engine(dir.path());
  Status status = engine->create_table(snap_schema("tenant", {"entity"}));
  ASSERT_FALSE(status.is_ok());
  EXPECT_EQ(status.code(), ErrorCode::kInvalidInput);
  EXPECT_EQ(status.message(),
            "table \"snap\": the dedup key must include the tenant column \"tenant\" (otherwise "
            "one tenant's rows could replace another's); add it, or declare tenant = none");
  EXPECT_EQ(engine->schema("snap"), std::nullopt);

  // The attack the rule prevents: tenant a's writer reuses tenant b's key and time.
  write_ok(*engine, "snap,tenant=b,entity=e1 v=1 100\n");
  WriteOptions scoped;
  scoped.tenant_scope = "a";
  EXPECT_EQ(write_ok(*engine, "snap,tenant=a,entity=e1 v=666 100\n", scoped).accepted, 1u);
  EXPECT_THAT(table_rows(*engine, "snap"),
              ElementsAre("100 tenant=b entity=e1 v=1", "100 tenant=a entity=e1 v=666"));
}

TEST(Issue5TableLimitsTest, ANamedTenantColumnMustBeInTheDedupKey) {
  TempDir dir;
  auto engine = open_engine(dir.path());
  Status status = engine->create_table(snap_schema("shop", {"tenant", "entity"}));
  ASSERT_FALSE(status.is_ok());
  EXPECT_EQ(status.code(), ErrorCode::kInvalidInput);
  EXPECT_NE(status.message().find("tenant column \"shop\""), std::string::npos) << status.message();
  EXPECT_TRUE(engine->create_table(snap_schema("shop", {"entity", "shop"})).is_ok());
}

TEST(Issue5TableLimitsTest, ATableWithoutTenantMayDedupOnAnyTag) {
  TempDir dir;
  auto engine = open_engine(dir.path());
  EXPECT_TRUE(engine->create_table(snap_schema(std::nullopt, {"entity"})).is_ok());
  write_ok(*engine, "snap,entity=e1 v=1 100\nsnap,entity=e1 v=2 100\n");
  EXPECT_THAT(table_rows(*engine, "snap"), ElementsAre("100 entity=e1 v=2"));
}

TEST(Issue5TableLimitsTest, ALineWiderThanASegmentBlockIsRejectedAndFlushesGoOn) {
  TempDir dir;
  auto engine = open_engine(dir.path());
  WriteReport report = write_ok(*engine, "wide " + fields(4200) + " 1\nok v=1 2\n");
  EXPECT_EQ(report.accepted, 1u);
  ASSERT_EQ(report.rejected.size(), 1u);
  EXPECT_EQ(report.rejected[0].line_number, 1u);
  EXPECT_EQ(report.rejected[0].reason,
            "table \"wide\": the line would make 4201 columns, over the limit of 1024 columns per "
            "table; line not written");
  EXPECT_EQ(engine->table_names(), std::vector<std::string>{"ok"});
  EXPECT_TRUE(engine->flush().is_ok());
  EXPECT_EQ(engine->stats().head_rows, 0u);
}

TEST(Issue5TableLimitsTest, ColumnLimitCountsTheColumnsATableAlreadyHas) {
  TempDir dir;
  EngineOptions options;
  options.max_columns_per_table = 5;
  auto engine = open_engine(dir.path(), options);
  // time, tenant, f0, then f1 and f2: five columns.
  EXPECT_EQ(write_ok(*engine, "m,tenant=a f0=1 1\nm,tenant=a " + fields(2, 1) + " 2\n").accepted,
            2u);
  WriteReport report = write_ok(*engine,
                                "m,tenant=a f3=1 3\n"         // one field too many
                                "m,tenant=a,host=h f0=1 4\n"  // tags are columns too
                                "m,tenant=a f0=2,f2=3 5\n");  // no new column: fine
  EXPECT_EQ(report.accepted, 1u);
  ASSERT_EQ(report.rejected.size(), 2u);
  EXPECT_EQ(report.rejected[0].reason,
            "table \"m\": the line would make 6 columns, over the limit of 5 columns per table; "
            "line not written");
  EXPECT_EQ(engine->schema("m")->columns.size(), 5u);
  EXPECT_TRUE(engine->flush().is_ok());
}

TEST(Issue5TableLimitsTest, CreateTableOverTheColumnLimitIsRefused) {
  TempDir dir;
  EngineOptions options;
  options.max_columns_per_table = 3;
  auto engine = open_engine(dir.path(), options);
  Status status = engine->create_table(snap_schema(std::nullopt, {}));
  ASSERT_FALSE(status.is_ok());
  EXPECT_EQ(status.code(), ErrorCode::kLimitExceeded);
  EXPECT_EQ(status.message(), "table \"snap\": 4 columns exceed the limit of 3 columns per table");
  EXPECT_EQ(engine->schema("snap"), std::nullopt);
}

TEST(Issue5TableLimitsTest, ColumnLimitMustFitTheSegmentFormat) {
  for (size_t limit : {size_t{0}, size_t{4097}}) {
    TempDir dir;
    EngineOptions options;
    options.data_dir = dir.path();
    options.max_columns_per_table = limit;
    auto engine = Engine::open(options);
    ASSERT_FALSE(engine.is_ok()) << limit;
    EXPECT_EQ(engine.error().code, ErrorCode::kInvalidInput);
    EXPECT_EQ(engine.error().message,
              "max_columns_per_table must be between 1 and 4096, got " + std::to_string(limit));
  }
}

TEST(Issue5TableLimitsTest, ALoweredColumnLimitDoesNotRefuseTheReplayedLog) {
  TempDir dir;
  EngineOptions wide;
  wide.max_columns_per_table = 10;
  auto engine = open_engine(dir / "live", wide);
  write_ok(*engine, "m,tenant=a " + fields(4) + " 1\n");
  // The bytes on disk as a crash would leave them: the row is only in the log.
  std::filesystem::copy(dir / "live", dir / "crash", std::filesystem::copy_options::recursive);
  std::filesystem::remove(dir / "crash" / "LOCK");
  EngineOptions narrow;
  narrow.max_columns_per_table = 3;
  auto reopened = open_engine(dir / "crash", narrow);
  ASSERT_NE(reopened, nullptr);
  EXPECT_THAT(table_rows(*reopened, "m"), ElementsAre("1 tenant=a f0=1 f1=1 f2=1 f3=1"));
  // New lines do meet the lowered limit.
  EXPECT_EQ(write_ok(*reopened, "m,tenant=a f0=2 2\n").rejected.size(), 0u);
  EXPECT_EQ(write_ok(*reopened, "m,tenant=a f9=2 3\n").rejected.size(), 1u);
}

TEST(Issue5TableLimitsTest, AColumnNameLongerThanASegmentHoldsIsRejected) {
  TempDir dir;
  auto engine = open_engine(dir.path());
  const std::string long_name(4097, 'k');
  WriteReport report =
      write_ok(*engine, "m,tenant=a " + long_name + "=1 1\nm,tenant=a," + long_name + "=x v=1 2\n");
  EXPECT_EQ(report.accepted, 0u);
  ASSERT_EQ(report.rejected.size(), 2u);
  EXPECT_EQ(report.rejected[0].reason,
            "table \"m\": column name of 4097 bytes exceeds the limit of 4096 bytes");
  EXPECT_EQ(engine->schema("m"), std::nullopt);
  EXPECT_TRUE(engine->flush().is_ok());
}

}  // namespace
}  // namespace tessera::engine
