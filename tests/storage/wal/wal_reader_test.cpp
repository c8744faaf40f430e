#include "storage/wal/wal_reader.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "storage/base/file_io.h"
#include "storage/wal/wal_format.h"
#include "storage/wal/wal_writer.h"
#include "tests/support/temp_dir.h"

namespace tessera::storage {
namespace {

using tessera::testing::TempDir;

struct ReadBack {
  std::vector<std::string> records;
  uint64_t valid_bytes = 0;
  std::optional<std::string> tail_problem;
};

// Reads every record of `path`; fails the test on an I/O error.
ReadBack read_all(const std::filesystem::path& path) {
  ReadBack out;
  auto reader = WalReader::open(path);
  EXPECT_TRUE(reader.is_ok()) << reader.status().to_string();
  if (!reader.is_ok()) return out;
  while (true) {
    auto record = (*reader)->next();
    EXPECT_TRUE(record.is_ok()) << record.status().to_string();
    if (!record.is_ok() || !record->has_value()) break;
    out.records.push_back(std::move(**record));
  }
  // Once ended, the log stays ended.
  auto again = (*reader)->next();
  EXPECT_TRUE(again.is_ok() && !again->has_value());
  out.valid_bytes = (*reader)->valid_bytes();
  out.tail_problem = (*reader)->tail_problem();
  return out;
}

// Writes `payloads` and returns the end offset of each record.
std::vector<uint64_t> write_log(const std::filesystem::path& path,
                                const std::vector<std::string>& payloads) {
  auto writer = WalWriter::create(path);
  EXPECT_TRUE(writer.is_ok()) << writer.status().to_string();
  std::vector<uint64_t> ends;
  for (const std::string& payload : payloads) {
    auto end = (*writer)->append(payload);
    EXPECT_TRUE(end.is_ok());
    ends.push_back(*end);
  }
  EXPECT_TRUE((*writer)->sync().is_ok());
  return ends;
}

std::vector<std::string> sample_payloads() {
  std::vector<std::string> payloads = {"", "a", std::string(5000, 'b'), "",
                                       std::string(3 << 20, 'c')};  // larger than the read-ahead
  std::mt19937 rng(7);
  for (int i = 0; i < 200; ++i) {
    std::string payload(rng() % 300, '\0');
    for (char& ch : payload) ch = static_cast<char>(rng());
    payloads.push_back(payload);
  }
  return payloads;
}

TEST(WalReaderTest, RoundTripsManyRecordsIncludingEmptyAndLarge) {
  TempDir dir;
  const std::vector<std::string> payloads = sample_payloads();
  const std::vector<uint64_t> ends = write_log(dir / "wal", payloads);
  ReadBack back = read_all(dir / "wal");
  EXPECT_EQ(back.records, payloads);
  EXPECT_EQ(back.valid_bytes, ends.back());
  EXPECT_EQ(back.valid_bytes, std::filesystem::file_size(dir / "wal"));
  EXPECT_FALSE(back.tail_problem.has_value());
}

TEST(WalReaderTest, EmptyLogHasNoRecords) {
  TempDir dir;
  write_log(dir / "wal", {});
  ReadBack back = read_all(dir / "wal");
  EXPECT_TRUE(back.records.empty());
  EXPECT_EQ(back.valid_bytes, wal_format::kHeaderBytes);
  EXPECT_FALSE(back.tail_problem.has_value());
}

TEST(WalReaderTest, CutsTornTailAtEveryPosition) {
  TempDir dir;
  const std::vector<std::string> payloads = {"first", "", std::string(40, 'x'), "last!"};
  const std::vector<uint64_t> ends = write_log(dir / "full", payloads);
  const std::string full = *read_file(dir / "full");
  for (size_t cut = wal_format::kHeaderBytes; cut <= full.size(); ++cut) {
    SCOPED_TRACE("cut at " + std::to_string(cut));
    const auto path = dir / ("cut" + std::to_string(cut));
    ASSERT_TRUE(write_file_durably(path, full.substr(0, cut)).is_ok());
    // Expected independently from the record ends: every record ending at or before the cut.
    size_t whole = 0;
    while (whole < ends.size() && ends[whole] <= cut) ++whole;
    const uint64_t good_end = whole == 0 ? wal_format::kHeaderBytes : ends[whole - 1];
    ReadBack back = read_all(path);
    EXPECT_EQ(back.records, std::vector<std::string>(payloads.begin(), payloads.begin() + whole));
    EXPECT_EQ(back.valid_bytes, good_end);
    EXPECT_EQ(back.tail_problem.has_value(), good_end != cut);
    if (back.tail_problem) {
      EXPECT_NE(back.tail_problem->find("torn"), std::string::npos) << *back.tail_problem;
      EXPECT_NE(back.tail_problem->find("@ " + std::to_string(good_end)), std::string::npos);
    }
    std::filesystem::remove(path);
  }
}

TEST(WalReaderTest, FlippedByteInMiddleRecordEndsTheLogThere) {
  TempDir dir;
  const std::vector<std::string> payloads = {"alpha", "bravo-charlie", "delta"};
  const std::vector<uint64_t> ends = write_log(dir / "full", payloads);
  const std::string full = *read_file(dir / "full");
  // Every byte of the middle record: crc, length and payload.
  for (uint64_t at = ends[0]; at < ends[1]; ++at) {
    for (int bit = 0; bit < 8; ++bit) {
      SCOPED_TRACE("byte " + std::to_string(at) + " bit " + std::to_string(bit));
      std::string damaged = full;
      damaged[at] = static_cast<char>(damaged[at] ^ (1 << bit));
      ASSERT_TRUE(write_file_durably(dir / "damaged", damaged).is_ok());
      ReadBack back = read_all(dir / "damaged");
      EXPECT_EQ(back.records, std::vector<std::string>{"alpha"});
      EXPECT_EQ(back.valid_bytes, ends[0]);
      ASSERT_TRUE(back.tail_problem.has_value());
    }
  }
}

TEST(WalReaderTest, AbsurdLengthEndsTheLog) {
  TempDir dir;
  const std::vector<uint64_t> ends = write_log(dir / "full", {"one", "two"});
  std::string bytes = *read_file(dir / "full");
  // Second record's length field := 0xFFFFFFFF.
  for (int i = 0; i < 4; ++i) bytes[ends[0] + 4 + static_cast<uint64_t>(i)] = '\xFF';
  ASSERT_TRUE(write_file_durably(dir / "damaged", bytes).is_ok());
  ReadBack back = read_all(dir / "damaged");
  EXPECT_EQ(back.records, std::vector<std::string>{"one"});
  EXPECT_EQ(back.valid_bytes, ends[0]);
  ASSERT_TRUE(back.tail_problem.has_value());
  EXPECT_NE(back.tail_problem->find("exceeds the limit"), std::string::npos) << *back.tail_problem;
}

TEST(WalReaderTest, ZeroFilledTailIsCorruptNotEmptyRecords) {
  TempDir dir;
  write_log(dir / "full", {"x"});
  std::string bytes = *read_file(dir / "full") + std::string(64, '\0');
  ASSERT_TRUE(write_file_durably(dir / "zeros", bytes).is_ok());
  ReadBack back = read_all(dir / "zeros");
  EXPECT_EQ(back.records, std::vector<std::string>{"x"});
  EXPECT_TRUE(back.tail_problem.has_value());
}

TEST(WalReaderTest, BadFileHeaderIsCorruption) {
  TempDir dir;
  write_log(dir / "good", {"x"});
  const std::string good = *read_file(dir / "good");
  for (size_t cut = 0; cut < wal_format::kHeaderBytes; ++cut) {
    ASSERT_TRUE(write_file_durably(dir / "short", good.substr(0, cut)).is_ok());
    auto reader = WalReader::open(dir / "short");
    ASSERT_FALSE(reader.is_ok());
    EXPECT_EQ(reader.error().code, ErrorCode::kCorruption) << "cut " << cut;
  }
  for (size_t at = 0; at < wal_format::kHeaderBytes; ++at) {
    std::string damaged = good;
    damaged[at] = static_cast<char>(damaged[at] ^ 0x10);
    ASSERT_TRUE(write_file_durably(dir / "damaged", damaged).is_ok());
    auto reader = WalReader::open(dir / "damaged");
    ASSERT_FALSE(reader.is_ok()) << "byte " << at;
    EXPECT_EQ(reader.error().code, ErrorCode::kCorruption);
  }
  EXPECT_EQ(WalReader::open(dir / "missing").error().code, ErrorCode::kNotFound);
}

TEST(WalReaderTest, WriterReportsTheOffsetsTheReaderValidates) {
  TempDir dir;
  const std::vector<std::string> payloads = {"a", "bb", "ccc"};
  const std::vector<uint64_t> ends = write_log(dir / "wal", payloads);
  // Independent arithmetic: header 12, then 8 + payload bytes per record.
  EXPECT_EQ(ends, (std::vector<uint64_t>{12 + 9, 12 + 9 + 10, 12 + 9 + 10 + 11}));
  auto reader = WalReader::open(dir / "wal");
  ASSERT_TRUE(reader.is_ok());
  for (size_t i = 0; i < payloads.size(); ++i) {
    auto record = (*reader)->next();
    ASSERT_TRUE(record.is_ok() && record->has_value());
    EXPECT_EQ((*reader)->valid_bytes(), ends[i]);
  }
}

}  // namespace
}  // namespace tessera::storage
