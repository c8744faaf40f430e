#include "engine/database.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

#include "tests/support/snapshot_rows.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_engine.h"

namespace tessera::engine {
namespace {

using tessera::testing::crash_image;
using tessera::testing::table_rows;
using tessera::testing::TempDir;
using tessera::testing::write_ok;
using ::testing::ElementsAre;

std::unique_ptr<Engine> open_engine(const std::filesystem::path& dir, size_t block_rows = 8192) {
  EngineOptions options;
  options.block_rows = block_rows;
  return tessera::testing::open_test_engine(dir, options);
}

TEST(DatabaseTest, StoresRowsWithNullsForAbsentFieldsAndWidensIntegersIntoFloats) {
  TempDir dir;
  auto engine = open_engine(dir.path());
  WriteReport report = write_ok(*engine,
                                "ad,tenant=a spend=1.5,clicks=3i 100\n"
                                "ad,tenant=b spend=2i 200\n"
                                "ad spend=0.25,note=\"x y\" 300\n");
  EXPECT_EQ(report.accepted, 3u);
  EXPECT_TRUE(report.rejected.empty());
  EXPECT_THAT(table_rows(*engine, "ad"), ElementsAre("100 tenant=a spend=1.5 clicks=3i note=NULL",
                                                     "200 tenant=b spend=2 clicks=NULL note=NULL",
                                                     "300 spend=0.25 clicks=NULL note=\"x y\""));
}

TEST(DatabaseTest, RejectedLinesCreateNothingAndCarryTheirLineNumbers) {
  TempDir dir;
  auto engine = open_engine(dir.path());
  WriteReport report = write_ok(*engine,
                                "ad,tenant=a clicks=3i 100\n"
                                "\n"
                                "ad,tenant=a clicks=2.5,extra=1 200\n"
                                "newtable,tenant=a x=\n"
                                "ad,tenant=a clicks=4i 300\n");
  EXPECT_EQ(report.accepted, 2u);
  ASSERT_EQ(report.rejected.size(), 2u);
  EXPECT_EQ(report.rejected[0].line_number, 3u);
  EXPECT_NE(report.rejected[0].reason.find("clicks"), std::string::npos)
      << report.rejected[0].reason;
  EXPECT_EQ(report.rejected[1].line_number, 4u);
  EXPECT_FALSE(engine->schema("newtable").has_value());
  auto schema = engine->schema("ad");
  ASSERT_TRUE(schema.has_value());
  EXPECT_EQ(schema->find("extra"), nullptr);
  EXPECT_THAT(table_rows(*engine, "ad"),
              ElementsAre("100 tenant=a clicks=3i", "300 tenant=a clicks=4i"));
}

TEST(DatabaseTest, TenantScopedWriterMayWriteOnlyItsTenant) {
  TempDir dir;
  auto engine = open_engine(dir.path());
  WriteOptions scoped;
  scoped.tenant_scope = "a";
  WriteReport report = write_ok(*engine, "m,tenant=a v=1 1\nm,tenant=b v=2 2\nm v=3 3\n", scoped);
  EXPECT_EQ(report.accepted, 1u);
  ASSERT_EQ(report.rejected.size(), 2u);
  EXPECT_EQ(report.rejected[0].line_number, 2u);
  EXPECT_EQ(report.rejected[1].line_number, 3u);
  EXPECT_THAT(table_rows(*engine, "m"), ElementsAre("1 tenant=a v=1"));
}

TEST(DatabaseTest, DedupKeyKeepsTheLatestWriteAcrossBlocksAndFlushes) {
  TempDir dir;
  auto engine = open_engine(dir.path(), /*block_rows=*/2);
  TableSchema schema;
  schema.name = "snap";
  schema.columns = {{"time", ColumnKind::kTime, storage::ColumnType::kInt64},
                    {"tenant", ColumnKind::kTag, storage::ColumnType::kString},
                    {"entity", ColumnKind::kTag, storage::ColumnType::kString}};
  schema.options.dedup_columns = {"tenant", "entity"};
  ASSERT_TRUE(engine->create_table(schema).is_ok());
  write_ok(*engine,
           "snap,tenant=a,entity=e1 spend=1 100\nsnap,tenant=a,entity=e2 spend=2 100\n"
           "snap,tenant=a,entity=e1 spend=3 200\n");
  ASSERT_TRUE(engine->flush().is_ok());
  write_ok(*engine, "snap,tenant=a,entity=e1 spend=10 100\nsnap,tenant=a,entity=e1 spend=11 100\n");
  // The flushed segment is sorted by (tenant, entity, time); the head follows it.
  EXPECT_THAT(table_rows(*engine, "snap"),
              ElementsAre("200 tenant=a entity=e1 spend=3", "100 tenant=a entity=e2 spend=2",
                          "100 tenant=a entity=e1 spend=11"));
}

TEST(DatabaseTest, AnEarlierSnapshotKeepsItsRowsWhenLaterWritesReplaceThem) {
  TempDir dir;
  auto engine = open_engine(dir.path(), /*block_rows=*/2);
  TableSchema schema;
  schema.name = "snap";
  schema.columns = {{"time", ColumnKind::kTime, storage::ColumnType::kInt64},
                    {"entity", ColumnKind::kTag, storage::ColumnType::kString}};
  schema.options.tenant_column.reset();  // a key without it needs a table without one
  schema.options.dedup_columns = {"entity"};
  ASSERT_TRUE(engine->create_table(schema).is_ok());
  write_ok(*engine, "snap,entity=e1 v=1 100\nsnap,entity=e2 v=2 100\nsnap,entity=e1 v=3 100\n");
  auto before = engine->snapshot("snap");
  ASSERT_TRUE(before.is_ok());
  // Seals the first blocks (block_rows = 2) and replaces e2 and e1 again.
  write_ok(*engine, "snap,entity=e2 v=4 100\nsnap,entity=e1 v=5 100\nsnap,entity=e3 v=6 100\n");
  EXPECT_THAT(tessera::testing::snapshot_rows(*before),
              ElementsAre("100 entity=e2 v=2", "100 entity=e1 v=3"));
  EXPECT_THAT(table_rows(*engine, "snap"),
              ElementsAre("100 entity=e2 v=4", "100 entity=e1 v=5", "100 entity=e3 v=6"));
}

TEST(DatabaseTest, CreateTableIsIdempotentButRejectsAnotherDefinition) {
  TempDir dir;
  auto engine = open_engine(dir.path());
  TableSchema schema;
  schema.name = "t";
  schema.columns = {{"time", ColumnKind::kTime, storage::ColumnType::kInt64},
                    {"v", ColumnKind::kField, storage::ColumnType::kInt64}};
  EXPECT_TRUE(engine->create_table(schema).is_ok());
  EXPECT_TRUE(engine->create_table(schema).is_ok());
  schema.columns[1].type = storage::ColumnType::kFloat64;
  Status status = engine->create_table(schema);
  EXPECT_EQ(status.is_ok() ? ErrorCode::kInternal : status.code(), ErrorCode::kInvalidInput);
  // The declared INT column now rejects floats from line protocol.
  WriteReport report = write_ok(*engine, "t v=1.5 1\nt v=2i 2\n");
  EXPECT_EQ(report.accepted, 1u);
}

TEST(DatabaseTest, SyncedRowsSurviveACrashImage) {
  TempDir dir;
  auto engine = open_engine(dir / "live");
  write_ok(*engine, "m,tenant=a v=1i 1\nm,tenant=a v=2i 2\n");
  auto copy = crash_image(dir / "live", dir / "crash");
  auto reopened = open_engine(copy);
  EXPECT_THAT(table_rows(*reopened, "m"), ElementsAre("1 tenant=a v=1i", "2 tenant=a v=2i"));
}

TEST(DatabaseTest, ReplayAfterAFlushRestoresEveryRowExactlyOnce) {
  TempDir dir;
  auto engine = open_engine(dir / "live", /*block_rows=*/3);
  write_ok(*engine, "m v=1i 1\nm v=2i 2\nm v=3i 3\nm v=4i 4\n");
  ASSERT_TRUE(engine->flush().is_ok());
  write_ok(*engine, "m v=5i 5\n");
  auto copy = crash_image(dir / "live", dir / "crash");
  auto reopened = open_engine(copy);
  EXPECT_THAT(table_rows(*reopened, "m"),
              ElementsAre("1 v=1i", "2 v=2i", "3 v=3i", "4 v=4i", "5 v=5i"));
  // And once more after the reopened engine closes cleanly.
  reopened.reset();
  auto again = open_engine(copy);
  EXPECT_EQ(table_rows(*again, "m").size(), 5u);
}

TEST(DatabaseTest, TornLogTailIsCutAndEarlierRowsSurvive) {
  TempDir dir;
  auto engine = open_engine(dir / "live");
  write_ok(*engine, "m v=1i 1\n");
  write_ok(*engine, "m v=2i 2\n");
  auto copy = crash_image(dir / "live", dir / "crash");
  // A half-written record: garbage after the last good one.
  for (const auto& entry : std::filesystem::directory_iterator(copy / "wal")) {
    std::ofstream(entry.path(), std::ios::app | std::ios::binary)
        << std::string("\x13\x00\x00\x00garbage", 11);
  }
  auto reopened = open_engine(copy);
  EXPECT_THAT(table_rows(*reopened, "m"), ElementsAre("1 v=1i", "2 v=2i"));
}

TEST(DatabaseTest, CleanCloseAndReopenKeepsSchemaOptionsAndRows) {
  TempDir dir;
  {
    auto engine = open_engine(dir.path());
    TableSchema schema;
    schema.name = "t";
    schema.columns = {{"time", ColumnKind::kTime, storage::ColumnType::kInt64}};
    schema.options.tenant_column.reset();
    // Long enough that a row at -5 ns (1970) is still kept.
    schema.options.retention_ns = 36'500 * kNanosPerDay;
    ASSERT_TRUE(engine->create_table(schema).is_ok());
    write_ok(*engine, "t,host=h\\ 1 load=0.5 -5\n");
  }
  auto engine = open_engine(dir.path());
  auto schema = engine->schema("t");
  ASSERT_TRUE(schema.has_value());
  EXPECT_FALSE(schema->options.tenant_column.has_value());
  EXPECT_EQ(schema->options.retention_ns, 36'500 * kNanosPerDay);
  EXPECT_THAT(table_rows(*engine, "t"), ElementsAre("-5 host=h 1 load=0.5"));
  EXPECT_EQ(engine->stats().head_rows, 0u);
}

TEST(DatabaseTest, SecondOpenOfTheSameDirectoryIsRefused) {
  TempDir dir;
  auto engine = open_engine(dir.path());
  EngineOptions options;
  options.data_dir = dir.path();
  auto second = Engine::open(options);
  ASSERT_FALSE(second.is_ok());
  EXPECT_EQ(second.error().code, ErrorCode::kUnavailable);
}

TEST(DatabaseTest, UnknownTableSnapshotIsAnError) {
  TempDir dir;
  auto engine = open_engine(dir.path());
  auto snapshot = engine->snapshot("nope");
  ASSERT_FALSE(snapshot.is_ok());
  EXPECT_EQ(snapshot.error().code, ErrorCode::kUnknownTable);
}

TEST(DatabaseTest, ASnapshotOfATimeRangeLeavesOutPartitionsOutsideIt) {
  TempDir dir;
  auto engine = open_engine(dir.path());
  constexpr int64_t kDay = int64_t{86'400'000'000'000};
  write_ok(*engine, "m,tenant=a v=1i " + std::to_string(kDay - 1) + "\nm,tenant=a v=2i " +
                        std::to_string(kDay) + "\n");
  ASSERT_TRUE(engine->flush().is_ok());  // day 0 and day 1 persisted, day 2 in memory
  write_ok(*engine, "m,tenant=a v=3i " + std::to_string(2 * kDay) + "\n");
  auto rows_in = [&](int64_t min_ns, int64_t max_ns) {
    auto snapshot = engine->snapshot("m", TimeRange{min_ns, max_ns});
    EXPECT_TRUE(snapshot.is_ok());
    std::vector<std::string> rows = tessera::testing::snapshot_rows(*snapshot);
    EXPECT_EQ(snapshot->blocks.size() + snapshot->blocks_outside_range, 3u);
    return rows;
  };
  EXPECT_THAT(rows_in(kDay, kDay), ElementsAre("86400000000000 tenant=a v=2i"));
  // The range's ends are inclusive: one nanosecond on each side of midnight.
  EXPECT_THAT(rows_in(kDay - 1, kDay),
              ElementsAre("86399999999999 tenant=a v=1i", "86400000000000 tenant=a v=2i"));
  EXPECT_THAT(rows_in(2 * kDay, INT64_MAX), ElementsAre("172800000000000 tenant=a v=3i"));
  EXPECT_TRUE(rows_in(3 * kDay, INT64_MAX).empty());
  EXPECT_TRUE(rows_in(kDay, kDay - 1).empty());
  EXPECT_EQ(rows_in(INT64_MIN, INT64_MAX).size(), 3u);
}

// The write path caches, from line to line, the table, each key's column and the
// builder's column slots, and each string column's last value. Batches whose lines
// change shape must store what a line-at-a-time reading says (expected rows by hand).
TEST(DatabaseTest, LinesThatChangeShapeWithinABatchStoreEveryValueInItsColumn) {
  TempDir dir;
  auto engine = open_engine(dir.path());
  WriteReport report = write_ok(*engine,
                                "m,tenant=a,host=h1 x=1,n=1i 1\n"
                                "m,tenant=a,host=h1 x=2,n=2i 2\n"       // same shape
                                "m,host=h2,tenant=a n=3i,x=3 3\n"       // reordered
                                "m,tenant=a,host=h2 x=4,up=t,n=4i 4\n"  // new column mid-batch
                                "m,tenant=b x=5 5\n"                    // fewer columns
                                "m,tenant=b,host=h1 n=6,x=6i 6\n"  // n: float into int: conflict
                                "m,tenant=b,host=h1 x=7i,s=\"q\" 7\n"  // int into float, new string
                                "m,tenant=a,host=h1 x=8,n=8i 8\n");
  EXPECT_EQ(report.accepted, 7u);
  ASSERT_EQ(report.rejected.size(), 1u);
  EXPECT_EQ(report.rejected[0].line_number, 6u);
  EXPECT_EQ(report.rejected[0].reason,
            "field \"n\": column is a INT field of table \"m\", got FLOAT");
  EXPECT_THAT(table_rows(*engine, "m"), ElementsAre("1 tenant=a host=h1 x=1 n=1i up=NULL s=NULL",
                                                    "2 tenant=a host=h1 x=2 n=2i up=NULL s=NULL",
                                                    "3 tenant=a host=h2 x=3 n=3i up=NULL s=NULL",
                                                    "4 tenant=a host=h2 x=4 n=4i up=true s=NULL",
                                                    "5 tenant=b x=5 n=NULL up=NULL s=NULL",
                                                    "7 tenant=b host=h1 x=7 n=NULL up=NULL s=\"q\"",
                                                    "8 tenant=a host=h1 x=8 n=8i up=NULL s=NULL"));
}

// Admission by shape (engine/line_shape.h) compares a line with the last line
// admitted, never with a rejected one, and keeps a widened integer a float.
TEST(DatabaseTest, LinesShapedLikeTheLastAdmittedLineFitAsItDid) {
  TempDir dir;
  auto engine = open_engine(dir.path());
  WriteOptions scoped;
  scoped.tenant_scope = "a";
  WriteReport report = write_ok(*engine,
                                "m,tenant=a n=1i,x=1.5 1\n"
                                "m,tenant=a n=2.5,x=2.5 2\n"  // float into int: rejected
                                "m,tenant=a n=3.5,x=3.5 3\n"  // shaped like line 2: rejected too
                                "m,tenant=a n=4i,x=4i 4\n"    // int into float: widened
                                "m,tenant=a n=5i,x=5i 5\n"    // shaped like line 4
                                "m,tenant=b n=6i,x=6i 6\n"    // shaped like line 5, not our tenant
                                "m,tenant=a n=7i,x=7i 7\n",
                                scoped);
  EXPECT_EQ(report.accepted, 4u);
  ASSERT_EQ(report.rejected.size(), 3u);
  EXPECT_EQ(report.rejected[0].line_number, 2u);
  EXPECT_EQ(report.rejected[0].reason,
            "field \"n\": column is a INT field of table \"m\", got FLOAT");
  EXPECT_EQ(report.rejected[1].line_number, 3u);
  EXPECT_EQ(report.rejected[1].reason, report.rejected[0].reason);
  EXPECT_EQ(report.rejected[2].line_number, 6u);
  EXPECT_EQ(report.rejected[2].reason, "tenant \"b\" is not this writer's tenant");
  EXPECT_THAT(table_rows(*engine, "m"), ElementsAre("1 tenant=a n=1i x=1.5", "4 tenant=a n=4i x=4",
                                                    "5 tenant=a n=5i x=5", "7 tenant=a n=7i x=7"));
  auto schema = engine->schema("m");
  ASSERT_TRUE(schema.has_value());
  EXPECT_EQ(schema->find("x")->type, storage::ColumnType::kFloat64);
}

TEST(DatabaseTest, ATypeConflictAfterCachedLinesIsRejectedInAnyLaterBatch) {
  TempDir dir;
  auto engine = open_engine(dir.path());
  write_ok(*engine, "m,tenant=a v=1i,w=1 1\nm,tenant=a v=2i,w=2 2\n");
  WriteReport report = write_ok(*engine,
                                "m,tenant=a v=3i,w=3 3\n"
                                "m,tenant=a v=4,w=4 4\n"       // float into the int64 column
                                "m,tenant=a v=5i,w=\"x\" 5\n"  // string into the float column
                                "m,v=6i,tenant=a w=6 6\n");    // a field named like the tag
  EXPECT_EQ(report.accepted, 1u);
  ASSERT_EQ(report.rejected.size(), 3u);
  EXPECT_EQ(report.rejected[0].reason,
            "field \"v\": column is a INT field of table \"m\", got FLOAT");
  EXPECT_EQ(report.rejected[1].reason,
            "field \"w\": column is a FLOAT field of table \"m\", got STRING");
  EXPECT_EQ(report.rejected[2].reason, "tag \"v\": column is a INT field of table \"m\"");
  EXPECT_THAT(table_rows(*engine, "m"),
              ElementsAre("1 tenant=a v=1i w=1", "2 tenant=a v=2i w=2", "3 tenant=a v=3i w=3"));
}

TEST(DatabaseTest, LinesAlternatingBetweenTablesAndNewTablesInOneBatch) {
  TempDir dir;
  auto engine = open_engine(dir.path());
  write_ok(*engine, "old,tenant=a v=1 1\n");
  WriteReport report = write_ok(*engine,
                                "old,tenant=a v=2 2\n"
                                "new,tenant=a v=1i 1\n"         // a table the batch creates
                                "old,tenant=b v=3,extra=1 3\n"  // a column the batch adds
                                "new,tenant=a v=2.5 2\n"        // conflicts with the staged column
                                "new,tenant=b v=3i,k=\"s\" 3\n"
                                "old,tenant=a v=4 4\n");
  EXPECT_EQ(report.accepted, 5u);
  ASSERT_EQ(report.rejected.size(), 1u);
  EXPECT_EQ(report.rejected[0].line_number, 4u);
  EXPECT_THAT(table_rows(*engine, "old"),
              ElementsAre("1 tenant=a v=1 extra=NULL", "2 tenant=a v=2 extra=NULL",
                          "3 tenant=b v=3 extra=1", "4 tenant=a v=4 extra=NULL"));
  EXPECT_THAT(table_rows(*engine, "new"),
              ElementsAre("1 tenant=a v=1i k=NULL", "3 tenant=b v=3i k=\"s\""));
}

TEST(DatabaseTest, RepeatedAndChangingTagValuesAcrossBatchesAndBlocks) {
  TempDir dir;
  auto engine = open_engine(dir.path(), /*block_rows=*/3);
  std::string batch;
  std::vector<std::string> expected;
  const char* hosts[] = {"a", "a", "b", "b", "b", "a", "c", "a", "a", "d"};
  for (int i = 0; i < 10; ++i) {
    batch += "m,tenant=t,host=" + std::string(hosts[i]) + " v=" + std::to_string(i) + " " +
             std::to_string(i + 1) + "\n";
    expected.push_back(std::to_string(i + 1) + " tenant=t host=" + hosts[i] +
                       " v=" + std::to_string(i));
    if (i == 4) {  // two batches: the second starts with a cached value from the first
      write_ok(*engine, batch);
      batch.clear();
    }
  }
  write_ok(*engine, batch);
  EXPECT_EQ(table_rows(*engine, "m"), expected);
}

TEST(DatabaseTest, UnsortedTagsCountAsTheSameSeriesAsSortedOnes) {
  TempDir dir;
  EngineOptions options;
  options.max_series_per_table = 2;
  auto engine = tessera::testing::open_test_engine(dir.path(), options);
  WriteReport report = write_ok(*engine,
                                "m,a=1,b=2,tenant=t v=1 1\n"
                                "m,tenant=t,b=2,a=1 v=2 2\n"  // the same series, unsorted
                                "m,b=2,a=1,tenant=t v=3 3\n"
                                "m,a=9,tenant=t v=4 4\n"    // the second series
                                "other,tenant=t v=1 1\n"    // another table's own limit
                                "m,a=8,tenant=t v=5 5\n");  // a third: over the limit
  EXPECT_EQ(report.accepted, 5u);
  ASSERT_EQ(report.rejected.size(), 1u);
  EXPECT_EQ(report.rejected[0].line_number, 6u);
  EXPECT_EQ(report.rejected[0].reason,
            "table \"m\": series limit of 2 reached (--max-series); line not written");
}

}  // namespace
}  // namespace tessera::engine
