// The engine under a failing disk (storage/base/fault_injection.h): a failed log
// append fails that write with nothing of it visible, and writes resume once the disk
// has space; a failed fsync stops acknowledgements until a restart; a failed flush
// loses nothing and succeeds once the disk does; damaged files are reported, never
// read as data.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "engine/database.h"
#include "storage/base/fault_injection.h"
#include "storage/base/file_io.h"
#include "tests/support/snapshot_rows.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_engine.h"

namespace tessera::engine {
namespace {

using storage::FaultOp;
using storage::FaultSpec;
using storage::ScopedFault;
using tessera::testing::table_rows;
using tessera::testing::TempDir;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::unique_ptr<Engine> open_engine(const std::filesystem::path& dir) {
  return tessera::testing::open_test_engine(dir);
}

std::string rows_text(int first, int count, const std::string& table = "m") {
  std::string text;
  for (int i = first; i < first + count; ++i) {
    text += table + ",tenant=a v=" + std::to_string(i) + "i " + std::to_string(1000 + i) + "\n";
  }
  return text;
}

// "<t> tenant=a v=<i>i" for the rows rows_text() wrote.
std::vector<std::string> expected_rows(int first, int count) {
  std::vector<std::string> rows;
  for (int i = first; i < first + count; ++i) {
    rows.push_back(std::to_string(1000 + i) + " tenant=a v=" + std::to_string(i) + "i");
  }
  return rows;
}

std::vector<std::filesystem::path> files_in(const std::filesystem::path& dir) {
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  return files;
}

// Issue 4: a failed append used to leave the batch applied in memory (queries saw rows
// whose write had failed) and to refuse every later write until a restart.
TEST(FaultInjectionTest, EnospcOnLogAppendFailsThatWriteWithNothingVisibleAndWritesResume) {
  TempDir dir;
  auto engine = open_engine(dir / "data");
  ASSERT_TRUE(engine->write_text(rows_text(0, 3), {}).is_ok());
  const std::vector<std::filesystem::path> logs = files_in(dir / "data" / "wal");
  ASSERT_EQ(logs.size(), 1u);
  const uint64_t log_bytes = std::filesystem::file_size(logs[0]);
  {
    // A disk that stays full: every append fails until disarmed.
    ScopedFault fault(FaultSpec{.op = FaultOp::kAppend, .path_contains = "/wal/", .failures = 0});
    // Rows of m, a new column of m, and a new table: none of it may appear.
    auto report = engine->write_text(rows_text(3, 2) + "m,tenant=a w=1i 2000\nfresh v=1i 1\n", {});
    ASSERT_FALSE(report.is_ok());
    EXPECT_EQ(report.error().code, ErrorCode::kIoError);
    EXPECT_THAT(report.error().message, HasSubstr("No space left on device"));
    EXPECT_THAT(report.error().message, HasSubstr("nothing of this write was applied"));
    EXPECT_EQ(table_rows(*engine, "m"), expected_rows(0, 3));
    EXPECT_EQ(engine->schema("m")->find("w"), nullptr);
    EXPECT_THAT(engine->table_names(), ElementsAre("m"));
    EXPECT_EQ(engine->stats().rows_written, 3u);
    // Declaring a table fails the same way and creates nothing.
    TableSchema declared = *engine->schema("m");
    declared.name = "declared";
    EXPECT_EQ(engine->create_table(declared).code(), ErrorCode::kIoError);
    EXPECT_THAT(engine->table_names(), ElementsAre("m"));
    // Still full: still refused, still nothing visible.
    EXPECT_FALSE(engine->write_text(rows_text(5, 1), {}).is_ok());
    EXPECT_EQ(table_rows(*engine, "m"), expected_rows(0, 3));
    EXPECT_EQ(std::filesystem::file_size(logs[0]), log_bytes) << "no partial record left";
  }
  // Space is back: writes are acknowledged again, without a restart.
  ASSERT_TRUE(engine->write_text(rows_text(5, 1), {}).is_ok());
  std::vector<std::string> want = expected_rows(0, 3);
  want.push_back(expected_rows(5, 1)[0]);
  EXPECT_EQ(table_rows(*engine, "m"), want);
  // A crash now replays exactly the acknowledged rows.
  std::filesystem::copy(dir / "data", dir / "crash", std::filesystem::copy_options::recursive);
  std::filesystem::remove(dir / "crash" / "LOCK");
  auto crashed = open_engine(dir / "crash");
  EXPECT_EQ(table_rows(*crashed, "m"), want);
  EXPECT_THAT(crashed->table_names(), ElementsAre("m"));
  crashed.reset();
  engine.reset();
  engine = open_engine(dir / "data");
  EXPECT_EQ(table_rows(*engine, "m"), want);
}

TEST(FaultInjectionTest, ShortLogWriteIsRemovedAtOnceAndTheLogKeepsWorking) {
  TempDir dir;
  auto engine = open_engine(dir / "data");
  ASSERT_TRUE(engine->write_text(rows_text(0, 4), {}).is_ok());
  const std::filesystem::path log = files_in(dir / "data" / "wal").back();
  const uint64_t log_bytes = std::filesystem::file_size(log);
  {
    ScopedFault fault(
        FaultSpec{.op = FaultOp::kAppend, .path_contains = "/wal/", .short_write_bytes = 7});
    EXPECT_FALSE(engine->write_text(rows_text(4, 4), {}).is_ok());
  }
  EXPECT_EQ(std::filesystem::file_size(log), log_bytes) << "the 7 bytes were cut again";
  ASSERT_TRUE(engine->write_text(rows_text(8, 1), {}).is_ok());
  std::vector<std::string> want = expected_rows(0, 4);
  want.push_back(expected_rows(8, 1)[0]);
  std::filesystem::copy(dir / "data", dir / "crash", std::filesystem::copy_options::recursive);
  std::filesystem::remove(dir / "crash" / "LOCK");
  auto reopened = open_engine(dir / "crash");
  EXPECT_EQ(table_rows(*reopened, "m"), want);
}

TEST(FaultInjectionTest, ShortLogWriteThatCannotBeCutClosesTheLogUntilRestart) {
  TempDir dir;
  auto engine = open_engine(dir / "data");
  ASSERT_TRUE(engine->write_text(rows_text(0, 4), {}).is_ok());
  {
    // The append writes 7 bytes and fails; then (the injector holds one fault at a
    // time, so the append's hook re-arms it) cutting them off fails too.
    ScopedFault fault(FaultSpec{
        .op = FaultOp::kAppend, .path_contains = "/wal/", .short_write_bytes = 7, .on_match = [] {
          storage::FaultInjector::arm({.op = FaultOp::kTruncate, .path_contains = "/wal/"});
        }});
    auto report = engine->write_text(rows_text(4, 4), {});
    ASSERT_FALSE(report.is_ok());
    EXPECT_THAT(report.error().message, HasSubstr("removing the partial record failed too"));
    EXPECT_THAT(report.error().message, HasSubstr("until the process restarts"));
  }
  // The log ends in garbage that later records would follow: nothing more is taken.
  auto later = engine->write_text(rows_text(8, 1), {});
  ASSERT_FALSE(later.is_ok());
  EXPECT_EQ(later.error().code, ErrorCode::kIoError);
  EXPECT_EQ(table_rows(*engine, "m"), expected_rows(0, 4)) << "nothing of the failed writes";
  // Simulate the crash: leave the half record where it is; the restart cuts it.
  std::filesystem::copy(dir / "data", dir / "crash", std::filesystem::copy_options::recursive);
  std::filesystem::remove(dir / "crash" / "LOCK");
  auto reopened = open_engine(dir / "crash");
  EXPECT_EQ(table_rows(*reopened, "m"), expected_rows(0, 4));
  ASSERT_TRUE(reopened->write_text(rows_text(8, 1), {}).is_ok());
  reopened.reset();
  reopened = open_engine(dir / "crash");
  std::vector<std::string> want = expected_rows(0, 4);
  want.push_back(expected_rows(8, 1)[0]);
  EXPECT_EQ(table_rows(*reopened, "m"), want);
}

TEST(FaultInjectionTest, FailedFsyncFailsSyncAndEveryLaterSync) {
  TempDir dir;
  auto engine = open_engine(dir.path());
  auto report = engine->write(std::vector<InputLine>{{"m,tenant=a v=1i 1", 1}}, {});
  ASSERT_TRUE(report.is_ok());
  {
    ScopedFault fault(FaultSpec{.op = FaultOp::kSync, .path_contains = "/wal/", .error = EIO});
    Status synced = engine->sync(report->lsn);
    ASSERT_FALSE(synced.is_ok());
    EXPECT_EQ(synced.code(), ErrorCode::kIoError);
    EXPECT_THAT(synced.message(), HasSubstr("Input/output error"));
  }
  // The kernel may have dropped the unsynced pages and marked them clean, so a
  // retried fsync could succeed without writing them: stays failed, even with the
  // disk healthy again, and the log takes nothing more.
  auto more = engine->write(std::vector<InputLine>{{"m,tenant=a v=2i 2", 1}}, {});
  ASSERT_FALSE(more.is_ok());
  EXPECT_EQ(more.error().code, ErrorCode::kIoError);
  EXPECT_FALSE(engine->sync(report->lsn).is_ok()) << "never ok after a failed fsync";
  EXPECT_FALSE(engine->write_text("m,tenant=a v=3i 3\n", {}).is_ok());
  EXPECT_THAT(table_rows(*engine, "m"), ElementsAre("1 tenant=a v=1i"))
      << "the refused writes are not visible";
  // A restart replays the log and takes writes again.
  engine.reset();
  engine = open_engine(dir.path());
  EXPECT_THAT(table_rows(*engine, "m"), ElementsAre("1 tenant=a v=1i"));
  EXPECT_TRUE(engine->write_text("m,tenant=a v=4i 4\n", {}).is_ok());
}

TEST(FaultInjectionTest, FlushFailingOnSegmentWriteKeepsRowsAndSucceedsWhenSpaceReturns) {
  TempDir dir;
  auto engine = open_engine(dir.path());
  ASSERT_TRUE(engine->write_text(rows_text(0, 5), {}).is_ok());
  {
    // A disk that stays full for the whole flush.
    ScopedFault fault(
        FaultSpec{.op = FaultOp::kAppend, .path_contains = "/segments/", .failures = 0});
    Status flushed = engine->flush();
    ASSERT_FALSE(flushed.is_ok());
    EXPECT_THAT(flushed.message(), HasSubstr("No space left on device"));
    EXPECT_EQ(table_rows(*engine, "m"), expected_rows(0, 5));
    ASSERT_TRUE(engine->write_text(rows_text(5, 1), {}).is_ok()) << "the log still works";
  }
  ASSERT_TRUE(engine->flush().is_ok());
  EXPECT_EQ(table_rows(*engine, "m"), expected_rows(0, 6));
  engine.reset();
  engine = open_engine(dir.path());
  EXPECT_EQ(table_rows(*engine, "m"), expected_rows(0, 6));
}

TEST(FaultInjectionTest, FlushFailingOnManifestKeepsRowsAndAlsoSurvivesACrash) {
  TempDir dir;
  auto engine = open_engine(dir / "data");
  ASSERT_TRUE(engine->write_text(rows_text(0, 5), {}).is_ok());
  {
    ScopedFault fault(FaultSpec{.op = FaultOp::kWriteFileDurably, .path_contains = "MANIFEST"});
    Status flushed = engine->flush();
    ASSERT_FALSE(flushed.is_ok());
    EXPECT_EQ(table_rows(*engine, "m"), expected_rows(0, 5));
    // A crash now: the old manifest and the log still describe every row.
    std::filesystem::copy(dir / "data", dir / "crash", std::filesystem::copy_options::recursive);
    std::filesystem::remove(dir / "crash" / "LOCK");
  }
  auto crashed = open_engine(dir / "crash");
  EXPECT_EQ(table_rows(*crashed, "m"), expected_rows(0, 5));
  crashed.reset();

  ASSERT_TRUE(engine->write_text(rows_text(5, 1), {}).is_ok());
  ASSERT_TRUE(engine->flush().is_ok());
  EXPECT_EQ(table_rows(*engine, "m"), expected_rows(0, 6));
  engine.reset();
  engine = open_engine(dir / "data");
  EXPECT_EQ(table_rows(*engine, "m"), expected_rows(0, 6));
}

TEST(FaultInjectionTest, TruncatedLogRecordIsCutAtOpen) {
  TempDir dir;
  auto engine = open_engine(dir / "data");
  ASSERT_TRUE(engine->write_text(rows_text(0, 2), {}).is_ok());
  ASSERT_TRUE(engine->write_text(rows_text(2, 2), {}).is_ok());
  std::filesystem::copy(dir / "data", dir / "crash", std::filesystem::copy_options::recursive);
  std::filesystem::remove(dir / "crash" / "LOCK");
  engine.reset();
  std::vector<std::filesystem::path> logs = files_in(dir / "crash" / "wal");
  ASSERT_FALSE(logs.empty());
  const std::filesystem::path log = logs.back();
  const uint64_t size = std::filesystem::file_size(log);
  // Cut inside the last record (its body is the 2 lines of rows_text(2, 2)).
  ASSERT_TRUE(storage::truncate_file(log, size - 5).is_ok());
  auto reopened = open_engine(dir / "crash");
  EXPECT_EQ(table_rows(*reopened, "m"), expected_rows(0, 2));
  EXPECT_LT(std::filesystem::file_size(log), size - 5) << "the torn record was cut";
}

// Writes rows of tables "good" and "bad" to segments and closes the engine.
// Returns the segment file holding "bad".
std::filesystem::path two_flushed_tables(const std::filesystem::path& data) {
  auto engine = open_engine(data);
  EXPECT_TRUE(engine->write_text(rows_text(0, 3, "good"), {}).is_ok());
  EXPECT_TRUE(engine->flush().is_ok());
  EXPECT_TRUE(engine->write_text(rows_text(0, 50, "bad"), {}).is_ok());
  EXPECT_TRUE(engine->flush().is_ok());
  engine.reset();
  std::vector<std::filesystem::path> segments = files_in(data / "segments");
  EXPECT_EQ(segments.size(), 2u);
  return segments.empty() ? std::filesystem::path() : segments.back();
}

TEST(FaultInjectionTest, UnreadableSegmentFailsOnlyItsTableAndIsListed) {
  TempDir dir;
  const std::filesystem::path bad = two_flushed_tables(dir.path());
  // Cut the footer off: the file no longer opens.
  ASSERT_TRUE(storage::truncate_file(bad, std::filesystem::file_size(bad) / 2).is_ok());
  auto engine = open_engine(dir.path());
  ASSERT_NE(engine, nullptr);
  EXPECT_EQ(table_rows(*engine, "good"), expected_rows(0, 3));
  auto snapshot = engine->snapshot("bad");
  ASSERT_FALSE(snapshot.is_ok());
  EXPECT_EQ(snapshot.error().code, ErrorCode::kCorruption);
  EXPECT_THAT(snapshot.error().message, HasSubstr(bad.filename().string()));
  EngineStats stats = engine->stats();
  ASSERT_EQ(stats.damaged_files.size(), 1u);
  EXPECT_THAT(stats.damaged_files[0], HasSubstr(bad.filename().string()));
  // New rows for the damaged table are still taken and flushed; the damaged file is
  // kept (not deleted) for repair.
  ASSERT_TRUE(engine->write_text(rows_text(100, 1, "bad"), {}).is_ok());
  ASSERT_TRUE(engine->flush().is_ok());
  engine.reset();
  EXPECT_TRUE(std::filesystem::exists(bad));
}

TEST(FaultInjectionTest, FlippedByteInASegmentIsReportedAsCorruptionNamingTheFile) {
  TempDir dir;
  const std::filesystem::path original = two_flushed_tables(dir / "original");
  const std::string bytes = *storage::read_file(original);
  const std::vector<std::string> want = expected_rows(0, 50);
  int errors = 0;
  // Each flip must give the exact rows or kCorruption. Every 29th byte (a prime
  // stride, so fields and bit positions vary) and the last 32 bytes
  // (footer length, version, magic) keep this under a few seconds.
  std::vector<size_t> offsets;
  for (size_t offset = 0; offset < bytes.size(); offset += 29) offsets.push_back(offset);
  for (size_t offset = bytes.size() > 32 ? bytes.size() - 32 : 0; offset < bytes.size(); ++offset)
    offsets.push_back(offset);
  for (size_t offset : offsets) {
    SCOPED_TRACE("flipped byte " + std::to_string(offset));
    const std::filesystem::path copy = dir / "copy";
    std::filesystem::remove_all(copy);
    std::filesystem::copy(dir / "original", copy, std::filesystem::copy_options::recursive);
    std::string damaged = bytes;
    damaged[offset] = static_cast<char>(damaged[offset] ^ (1 << (offset % 8)));
    {
      std::ofstream out(copy / "segments" / original.filename(),
                        std::ios::binary | std::ios::trunc);
      out << damaged;
    }
    auto engine = open_engine(copy);
    ASSERT_NE(engine, nullptr);
    auto snapshot = engine->snapshot("bad");
    Status problem = snapshot.status();
    std::vector<std::string> rows;
    if (snapshot.is_ok()) {
      for (const BlockView& view : snapshot->blocks) {
        auto block = view.source->load();
        if (!block.is_ok()) {
          problem = block.status();
          break;
        }
      }
      if (problem.is_ok()) rows = table_rows(*engine, "bad");
    }
    if (problem.is_ok()) {
      EXPECT_EQ(rows, want);
    } else {
      ++errors;
      EXPECT_EQ(problem.code(), ErrorCode::kCorruption) << problem.to_string();
      EXPECT_THAT(problem.message(), HasSubstr(original.filename().string()));
    }
    EXPECT_EQ(table_rows(*engine, "good"), expected_rows(0, 3));
  }
  EXPECT_GT(errors, static_cast<int>(offsets.size()) / 2);
}

}  // namespace
}  // namespace tessera::engine
