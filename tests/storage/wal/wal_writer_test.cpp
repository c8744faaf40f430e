#include "storage/wal/wal_writer.h"

#include <gtest/gtest.h>

#include <string>

#include "storage/base/file_io.h"
#include "storage/wal/wal_format.h"
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

}  // namespace
}  // namespace tessera::storage
