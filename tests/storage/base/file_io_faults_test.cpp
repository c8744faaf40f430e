// The fault injector as seen through the file seam: which operation fails, with
// which errno, what a short write leaves, and that disarming restores the disk.
#include <gtest/gtest.h>

#include <filesystem>
#include <vector>

#include "storage/base/fault_injection.h"
#include "storage/base/file_io.h"
#include "tests/support/temp_dir.h"

namespace tessera::storage {
namespace {

using tessera::testing::TempDir;

TEST(FileIoFaultsTest, FailsOnlyTheNthMatchingAppendWithTheGivenErrno) {
  TempDir dir;
  auto file = AppendFile::create(dir / "a.log");
  auto other = AppendFile::create(dir / "b.seg");
  ASSERT_TRUE(file.is_ok() && other.is_ok());
  ScopedFault fault(
      FaultSpec{.op = FaultOp::kAppend, .path_contains = ".log", .first_failure = 2, .error = EIO});
  EXPECT_TRUE((*other)->append("x").is_ok()) << "another path does not match";
  EXPECT_TRUE((*file)->append("one").is_ok());
  Status second = (*file)->append("two");
  ASSERT_FALSE(second.is_ok());
  EXPECT_EQ(second.code(), ErrorCode::kIoError);
  EXPECT_NE(second.message().find("Input/output error"), std::string::npos);
  EXPECT_NE(second.message().find("a.log"), std::string::npos);
  EXPECT_TRUE((*file)->append("three").is_ok()) << "one failure by default";
  EXPECT_EQ(FaultInjector::matched(), 3u);
  EXPECT_EQ(*read_file(dir / "a.log"), "onethree");
}

TEST(FileIoFaultsTest, ShortWriteLeavesThePrefixAndCountsIt) {
  TempDir dir;
  auto file = AppendFile::create(dir / "a.log");
  ASSERT_TRUE(file.is_ok());
  {
    ScopedFault fault(FaultSpec{.op = FaultOp::kAppend, .short_write_bytes = 3});
    EXPECT_FALSE((*file)->append("abcdef").is_ok());
  }
  EXPECT_EQ((*file)->size_bytes(), 3u);
  EXPECT_EQ(*read_file(dir / "a.log"), "abc");
}

TEST(FileIoFaultsTest, FailuresZeroMeansUntilDisarmed) {
  TempDir dir;
  auto file = AppendFile::create(dir / "a.log");
  ASSERT_TRUE(file.is_ok());
  {
    ScopedFault fault(FaultSpec{.op = FaultOp::kSync, .failures = 0});
    for (int i = 0; i < 5; ++i) EXPECT_FALSE((*file)->sync().is_ok());
  }
  EXPECT_TRUE((*file)->sync().is_ok());
}

TEST(FileIoFaultsTest, FailedDurableWriteKeepsTheOldContents) {
  TempDir dir;
  ASSERT_TRUE(write_file_durably(dir / "M", "old").is_ok());
  {
    ScopedFault fault(FaultSpec{.op = FaultOp::kWriteFileDurably});
    Status status = write_file_durably(dir / "M", "new");
    ASSERT_FALSE(status.is_ok());
    EXPECT_NE(status.message().find("No space left on device"), std::string::npos);
  }
  EXPECT_EQ(*read_file(dir / "M"), "old");
  {
    ScopedFault fault(FaultSpec{.op = FaultOp::kFsyncDirectory});
    EXPECT_FALSE(fsync_directory(dir.path()).is_ok());
  }
  EXPECT_TRUE(fsync_directory(dir.path()).is_ok());
}

TEST(FileIoFaultsTest, TruncateCutsAndCanBeMadeToFail) {
  TempDir dir;
  auto file = AppendFile::create(dir / "a.log");
  ASSERT_TRUE(file.is_ok());
  ASSERT_TRUE((*file)->append("abcdef").is_ok());
  {
    ScopedFault fault(FaultSpec{.op = FaultOp::kTruncate, .failures = 0, .error = EIO});
    EXPECT_FALSE((*file)->truncate(2).is_ok());
    EXPECT_FALSE(truncate_file(dir / "a.log", 2).is_ok());
  }
  EXPECT_EQ((*file)->size_bytes(), 6u) << "unchanged by the failed cut";
  ASSERT_TRUE((*file)->truncate(2).is_ok());
  EXPECT_EQ((*file)->size_bytes(), 2u);
  ASSERT_TRUE((*file)->append("xy").is_ok()) << "appends go to the new end";
  EXPECT_EQ(*read_file(dir / "a.log"), "abxy");
}

TEST(FileIoFaultsTest, CreateDirectoriesDurablySyncsTheParentOfEachNewDirectory) {
  TempDir dir;
  const std::filesystem::path deep = dir / "a" / "b" / "c";
  {
    ScopedFault record(FaultSpec{.op = FaultOp::kFsyncDirectory, .first_failure = UINT64_MAX});
    ASSERT_TRUE(create_directories_durably(deep).is_ok());
    EXPECT_EQ(FaultInjector::matched_paths(),
              (std::vector<std::filesystem::path>{dir.path(), dir / "a", dir / "a" / "b"}));
  }
  EXPECT_TRUE(std::filesystem::is_directory(deep));
  {
    ScopedFault record(FaultSpec{.op = FaultOp::kFsyncDirectory, .first_failure = UINT64_MAX});
    ASSERT_TRUE(create_directories_durably(deep).is_ok());
    EXPECT_EQ(FaultInjector::matched(), 0u) << "nothing new, nothing to sync";
  }
  {
    ScopedFault fail(FaultSpec{.op = FaultOp::kFsyncDirectory, .error = EIO});
    Status status = create_directories_durably(dir / "d");
    ASSERT_FALSE(status.is_ok());
    EXPECT_EQ(status.code(), ErrorCode::kIoError);
    EXPECT_NE(status.message().find("fsync directory " + dir.path().string()), std::string::npos);
  }
}

}  // namespace
}  // namespace tessera::storage
