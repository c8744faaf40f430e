// Retention: the cutoff arithmetic, and partitions dropped through the Database by a
// manifest edit that survives reopen, with late rows for them refused.
#include "engine/retention.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <limits>

#include "engine/database.h"
#include "tests/support/snapshot_rows.h"
#include "tests/support/temp_dir.h"

namespace tessera::engine {
namespace {

using tessera::testing::table_rows;
using tessera::testing::TempDir;
using ::testing::ElementsAre;

constexpr int64_t kHour = 3600 * kNanosPerSecond;

TEST(RetentionTest, PartitionExpiresOnceItsEndIsAtOrBeforeNowMinusRetention) {
  const int64_t day = kNanosPerDay;
  // Retention 2 days, now = day 5 + 1 h: the cutoff is day 3 + 1 h.
  EXPECT_TRUE(is_partition_expired(2 * day, day, 2 * day, 5 * day + kHour));
  EXPECT_FALSE(is_partition_expired(3 * day, day, 2 * day, 5 * day + kHour));
  // An end exactly at the cutoff has nothing newer than it: expired.
  EXPECT_TRUE(is_partition_expired(2 * day, day, 2 * day, 5 * day));
  EXPECT_FALSE(is_partition_expired(0, day, std::nullopt, 100 * day));
  EXPECT_EQ(retention_cutoff_ns(std::numeric_limits<int64_t>::min() + 5, 10),
            std::numeric_limits<int64_t>::min());
  EXPECT_FALSE(is_partition_expired(std::numeric_limits<int64_t>::max() - 1, day, day,
                                    std::numeric_limits<int64_t>::max()));
}

struct Clock {
  std::shared_ptr<std::atomic<int64_t>> now = std::make_shared<std::atomic<int64_t>>(0);
};

std::unique_ptr<Database> open_database(const std::filesystem::path& dir, const Clock& clock) {
  EngineOptions options;
  options.data_dir = dir;
  options.background_maintenance = false;
  options.clock_ns = [now = clock.now] { return now->load(); };
  auto database = Database::open(options);
  EXPECT_TRUE(database.is_ok()) << database.status().to_string();
  return database.is_ok() ? std::move(database).value() : nullptr;
}

std::string row(int day, int v) {
  return "r,tenant=a v=" + std::to_string(v) + "i " + std::to_string(day * kNanosPerDay) + "\n";
}

TEST(RetentionTest, DropsExpiredPartitionsInSegmentsAndMemoryAndSurvivesReopen) {
  TempDir dir;
  Clock clock;
  clock.now->store(kNanosPerDay);
  auto db = open_database(dir.path(), clock);
  TableSchema schema;
  schema.name = "r";
  schema.columns = {{"time", ColumnKind::kTime, storage::ColumnType::kInt64}};
  schema.options.retention_ns = 2 * kNanosPerDay;
  ASSERT_TRUE(db->create_table(schema).is_ok());
  ASSERT_TRUE(db->write_text(row(0, 0) + row(1, 1) + row(2, 2) + row(3, 3), {}).is_ok());
  ASSERT_TRUE(db->flush().is_ok());
  // Day 1 also has rows in memory; day 4 only there. A table without retention keeps all.
  ASSERT_TRUE(db->write_text(row(1, 11) + row(4, 4) + "keep v=1i 0\n", {}).is_ok());

  clock.now->store(5 * kNanosPerDay + kHour);  // cutoff: day 3 + 1 h
  ASSERT_TRUE(db->apply_retention(clock.now->load()).is_ok());
  EXPECT_THAT(table_rows(*db, "r"),
              ElementsAre("259200000000000 tenant=a v=3i", "345600000000000 tenant=a v=4i"));
  EXPECT_THAT(table_rows(*db, "keep"), ElementsAre("0 v=1i"));
  EXPECT_EQ(db->stats().partitions_dropped, 3u);
  EXPECT_EQ(db->stats().segments, 1u);   // day 3 of "r"
  EXPECT_EQ(db->stats().head_rows, 2u);  // day 4 and "keep"

  // A late row for a dropped partition is refused; one inside the retention is not.
  auto report = db->write_text(row(2, 22) + row(4, 44), {});
  ASSERT_TRUE(report.is_ok());
  EXPECT_EQ(report->accepted, 1u);
  ASSERT_EQ(report->rejected.size(), 1u);
  EXPECT_NE(report->rejected[0].reason.find("retention"), std::string::npos)
      << report->rejected[0].reason;

  db.reset();  // clean close: flush
  auto reopened = open_database(dir.path(), clock);
  EXPECT_THAT(table_rows(*reopened, "r"),
              ElementsAre("259200000000000 tenant=a v=3i", "345600000000000 tenant=a v=4i",
                          "345600000000000 tenant=a v=44i"));
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir / "segments"),
                          std::filesystem::directory_iterator()),
            3);  // r day 3, r day 4, keep day 0
}

TEST(RetentionTest, ReplayedRowsOfADroppedPartitionAreDroppedAgain) {
  TempDir dir;
  Clock clock;
  clock.now->store(kNanosPerDay);
  auto db = open_database(dir / "live", clock);
  TableSchema schema;
  schema.name = "r";
  schema.columns = {{"time", ColumnKind::kTime, storage::ColumnType::kInt64}};
  schema.options.retention_ns = kNanosPerDay;
  ASSERT_TRUE(db->create_table(schema).is_ok());
  ASSERT_TRUE(db->write_text(row(0, 0) + row(3, 3), {}).is_ok());
  clock.now->store(3 * kNanosPerDay);
  ASSERT_TRUE(db->apply_retention(clock.now->load()).is_ok());
  // A crash now: the log still holds the day-0 row, which replay accepts.
  std::filesystem::copy(dir / "live", dir / "crash", std::filesystem::copy_options::recursive);
  std::filesystem::remove(dir / "crash" / "LOCK");
  auto reopened = open_database(dir / "crash", clock);
  EXPECT_EQ(table_rows(*reopened, "r").size(), 2u);
  ASSERT_TRUE(reopened->apply_retention(clock.now->load()).is_ok());
  EXPECT_THAT(table_rows(*reopened, "r"), ElementsAre("259200000000000 tenant=a v=3i"));
}

}  // namespace
}  // namespace tessera::engine
