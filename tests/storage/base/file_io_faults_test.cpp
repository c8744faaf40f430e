// The fault injector as seen through the file seam: which operation fails, with
// which errno, what a short write leaves, and that disarming restores the disk.
#include <gtest/gtest.h>

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

}  // namespace
}  // namespace tessera::storage
