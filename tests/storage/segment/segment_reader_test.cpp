#include "storage/segment/segment_reader.h"

#include <gtest/gtest.h>
#include <zstd.h>

#include <cmath>
#include <cstdint>
#include <random>
#include <thread>

#include "storage/base/crc32c.h"
#include "storage/base/file_io.h"
#include "storage/base/little_endian.h"
#include "storage/segment/segment_format.h"
#include "storage/segment/segment_writer.h"
#include "tests/storage/segment/segment_test_blocks.h"
#include "tests/support/temp_dir.h"

namespace tessera::storage {
namespace {

using tessera::testing::TempDir;
using testing::render;
using testing::write_bytes;

// Opens `path` and reads every block. Returns ok only when everything read back
// equals `expected`; any failure must be kCorruption (never a crash, never wrong
// data reported as ok).
Status open_and_read_all(const std::filesystem::path& path, const std::vector<Block>& expected) {
  auto reader = SegmentReader::open(path);
  if (!reader.is_ok()) return reader.status();
  if ((*reader)->block_count() != expected.size()) {
    return make_error(ErrorCode::kInternal, "block count changed but open() succeeded");
  }
  for (size_t b = 0; b < expected.size(); ++b) {
    auto block = (*reader)->read_block(b);
    if (!block.is_ok()) return block.status();
    if (render(*block) != render(expected[b])) {
      return make_error(ErrorCode::kInternal, "block " + std::to_string(b) + " read back wrong");
    }
  }
  return Status::ok();
}

class SegmentReaderDamageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // Small (every byte is damaged in turn) but covering every column type, NULLs
    // and a column missing from one block.
    blocks_.resize(2);
    blocks_[0].time_ns = {5, -3, 9};
    blocks_[0].column_names = {"i", "f", "b", "s"};
    blocks_[0].columns = {
        testing::int_column({1, 0, -1}, {1, 0, 1}), testing::float_column({-0.0, 2.5, 1e300}),
        testing::bool_column({1, 0, 1}), testing::string_column({"a", ""}, {1, 0, 1}, {1, 1, 0})};
    blocks_[1].time_ns = {1};
    blocks_[1].column_names = {"i"};
    blocks_[1].columns = {testing::int_column({7})};
    ASSERT_TRUE(write_segment(dir_ / "seg", blocks_).is_ok());
    bytes_ = *read_file(dir_ / "seg");
  }

  TempDir dir_;
  std::vector<Block> blocks_;
  std::string bytes_;
};

TEST_F(SegmentReaderDamageTest, EveryTruncationIsCorruption) {
  // Every length near the ends, where the header, trailer and footer live; a
  // dense sample through the chunks in between.
  for (size_t length = 0; length < bytes_.size();
       length += (length < 64 || length + 400 > bytes_.size()) ? 1 : 3) {
    SCOPED_TRACE("length " + std::to_string(length));
    write_bytes(dir_ / "cut", bytes_.substr(0, length));
    Status status = open_and_read_all(dir_ / "cut", blocks_);
    ASSERT_FALSE(status.is_ok());
    ASSERT_EQ(status.code(), ErrorCode::kCorruption) << status.to_string();
  }
}

TEST_F(SegmentReaderDamageTest, EveryFlippedByteIsCorruption) {
  // One bit per byte, cycling through the bit positions.
  for (size_t at = 0; at < bytes_.size(); ++at) {
    const int bit = static_cast<int>(at % 8);
    SCOPED_TRACE("byte " + std::to_string(at) + " bit " + std::to_string(bit));
    std::string damaged = bytes_;
    damaged[at] = static_cast<char>(damaged[at] ^ (1 << bit));
    write_bytes(dir_ / "flip", damaged);
    Status status = open_and_read_all(dir_ / "flip", blocks_);
    ASSERT_FALSE(status.is_ok()) << "damage went unnoticed";
    ASSERT_EQ(status.code(), ErrorCode::kCorruption) << status.to_string();
    ASSERT_NE(status.message().find((dir_ / "flip").string() + " @ "), std::string::npos)
        << status.message();
  }
}

TEST_F(SegmentReaderDamageTest, AppendedBytesAreCorruption) {
  write_bytes(dir_ / "long", bytes_ + "x");
  EXPECT_EQ(open_and_read_all(dir_ / "long", blocks_).code(), ErrorCode::kCorruption);
  write_bytes(dir_ / "prefixed", "x" + bytes_);
  EXPECT_EQ(open_and_read_all(dir_ / "prefixed", blocks_).code(), ErrorCode::kCorruption);
}

// The FlatBuffers footer of a version-2 segment, out of its zstd frame.
std::string footer_of(const std::string& bytes) {
  const size_t trailer = bytes.size() - segment_format::kTrailerBytes;
  const uint64_t footer_offset = load_u64(bytes.data() + trailer);
  const uint32_t footer_size = load_u32(bytes.data() + trailer + 8);
  const char* frame = bytes.data() + footer_offset;
  std::string footer(ZSTD_getFrameContentSize(frame, footer_size), '\0');
  EXPECT_EQ(ZSTD_decompress(footer.data(), footer.size(), frame, footer_size), footer.size());
  return footer;
}

// `bytes` with its footer replaced by `footer` in a fresh zstd frame, and the
// trailer's size and crc rewritten, so that only the field checks stand between
// a patched footer and the data.
std::string with_footer(const std::string& bytes, const std::string& footer) {
  const size_t trailer = bytes.size() - segment_format::kTrailerBytes;
  const uint64_t footer_offset = load_u64(bytes.data() + trailer);
  std::string frame(ZSTD_compressBound(footer.size()), '\0');
  frame.resize(ZSTD_compress(frame.data(), frame.size(), footer.data(), footer.size(), 3));
  std::string out = bytes.substr(0, footer_offset) + frame;
  append_u64(&out, footer_offset);
  append_u32(&out, static_cast<uint32_t>(frame.size()));
  append_u32(&out, crc32c(frame));
  out += bytes.substr(trailer + 16);  // version and magic
  return out;
}

std::string with_patched_u32(std::string footer, size_t at, uint32_t value) {
  std::memcpy(footer.data() + at, &value, 4);
  return footer;
}

TEST_F(SegmentReaderDamageTest, AbsurdRawSizeIsRejectedAtOpen) {
  // Block 0's time chunk reference: offset 12 (right after the header), a vector
  // chunk of 3 rows stored without zstd (compressed size == raw size). Find it in
  // the footer and make the raw size absurd.
  const std::string footer = footer_of(bytes_);
  size_t found = 0;
  for (size_t at = 0; at + 16 <= footer.size(); ++at) {
    if (load_u64(footer.data() + at) == 12 &&
        load_u32(footer.data() + at + 8) == load_u32(footer.data() + at + 12)) {
      found = at;
    }
  }
  ASSERT_NE(found, 0u) << "time chunk reference not found";
  // The unpatched footer, recompressed, still opens: the patch alone is the damage.
  write_bytes(dir_ / "same", with_footer(bytes_, footer));
  ASSERT_TRUE(open_and_read_all(dir_ / "same", blocks_).is_ok());
  for (uint32_t raw_size : {0xFFFFFFFFu, segment_format::kMaxChunkRawBytes + 1,
                            load_u32(footer.data() + found + 12) + 1, 0u}) {
    SCOPED_TRACE("raw size " + std::to_string(raw_size));
    write_bytes(dir_ / "absurd",
                with_footer(bytes_, with_patched_u32(footer, found + 12, raw_size)));
    auto reader = SegmentReader::open(dir_ / "absurd");
    ASSERT_FALSE(reader.is_ok());
    EXPECT_EQ(reader.error().code, ErrorCode::kCorruption);
    EXPECT_NE(reader.error().message.find("raw size"), std::string::npos) << reader.error().message;
  }
  // A compressed size that runs into the next chunk breaks the tiling.
  const uint32_t compressed = load_u32(footer.data() + found + 8);
  write_bytes(dir_ / "overlap",
              with_footer(bytes_, with_patched_u32(footer, found + 8, compressed + 1)));
  auto reader = SegmentReader::open(dir_ / "overlap");
  ASSERT_FALSE(reader.is_ok());
  EXPECT_EQ(reader.error().code, ErrorCode::kCorruption);
}

TEST_F(SegmentReaderDamageTest, FooterThatIsNoSizedZstdFrameIsCorruption) {
  const std::string footer = footer_of(bytes_);
  // The FlatBuffer stored without its zstd frame, with a valid crc.
  const size_t trailer = bytes_.size() - segment_format::kTrailerBytes;
  const uint64_t footer_offset = load_u64(bytes_.data() + trailer);
  std::string unframed = bytes_.substr(0, footer_offset) + footer;
  append_u64(&unframed, footer_offset);
  append_u32(&unframed, static_cast<uint32_t>(footer.size()));
  append_u32(&unframed, crc32c(footer));
  unframed += bytes_.substr(trailer + 16);
  write_bytes(dir_ / "unframed", unframed);
  auto reader = SegmentReader::open(dir_ / "unframed");
  ASSERT_FALSE(reader.is_ok());
  EXPECT_EQ(reader.error().code, ErrorCode::kCorruption);
  EXPECT_NE(reader.error().message.find("zstd frame"), std::string::npos) << reader.error().message;
}

TEST(SegmentReaderTest, MissingFileIsNotFound) {
  TempDir dir;
  EXPECT_EQ(SegmentReader::open(dir / "missing").error().code, ErrorCode::kNotFound);
}

TEST(SegmentReaderTest, ReadsBlocksConcurrently) {
  TempDir dir;
  const std::vector<Block> blocks = testing::random_blocks(11, 16, 500);
  ASSERT_TRUE(write_segment(dir / "seg", blocks).is_ok());
  auto reader = SegmentReader::open(dir / "seg");
  ASSERT_TRUE(reader.is_ok());
  std::shared_ptr<const SegmentReader> shared = *reader;
  std::vector<std::thread> threads;
  std::vector<int> mismatches(4, 0);
  for (size_t t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (size_t b = t; b < blocks.size() * 4; b += 3) {
        auto block = shared->read_block(b % blocks.size());
        if (!block.is_ok() || render(*block) != render(blocks[b % blocks.size()])) ++mismatches[t];
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(mismatches, std::vector<int>(4, 0));
}

TEST(SegmentReaderTest, ReadColumnsReturnsTimeAndOnlyTheNamedColumns) {
  TempDir dir;
  Block block;
  block.time_ns = {3, 1, 2};
  block.column_names = {"a", "b", "c"};
  block.columns = {testing::int_column({1, 2, 3}), testing::float_column({0.5, -0.0, 2}),
                   testing::string_column({"x", "y"}, {1, 1, 0})};
  ASSERT_TRUE(write_segment(dir / "seg", std::vector<Block>{block}).is_ok());
  auto reader = SegmentReader::open(dir / "seg");
  ASSERT_TRUE(reader.is_ok());
  // Asked in another order, with a repeat and a name the block lacks.
  const std::vector<std::string> names = {"c", "missing", "a", "c"};
  auto got = (*reader)->read_columns(0, names);
  ASSERT_TRUE(got.is_ok()) << got.status().to_string();
  Block expected;
  expected.time_ns = block.time_ns;
  expected.column_names = {"a", "c"};
  expected.columns = {block.columns[0], block.columns[2]};
  EXPECT_EQ(render(*got), render(expected));
  auto none = (*reader)->read_columns(0, {});
  ASSERT_TRUE(none.is_ok());
  EXPECT_EQ(none->time_ns, block.time_ns);
  EXPECT_TRUE(none->columns.empty());
}

TEST(SegmentReaderTest, ReadColumnsVerifiesOnlyTheChunksItReads) {
  TempDir dir;
  Block block;
  block.time_ns = {1, 2};
  block.column_names = {"a", "b"};
  block.columns = {testing::int_column({1, 2}), testing::int_column({3, 4})};
  ASSERT_TRUE(write_segment(dir / "seg", std::vector<Block>{block}).is_ok());
  auto reader = SegmentReader::open(dir / "seg");
  ASSERT_TRUE(reader.is_ok());
  // Damage column b's chunk: a and time still read, b and the whole block fail.
  const uint64_t b_offset = (*reader)->column_chunk(0, 1).offset;
  std::string bytes = *read_file(dir / "seg");
  bytes[b_offset] = static_cast<char>(bytes[b_offset] ^ 1);
  write_bytes(dir / "damaged", bytes);
  auto damaged = SegmentReader::open(dir / "damaged");
  ASSERT_TRUE(damaged.is_ok());
  const std::vector<std::string> a = {"a"};
  const std::vector<std::string> b = {"b"};
  EXPECT_TRUE((*damaged)->read_columns(0, a).is_ok());
  EXPECT_EQ((*damaged)->read_columns(0, b).error().code, ErrorCode::kCorruption);
  EXPECT_EQ((*damaged)->read_block(0).error().code, ErrorCode::kCorruption);
}

// read_columns reads a block's wanted chunks in one pread when they lie close
// together, and chunk by chunk when other columns' bytes would outweigh them
// (here the big middle column): every subset of columns reads as read_block does.
TEST(SegmentReaderTest, EverySubsetOfColumnsReadsAsTheWholeBlock) {
  TempDir dir;
  std::mt19937_64 rng(5);
  Block block;
  const size_t rows = 3000;
  for (size_t r = 0; r < rows; ++r) block.time_ns.push_back(static_cast<int64_t>(r * 900));
  std::vector<int64_t> small(rows), noisy(rows);
  std::vector<double> money(rows);
  for (size_t r = 0; r < rows; ++r) {
    small[r] = static_cast<int64_t>(r % 7);
    noisy[r] = static_cast<int64_t>(rng());  // incompressible: the biggest chunk
    money[r] = static_cast<double>(rng() % 100'000) / 100.0;
  }
  block.column_names = {"a", "b", "big", "c", "d"};
  block.columns = {testing::int_column(small), testing::float_column(money),
                   testing::int_column(noisy), testing::int_column(small),
                   testing::float_column(money)};
  ASSERT_TRUE(write_segment(dir / "seg", std::vector<Block>{block}).is_ok());
  auto reader = SegmentReader::open(dir / "seg");
  ASSERT_TRUE(reader.is_ok());
  auto whole = (*reader)->read_block(0);
  ASSERT_TRUE(whole.is_ok()) << whole.status().to_string();
  EXPECT_EQ(render(*whole), render(block));
  for (unsigned subset = 0; subset < 32; ++subset) {
    std::vector<std::string> names;
    Block expected;
    expected.time_ns = block.time_ns;
    for (size_t c = 0; c < 5; ++c) {
      if ((subset >> c & 1) == 0) continue;
      names.push_back(block.column_names[c]);
      expected.column_names.push_back(block.column_names[c]);
      expected.columns.push_back(block.columns[c]);
    }
    SCOPED_TRACE(::testing::PrintToString(names));
    auto got = (*reader)->read_columns(0, names);
    ASSERT_TRUE(got.is_ok()) << got.status().to_string();
    EXPECT_EQ(render(*got), render(expected));
  }
}

// A file cut short after it was opened: a read that spans the lost bytes fails,
// and the chunks before the cut still read, each verified on its own.
TEST(SegmentReaderTest, FileCutAfterOpenFailsOnlyTheChunksItLost) {
  TempDir dir;
  Block block;
  block.time_ns = {1, 2, 3};
  block.column_names = {"a", "b"};
  block.columns = {testing::int_column({1, 2, 3}), testing::int_column({4, 5, 6})};
  ASSERT_TRUE(write_segment(dir / "seg", std::vector<Block>{block}).is_ok());
  auto reader = SegmentReader::open(dir / "seg");
  ASSERT_TRUE(reader.is_ok());
  const uint64_t b_offset = (*reader)->column_chunk(0, 1).offset;
  ASSERT_TRUE(truncate_file(dir / "seg", b_offset + 1).is_ok());
  const std::vector<std::string> a = {"a"};
  const std::vector<std::string> a_and_b = {"a", "b"};
  auto first = (*reader)->read_columns(0, a);
  ASSERT_TRUE(first.is_ok()) << first.status().to_string();
  EXPECT_EQ(first->columns[0].ints, block.columns[0].ints);
  auto both = (*reader)->read_columns(0, a_and_b);
  ASSERT_FALSE(both.is_ok());
  EXPECT_EQ(both.error().code, ErrorCode::kCorruption);
  EXPECT_NE(both.error().message.find("@ " + std::to_string(b_offset + 1)), std::string::npos)
      << both.error().message;
}

TEST(SegmentReaderTest, FooterKeepsSums) {
  TempDir dir;
  Block block;
  block.time_ns = {1, 2, 3};
  block.column_names = {"i", "f", "big", "b"};
  block.columns = {testing::int_column({5, 100, -7}, {1, 0, 1}),
                   testing::float_column({0.5, 0.25, -2}), testing::int_column({INT64_MAX, 1, 0}),
                   testing::bool_column({1, 1, 0})};
  ASSERT_TRUE(write_segment(dir / "seg", std::vector<Block>{block}).is_ok());
  auto reader = SegmentReader::open(dir / "seg");
  ASSERT_TRUE(reader.is_ok());
  EXPECT_EQ((*reader)->version(), segment_format::kVersion);
  const BlockStats& stats = (*reader)->block_stats(0);
  EXPECT_TRUE(stats.columns[0].has_sum);
  EXPECT_TRUE(stats.columns[0].sum_int_exact);
  EXPECT_EQ(stats.columns[0].sum_int, -2);  // 5 + -7, the NULL row skipped
  EXPECT_TRUE(stats.columns[1].has_sum);
  EXPECT_EQ(stats.columns[1].sum_float, -1.25);
  EXPECT_TRUE(stats.columns[2].has_sum);
  EXPECT_FALSE(stats.columns[2].sum_int_exact);  // INT64_MAX + 1 overflows
  EXPECT_EQ(stats.columns[3].sum_int, 2);
}

TEST(SegmentReaderTest, ReadsVersionOneFilesWithUnknownSums) {
  TempDir dir;
  const std::vector<Block> blocks = testing::random_blocks(5, 6, 300);
  ASSERT_TRUE(
      write_segment(dir / "v1", blocks, SegmentWriteOptions{segment_format::kVersion1}).is_ok());
  const std::string bytes = *read_file(dir / "v1");
  EXPECT_EQ(bytes.substr(8, 4), std::string("\x01\0\0\0", 4));
  auto reader = SegmentReader::open(dir / "v1");
  ASSERT_TRUE(reader.is_ok()) << reader.status().to_string();
  EXPECT_EQ((*reader)->version(), segment_format::kVersion1);
  for (size_t b = 0; b < blocks.size(); ++b) {
    EXPECT_EQ((*reader)->time_chunk(b).encoding, segment_format::kEncodingPlainZstd);
    auto block = (*reader)->read_block(b);
    ASSERT_TRUE(block.is_ok()) << block.status().to_string();
    EXPECT_EQ(render(*block), render(blocks[b]));
    for (const ColumnStats& stats : (*reader)->block_stats(b).columns) {
      EXPECT_FALSE(stats.has_sum);
      EXPECT_FALSE(stats.sum_int_exact);
      EXPECT_TRUE(std::isnan(stats.sum_float));
    }
  }
  EXPECT_EQ(write_segment(dir / "v9", blocks, SegmentWriteOptions{9}).code(),
            ErrorCode::kInvalidInput);
}

TEST(SegmentReaderTest, DamagedVersionOneFileIsCorruption) {
  TempDir dir;
  Block block;
  block.time_ns = {5, -3};
  block.column_names = {"i", "s"};
  block.columns = {testing::int_column({1, 0}, {1, 0}), testing::string_column({"a"}, {0, 0})};
  const std::vector<Block> blocks = {block};
  ASSERT_TRUE(
      write_segment(dir / "v1", blocks, SegmentWriteOptions{segment_format::kVersion1}).is_ok());
  const std::string bytes = *read_file(dir / "v1");
  for (size_t at = 0; at < bytes.size(); ++at) {
    SCOPED_TRACE("byte " + std::to_string(at));
    std::string damaged = bytes;
    damaged[at] = static_cast<char>(damaged[at] ^ (1 << (at % 8)));
    write_bytes(dir / "flip", damaged);
    Status status = open_and_read_all(dir / "flip", blocks);
    ASSERT_EQ(status.code(), ErrorCode::kCorruption) << status.to_string();
  }
}

// A vector chunk goes through zstd only when that saves kZstdMinSavingsPercent.
TEST(SegmentReaderTest, ZstdStageOnlyWhenItPays) {
  TempDir dir;
  Block block;
  for (int64_t i = 0; i < 4000; ++i) block.time_ns.push_back(i * 900);
  std::vector<std::string> dictionary;
  for (int i = 0; i < 200; ++i)
    dictionary.push_back("campaign_name_that_repeats_" + std::to_string(i));
  std::vector<uint32_t> codes;
  for (uint32_t i = 0; i < 4000; ++i) codes.push_back(i / 20);
  std::mt19937_64 rng(7);
  std::vector<int64_t> noise;
  for (int i = 0; i < 4000; ++i) noise.push_back(static_cast<int64_t>(rng()));
  block.column_names = {"s", "noise"};
  block.columns = {testing::string_column(dictionary, codes), testing::int_column(noise)};
  ASSERT_TRUE(write_segment(dir / "seg", std::vector<Block>{block}).is_ok());
  auto reader = SegmentReader::open(dir / "seg");
  ASSERT_TRUE(reader.is_ok());
  // Random 64-bit values stay plain, which zstd cannot shrink; the dictionary's
  // repeated prefixes compress well.
  const SegmentReader::ChunkLocation& noise_chunk = (*reader)->column_chunk(0, 1);
  EXPECT_EQ(noise_chunk.encoding, segment_format::kEncodingVectors);
  EXPECT_EQ(noise_chunk.compressed_size, noise_chunk.raw_size);
  EXPECT_EQ((*reader)->column_chunk(0, 0).encoding, segment_format::kEncodingVectorsZstd);
  EXPECT_LE((*reader)->column_chunk(0, 0).compressed_size * 100,
            (*reader)->column_chunk(0, 0).raw_size * 90);
  auto got = (*reader)->read_block(0);
  ASSERT_TRUE(got.is_ok());
  EXPECT_EQ(render(*got), render(block));
}

}  // namespace
}  // namespace tessera::storage
