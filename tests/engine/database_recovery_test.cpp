// Opening a data directory (engine/database_recovery.cpp), issue 4: a bad record in a
// log file that is not the newest is damage and fails the open, naming the file and
// offset and leaving the file alone; only the newest log's torn tail is cut (and
// logged); the directories an open creates are fsynced into their parents.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "engine/engine.h"
#include "storage/base/fault_injection.h"
#include "storage/base/file_io.h"
#include "tests/support/snapshot_rows.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_engine.h"

namespace tessera::engine {
namespace {

namespace fs = std::filesystem;
using storage::FaultInjector;
using storage::FaultOp;
using storage::FaultSpec;
using storage::ScopedFault;
using tessera::testing::crash_image;
using tessera::testing::table_rows;
using tessera::testing::TempDir;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

Result<std::unique_ptr<Engine>> try_open(const fs::path& dir) {
  EngineOptions options;
  options.data_dir = dir;
  options.background_maintenance = false;
  return Engine::open(options);
}

std::unique_ptr<Engine> open_engine(const fs::path& dir) {
  auto engine = try_open(dir);
  EXPECT_TRUE(engine.is_ok()) << engine.status().to_string();
  return engine.is_ok() ? std::move(engine).value() : nullptr;
}

void write(Engine& engine, const std::string& text) {
  auto report = engine.write_text(text, {});
  ASSERT_TRUE(report.is_ok()) << report.status().to_string();
}

std::vector<fs::path> logs_in(const fs::path& data) {
  std::vector<fs::path> logs;
  for (const auto& entry : fs::directory_iterator(data / "wal")) logs.push_back(entry.path());
  std::sort(logs.begin(), logs.end());
  return logs;
}

// A data directory with two live log files, as two crashes without a flush leave it:
// the older holds rows 1 and 2 (one record each), the newer row 3.
fs::path two_logs(const TempDir& dir) {
  {
    auto engine = open_engine(dir / "first");
    write(*engine, "m v=1i 1\n");
    write(*engine, "m v=2i 2\n");
    crash_image(dir / "first", dir / "second");
  }
  {
    auto engine = open_engine(dir / "second");
    write(*engine, "m v=3i 3\n");
    crash_image(dir / "second", dir / "two_logs");
  }
  return dir / "two_logs";
}

TEST(DatabaseRecoveryTest, TwoLogsReplayInOrder) {
  TempDir dir;
  const fs::path data = two_logs(dir);
  ASSERT_EQ(logs_in(data).size(), 2u);
  auto engine = open_engine(data);
  EXPECT_THAT(table_rows(*engine, "m"), ElementsAre("1 v=1i", "2 v=2i", "3 v=3i"));
}

TEST(DatabaseRecoveryTest, FlippedByteInAnOlderLogFailsOpenNamingFileAndOffsetAndKeepsIt) {
  TempDir dir;
  const fs::path data = two_logs(dir);
  const fs::path older = logs_in(data).front();
  std::string bytes = *storage::read_file(older);
  // The last byte of the older log is in the payload of its second record.
  bytes.back() = static_cast<char>(bytes.back() ^ 0x01);
  ASSERT_TRUE(storage::write_file_durably(older, bytes).is_ok());

  auto engine = try_open(data);
  ASSERT_FALSE(engine.is_ok()) << "acknowledged rows must not be dropped silently";
  EXPECT_EQ(engine.error().code, ErrorCode::kCorruption);
  EXPECT_THAT(engine.error().message, HasSubstr(older.string() + " @ "));
  EXPECT_THAT(engine.error().message, HasSubstr("checksum mismatch"));
  EXPECT_THAT(engine.error().message, HasSubstr("not the newest log file"));
  EXPECT_EQ(*storage::read_file(older), bytes) << "the damaged file is left untouched";
  EXPECT_EQ(logs_in(data).size(), 2u);
  // Opening again fails the same way: nothing was cut or flushed meanwhile.
  auto again = try_open(data);
  ASSERT_FALSE(again.is_ok());
  EXPECT_EQ(again.error().code, ErrorCode::kCorruption);
}

TEST(DatabaseRecoveryTest, TruncatedRecordInAnOlderLogIsCorruptionToo) {
  TempDir dir;
  const fs::path data = two_logs(dir);
  const fs::path older = logs_in(data).front();
  const uint64_t size = fs::file_size(older);
  ASSERT_TRUE(storage::truncate_file(older, size - 3).is_ok());

  auto engine = try_open(data);
  ASSERT_FALSE(engine.is_ok());
  EXPECT_EQ(engine.error().code, ErrorCode::kCorruption);
  EXPECT_THAT(engine.error().message, HasSubstr(older.string() + " @ "));
  EXPECT_THAT(engine.error().message, HasSubstr("torn record"));
  EXPECT_EQ(fs::file_size(older), size - 3) << "not cut";
}

TEST(DatabaseRecoveryTest, TornTailOfTheNewestLogIsCutAndLogged) {
  TempDir dir;
  const fs::path data = two_logs(dir);
  const fs::path newer = logs_in(data).back();
  const uint64_t size = fs::file_size(newer);
  ASSERT_TRUE(storage::truncate_file(newer, size - 3).is_ok());

  ::testing::internal::CaptureStderr();
  auto engine = try_open(data);
  const std::string warnings = ::testing::internal::GetCapturedStderr();
  ASSERT_TRUE(engine.is_ok()) << engine.status().to_string();
  EXPECT_THAT(warnings, HasSubstr(newer.string() + ": cutting torn log tail at byte "));
  // Row 3 was in the torn record (never acknowledged: its sync could not have
  // covered a record that did not reach the disk whole).
  EXPECT_THAT(table_rows(**engine, "m"), ElementsAre("1 v=1i", "2 v=2i"));
  EXPECT_LT(fs::file_size(newer), size - 3) << "the torn record was cut";
}

// Every fsync of a directory during one Engine::open of `data`, in order.
std::vector<fs::path> directory_fsyncs_of_open(const fs::path& data) {
  ScopedFault record(FaultSpec{.op = FaultOp::kFsyncDirectory, .first_failure = UINT64_MAX});
  auto engine = open_engine(data);
  return FaultInjector::matched_paths();
}

TEST(DatabaseRecoveryTest, CreatingTheDataDirectoryFsyncsEachNewDirectoryIntoItsParent) {
  TempDir dir;
  const fs::path data = dir / "parent" / "data";
  const std::vector<fs::path> synced = directory_fsyncs_of_open(data);
  auto position = [&](const fs::path& p) {
    return std::find(synced.begin(), synced.end(), p) - synced.begin();
  };
  const auto end = static_cast<ptrdiff_t>(synced.size());
  // parent/ into the temp dir, data/ into parent/, wal/ and segments/ into data/,
  // each before the first log file (whose creation fsyncs wal/).
  ASSERT_LT(position(dir.path()), end);
  ASSERT_LT(position(dir / "parent"), end);
  ASSERT_LT(position(data), end);
  EXPECT_LT(position(dir.path()), position(dir / "parent"));
  EXPECT_LT(position(dir / "parent"), position(data));
  EXPECT_LT(position(data), position(data / "wal"));
  EXPECT_GE(std::count(synced.begin(), synced.end(), data), 2)
      << "once for wal/, once for segments/";

  // An existing directory is not created again, so only the new log's entry is synced.
  const std::vector<fs::path> reopened = directory_fsyncs_of_open(data);
  EXPECT_THAT(reopened, ElementsAre(data / "wal"));
}

TEST(DatabaseRecoveryTest, FailedDirectoryFsyncOnCreationFailsOpen) {
  TempDir dir;
  const fs::path data = dir / "data";
  {
    // The first directory fsync of the open: the temp dir, taking data/'s entry.
    ScopedFault fail(FaultSpec{
        .op = FaultOp::kFsyncDirectory, .path_contains = dir.path().string(), .error = EIO});
    auto engine = try_open(data);
    ASSERT_FALSE(engine.is_ok());
    EXPECT_EQ(engine.error().code, ErrorCode::kIoError);
    EXPECT_THAT(engine.error().message, HasSubstr("fsync directory " + dir.path().string() + ":"));
    EXPECT_EQ(FaultInjector::matched_paths().front(), dir.path());
  }
  auto engine = open_engine(data);
  ASSERT_NE(engine, nullptr);
  write(*engine, "m v=1i 1\n");
}

}  // namespace
}  // namespace tessera::engine
