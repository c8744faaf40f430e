#include "storage/base/file_io.h"

#include <gtest/gtest.h>

#include <fstream>
#include <thread>
#include <vector>

#include "tests/support/temp_dir.h"

namespace tessera::storage {
namespace {

using tessera::testing::TempDir;

void write_plain(const std::filesystem::path& path, const std::string& contents) {
  std::ofstream out(path, std::ios::binary);
  out << contents;
}

TEST(FileIoTest, ReadFileReturnsWholeContents) {
  TempDir dir;
  std::string contents(100000, '\0');
  for (size_t i = 0; i < contents.size(); ++i) contents[i] = static_cast<char>(i * 7);
  write_plain(dir / "f", contents);
  auto read = read_file(dir / "f");
  ASSERT_TRUE(read.is_ok()) << read.status().to_string();
  EXPECT_EQ(*read, contents);
}

TEST(FileIoTest, ReadFileOfMissingFileIsNotFound) {
  TempDir dir;
  auto read = read_file(dir / "missing");
  ASSERT_FALSE(read.is_ok());
  EXPECT_EQ(read.error().code, ErrorCode::kNotFound);
  EXPECT_NE(read.error().message.find("missing"), std::string::npos);
}

TEST(FileIoTest, ReadFileOfDirectoryIsIoError) {
  TempDir dir;
  auto read = read_file(dir.path());
  ASSERT_FALSE(read.is_ok());
  EXPECT_EQ(read.error().code, ErrorCode::kIoError);
}

TEST(FileIoTest, WriteFileDurablyReplacesContentsAndLeavesNoTempFile) {
  TempDir dir;
  ASSERT_TRUE(write_file_durably(dir / "m", "first version").is_ok());
  ASSERT_TRUE(write_file_durably(dir / "m", "second").is_ok());
  EXPECT_EQ(*read_file(dir / "m"), "second");
  EXPECT_FALSE(std::filesystem::exists(dir / "m.tmp"));
  ASSERT_TRUE(write_file_durably(dir / "empty", "").is_ok());
  EXPECT_EQ(*read_file(dir / "empty"), "");
}

TEST(FileIoTest, WriteFileDurablyIntoMissingDirectoryFails) {
  TempDir dir;
  Status status = write_file_durably(dir / "no" / "such" / "f", "x");
  ASSERT_FALSE(status.is_ok());
  EXPECT_NE(status.message().find("no/such"), std::string::npos);
}

TEST(FileIoTest, FsyncDirectoryWorksOnDirectoriesOnly) {
  TempDir dir;
  EXPECT_TRUE(fsync_directory(dir.path()).is_ok());
  EXPECT_EQ(fsync_directory(dir / "missing").code(), ErrorCode::kNotFound);
}

TEST(FileIoTest, TruncateFileCutsToSize) {
  TempDir dir;
  write_plain(dir / "f", "0123456789");
  ASSERT_TRUE(truncate_file(dir / "f", 4).is_ok());
  EXPECT_EQ(*read_file(dir / "f"), "0123");
  EXPECT_EQ(truncate_file(dir / "missing", 0).code(), ErrorCode::kNotFound);
}

TEST(FileIoTest, AppendFileCreateRefusesExistingFile) {
  TempDir dir;
  write_plain(dir / "f", "x");
  auto file = AppendFile::create(dir / "f");
  ASSERT_FALSE(file.is_ok());
  EXPECT_EQ(file.error().code, ErrorCode::kIoError);
  EXPECT_NE(file.error().message.find("File exists"), std::string::npos) << file.error().message;
}

TEST(FileIoTest, AppendFileAppendsAndCountsBytes) {
  TempDir dir;
  auto file = AppendFile::create(dir / "f");
  ASSERT_TRUE(file.is_ok()) << file.status().to_string();
  EXPECT_EQ((*file)->size_bytes(), 0u);
  EXPECT_EQ((*file)->path(), dir / "f");
  ASSERT_TRUE((*file)->append("abc").is_ok());
  ASSERT_TRUE((*file)->append("").is_ok());
  ASSERT_TRUE((*file)->append(std::string(1 << 20, 'z')).is_ok());
  ASSERT_TRUE((*file)->sync().is_ok());
  EXPECT_EQ((*file)->size_bytes(), 3u + (1u << 20));
  EXPECT_EQ(*read_file(dir / "f"), "abc" + std::string(1 << 20, 'z'));
}

TEST(FileIoTest, AppendFileOpenExistingAppendsAtEnd) {
  TempDir dir;
  write_plain(dir / "f", "head");
  auto file = AppendFile::open_existing(dir / "f");
  ASSERT_TRUE(file.is_ok()) << file.status().to_string();
  EXPECT_EQ((*file)->size_bytes(), 4u);
  ASSERT_TRUE((*file)->append("tail").is_ok());
  EXPECT_EQ((*file)->size_bytes(), 8u);
  file->reset();
  EXPECT_EQ(*read_file(dir / "f"), "headtail");
  EXPECT_EQ(AppendFile::open_existing(dir / "missing").error().code, ErrorCode::kNotFound);
}

TEST(FileIoTest, RandomAccessFileReadsRanges) {
  TempDir dir;
  write_plain(dir / "f", "0123456789");
  auto file = RandomAccessFile::open(dir / "f");
  ASSERT_TRUE(file.is_ok());
  EXPECT_EQ((*file)->size_bytes(), 10u);
  std::string out;
  ASSERT_TRUE((*file)->read_at(3, 4, &out).is_ok());
  EXPECT_EQ(out, "3456");
  ASSERT_TRUE((*file)->read_at(10, 0, &out).is_ok());
  EXPECT_EQ(out, "");
  ASSERT_TRUE((*file)->read_at(0, 10, &out).is_ok());
  EXPECT_EQ(out, "0123456789");
}

TEST(FileIoTest, RandomAccessFileReadsIntoACallersBuffer) {
  TempDir dir;
  write_plain(dir / "f", "0123456789");
  auto file = RandomAccessFile::open(dir / "f");
  ASSERT_TRUE(file.is_ok());
  char buffer[6] = {'x', 'x', 'x', 'x', 'x', 'x'};
  ASSERT_TRUE((*file)->read_at(6, std::span<char>(buffer, 4)).is_ok());
  EXPECT_EQ(std::string_view(buffer, 6), "6789xx");  // only the span is written
  const Status past_end = (*file)->read_at(7, std::span<char>(buffer, 4));
  EXPECT_EQ(past_end.code(), ErrorCode::kCorruption);
  EXPECT_NE(past_end.message().find((dir / "f").string() + " @ 7"), std::string::npos)
      << past_end.message();
  EXPECT_EQ((*file)->read_at(UINT64_MAX, std::span<char>(buffer, 1)).code(),
            ErrorCode::kCorruption);
}

TEST(FileIoTest, RandomAccessFileReadPastEndIsCorruptionNamingPathAndOffset) {
  TempDir dir;
  write_plain(dir / "f", "0123456789");
  auto file = RandomAccessFile::open(dir / "f");
  ASSERT_TRUE(file.is_ok());
  std::string out;
  Status status = (*file)->read_at(8, 3, &out);
  ASSERT_FALSE(status.is_ok());
  EXPECT_EQ(status.code(), ErrorCode::kCorruption);
  EXPECT_NE(status.message().find((dir / "f").string() + " @ 8"), std::string::npos)
      << status.message();
  // Absurd offsets and lengths are refused before anything is allocated.
  EXPECT_EQ((*file)->read_at(UINT64_MAX, 1, &out).code(), ErrorCode::kCorruption);
  EXPECT_EQ((*file)->read_at(0, SIZE_MAX, &out).code(), ErrorCode::kCorruption);
}

TEST(FileIoTest, RandomAccessFileShortReadAfterShrinkIsCorruption) {
  TempDir dir;
  write_plain(dir / "f", "0123456789");
  auto file = RandomAccessFile::open(dir / "f");
  ASSERT_TRUE(file.is_ok());
  ASSERT_TRUE(truncate_file(dir / "f", 5).is_ok());
  std::string out;
  Status status = (*file)->read_at(2, 6, &out);
  ASSERT_FALSE(status.is_ok());
  EXPECT_EQ(status.code(), ErrorCode::kCorruption);
  EXPECT_NE(status.message().find("@ 5"), std::string::npos) << status.message();
  char buffer[6];
  EXPECT_EQ((*file)->read_at(2, std::span<char>(buffer, 6)).code(), ErrorCode::kCorruption);
}

TEST(FileIoTest, RandomAccessFileReadsConcurrently) {
  TempDir dir;
  std::string contents(64 * 1024, '\0');
  for (size_t i = 0; i < contents.size(); ++i) contents[i] = static_cast<char>(i % 251);
  write_plain(dir / "f", contents);
  auto file = RandomAccessFile::open(dir / "f");
  ASSERT_TRUE(file.is_ok());
  const RandomAccessFile& shared = **file;
  std::vector<std::thread> threads;
  std::vector<int> mismatches(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      std::string out;
      for (size_t offset = static_cast<size_t>(t); offset + 100 <= contents.size(); offset += 997) {
        if (!shared.read_at(offset, 100, &out).is_ok() || out != contents.substr(offset, 100)) {
          ++mismatches[static_cast<size_t>(t)];
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(mismatches, std::vector<int>(4, 0));
}

}  // namespace
}  // namespace tessera::storage
