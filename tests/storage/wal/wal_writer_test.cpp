#include "storage/wal/wal_writer.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <optional>
#include <string>

#include "storage/base/fault_injection.h"
#include "storage/base/file_io.h"
#include "storage/wal/wal_format.h"
#include "storage/wal/wal_reader.h"
#include "tests/support/temp_dir.h"

namespace tessera::storage {
namespace {

using tessera::testing::TempDir;

std::string from_hex(std::string_view hex) {
  std::string out;
  int nibbles = 0, value = 0;
  for (char ch : hex) {
    if (ch == ' ' || ch == '\n') continue;
    value = value * 16 + (ch <= '9' ? ch - '0' : ch - 'a' + 10);
    if (++nibbles == 2) {
      out.push_back(static_cast<char>(value));
      nibbles = value = 0;
    }
  }
  return out;
}

// The worked example of docs/format/wal.md: a header, a record "hi", an empty
// record. The CRCs were computed with an independent bitwise CRC-32C.
TEST(WalWriterTest, WritesTheBytesOfTheDocumentedExample) {
  TempDir dir;
  auto writer = WalWriter::create(dir / "wal");
  ASSERT_TRUE(writer.is_ok()) << writer.status().to_string();
  EXPECT_EQ((*writer)->size_bytes(), 12u);
  auto end = (*writer)->append("hi");
  ASSERT_TRUE(end.is_ok());
  EXPECT_EQ(*end, 22u);
  end = (*writer)->append("");
  ASSERT_TRUE(end.is_ok());
  EXPECT_EQ(*end, 30u);
  ASSERT_TRUE((*writer)->sync().is_ok());
  EXPECT_EQ(*read_file(dir / "wal"), from_hex("54 53 52 41 57 41 4c 00 01 00 00 00"
                                              "59 72 5a 88 02 00 00 00 68 69"
                                              "c7 4b 67 48 00 00 00 00"));
}

TEST(WalWriterTest, CreateRefusesAnExistingFile) {
  TempDir dir;
  ASSERT_TRUE(write_file_durably(dir / "wal", "old").is_ok());
  auto writer = WalWriter::create(dir / "wal");
  ASSERT_FALSE(writer.is_ok());
  EXPECT_EQ(writer.error().code, ErrorCode::kIoError);
  EXPECT_EQ(*read_file(dir / "wal"), "old");
}

TEST(WalWriterTest, RefusesRecordsAboveTheLimitAndWritesNothing) {
  TempDir dir;
  auto writer = WalWriter::create(dir / "wal");
  ASSERT_TRUE(writer.is_ok());
  const std::string huge(wal_format::kMaxRecordBytes + 1, 'x');
  auto end = (*writer)->append(huge);
  ASSERT_FALSE(end.is_ok());
  EXPECT_EQ(end.error().code, ErrorCode::kLimitExceeded);
  EXPECT_EQ((*writer)->size_bytes(), wal_format::kHeaderBytes);
  // The writer is still usable after a refused record.
  EXPECT_TRUE((*writer)->append("ok").is_ok());
}

TEST(WalWriterTest, FailedAppendRemovesItsPartialRecordAndTheWriterStaysUsable) {
  TempDir dir;
  auto writer = WalWriter::create(dir / "wal");
  ASSERT_TRUE(writer.is_ok());
  ASSERT_TRUE((*writer)->append("one").is_ok());
  const std::string before = *read_file(dir / "wal");
  {
    ScopedFault fault(FaultSpec{.op = FaultOp::kAppend, .short_write_bytes = 5});
    auto end = (*writer)->append("two");
    ASSERT_FALSE(end.is_ok());
    EXPECT_EQ(end.error().code, ErrorCode::kIoError);
  }
  EXPECT_FALSE((*writer)->is_failed());
  EXPECT_EQ(*read_file(dir / "wal"), before) << "the 5 bytes were cut off";
  ASSERT_TRUE((*writer)->append("three").is_ok());
  ASSERT_TRUE((*writer)->sync().is_ok());
  auto reader = WalReader::open(dir / "wal");
  ASSERT_TRUE(reader.is_ok());
  EXPECT_EQ(*(*reader)->next(), std::optional<std::string>("one"));
  EXPECT_EQ(*(*reader)->next(), std::optional<std::string>("three"));
  EXPECT_EQ(*(*reader)->next(), std::nullopt);
  EXPECT_FALSE((*reader)->tail_problem().has_value());
}

TEST(WalWriterTest, FailedAppendThatCannotBeCutFailsTheWriter) {
  TempDir dir;
  auto writer = WalWriter::create(dir / "wal");
  ASSERT_TRUE(writer.is_ok());
  {
    // One fault at a time: the append's hook arms the failing cut.
    ScopedFault fault(FaultSpec{.op = FaultOp::kAppend, .short_write_bytes = 5, .on_match = [] {
                                  FaultInjector::arm({.op = FaultOp::kTruncate});
                                }});
    EXPECT_FALSE((*writer)->append("two").is_ok());
  }
  EXPECT_TRUE((*writer)->is_failed());
  EXPECT_EQ((*writer)->append("three").error().code, ErrorCode::kIoError);
  EXPECT_FALSE((*writer)->sync().is_ok());
}

TEST(WalWriterTest, FailedSyncFailsTheWriterForGood) {
  TempDir dir;
  auto writer = WalWriter::create(dir / "wal");
  ASSERT_TRUE(writer.is_ok());
  ASSERT_TRUE((*writer)->append("one").is_ok());
  {
    ScopedFault fault(FaultSpec{.op = FaultOp::kSync, .error = EIO});
    EXPECT_FALSE((*writer)->sync().is_ok());
  }
  EXPECT_TRUE((*writer)->is_failed());
  EXPECT_FALSE((*writer)->sync().is_ok()) << "a retried fsync proves nothing";
  EXPECT_FALSE((*writer)->append("two").is_ok());
}

TEST(WalWriterTest, FailedCreateLeavesNoFile) {
  TempDir dir;
  ScopedFault fault(FaultSpec{.op = FaultOp::kFsyncDirectory});
  auto writer = WalWriter::create(dir / "wal");
  ASSERT_FALSE(writer.is_ok());
  EXPECT_FALSE(std::filesystem::exists(dir / "wal"));
}

}  // namespace
}  // namespace tessera::storage
