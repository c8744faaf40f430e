#include "storage/segment/segment_writer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "storage/base/file_io.h"
#include "storage/base/little_endian.h"
#include "storage/block/quantile_sketch.h"
#include "storage/segment/segment_format.h"
#include "storage/segment/segment_reader.h"
#include "tests/storage/segment/segment_test_blocks.h"
#include "tests/support/temp_dir.h"

namespace tessera::storage {
namespace {

using tessera::testing::TempDir;
using testing::edge_case_blocks;
using testing::random_blocks;
using testing::render;

// Writes, reopens and reads back every block, comparing bit for bit.
void expect_round_trip(const std::filesystem::path& path, const std::vector<Block>& blocks) {
  Status written = write_segment(path, blocks);
  ASSERT_TRUE(written.is_ok()) << written.to_string();
  auto reader = SegmentReader::open(path);
  ASSERT_TRUE(reader.is_ok()) << reader.status().to_string();
  ASSERT_EQ((*reader)->block_count(), blocks.size());
  EXPECT_EQ((*reader)->path(), path);
  EXPECT_EQ((*reader)->size_bytes(), std::filesystem::file_size(path));
  for (size_t b = 0; b < blocks.size(); ++b) {
    auto block = (*reader)->read_block(b);
    ASSERT_TRUE(block.is_ok()) << block.status().to_string();
    ASSERT_EQ(render(*block), render(blocks[b])) << "block " << b;
  }
}

// Brute force, independent of compute_stats: the stats a block's footer entry must hold.
void expect_stats_match(const BlockStats& stats, const Block& block) {
  ASSERT_EQ(stats.row_count, block.time_ns.size());
  EXPECT_EQ(stats.min_time_ns, *std::min_element(block.time_ns.begin(), block.time_ns.end()));
  EXPECT_EQ(stats.max_time_ns, *std::max_element(block.time_ns.begin(), block.time_ns.end()));
  ASSERT_EQ(stats.column_names, block.column_names);
  ASSERT_EQ(stats.columns.size(), block.columns.size());
  for (size_t c = 0; c < block.columns.size(); ++c) {
    SCOPED_TRACE("column " + block.column_names[c]);
    const Column& column = block.columns[c];
    const ColumnStats& got = stats.columns[c];
    EXPECT_EQ(stats.column_types[c], column.type);
    uint64_t nulls = 0;
    std::vector<int64_t> ints;
    std::vector<double> floats;
    std::vector<std::string> strings;
    for (size_t row = 0; row < column.size(); ++row) {
      if (!column.valid.empty() && column.valid[row] == 0) {
        ++nulls;
        continue;
      }
      if (column.type == ColumnType::kInt64) ints.push_back(column.ints[row]);
      if (column.type == ColumnType::kBool) ints.push_back(column.bools[row]);
      if (column.type == ColumnType::kFloat64 && !std::isnan(column.floats[row]))
        floats.push_back(column.floats[row]);
      if (column.type == ColumnType::kString)
        strings.push_back(column.dictionary[column.codes[row]]);
    }
    EXPECT_EQ(got.null_count, nulls);
    std::sort(ints.begin(), ints.end());
    std::sort(floats.begin(), floats.end());
    std::sort(strings.begin(), strings.end());
    const bool has = !ints.empty() || !floats.empty() || !strings.empty();
    EXPECT_EQ(got.has_min_max, has);
    if (!ints.empty()) {
      EXPECT_EQ(got.min_int, ints.front());
      EXPECT_EQ(got.max_int, ints.back());
    }
    if (!floats.empty()) {  // == so that -0.0 and 0.0 tie, as the stats may pick either
      EXPECT_EQ(got.min_float, floats.front());
      EXPECT_EQ(got.max_float, floats.back());
    }
    if (!strings.empty()) {
      EXPECT_EQ(got.min_string, strings.front());
      EXPECT_EQ(got.max_string, strings.back());
    }
    // Float columns carry the sketch of their non-NULL, non-NaN values (a sketch
    // depends only on the multiset added, so sorted order builds the same one).
    if (column.type != ColumnType::kFloat64) {
      EXPECT_TRUE(got.quantile_sketch.empty());
      continue;
    }
    QuantileSketch expected;
    for (double v : floats) expected.add(v);
    EXPECT_EQ(got.quantile_sketch, expected.serialize());
    auto sketch = QuantileSketch::deserialize(got.quantile_sketch);
    ASSERT_TRUE(sketch.is_ok()) << sketch.status().to_string();
    EXPECT_EQ(sketch->count(), floats.size());
  }
}

TEST(SegmentWriterTest, RoundTripsEdgeCasesBitExactly) {
  TempDir dir;
  expect_round_trip(dir / "seg", edge_case_blocks());
}

TEST(SegmentWriterTest, RoundTripsManyRandomBlocks) {
  TempDir dir;
  for (uint32_t seed : {1u, 2u, 3u}) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    expect_round_trip(dir / ("seg" + std::to_string(seed)), random_blocks(seed, 150, 300));
  }
}

TEST(SegmentWriterTest, RoundTripsLargeBlock) {
  TempDir dir;
  expect_round_trip(dir / "seg", random_blocks(99, 1, 200000));
}

TEST(SegmentWriterTest, RoundTripsNoBlocks) {
  TempDir dir;
  expect_round_trip(dir / "seg", {});
}

TEST(SegmentWriterTest, FooterStatsMatchBruteForce) {
  TempDir dir;
  std::vector<Block> blocks = edge_case_blocks();
  std::vector<Block> more = random_blocks(5, 40, 200);
  blocks.insert(blocks.end(), more.begin(), more.end());
  ASSERT_TRUE(write_segment(dir / "seg", blocks).is_ok());
  auto reader = SegmentReader::open(dir / "seg");
  ASSERT_TRUE(reader.is_ok()) << reader.status().to_string();
  for (size_t b = 0; b < blocks.size(); ++b) {
    SCOPED_TRACE("block " + std::to_string(b));
    expect_stats_match((*reader)->block_stats(b), blocks[b]);
  }
}

TEST(SegmentWriterTest, KeepsNegativeZeroInStats) {
  TempDir dir;
  Block block;
  block.time_ns = {1, 2};
  block.column_names = {"f"};
  block.columns = {testing::float_column({-0.0, -0.0})};
  ASSERT_TRUE(write_segment(dir / "seg", std::vector<Block>{block}).is_ok());
  auto reader = SegmentReader::open(dir / "seg");
  ASSERT_TRUE(reader.is_ok());
  EXPECT_TRUE(std::signbit((*reader)->block_stats(0).columns[0].min_float));
  EXPECT_TRUE(std::signbit((*reader)->block_stats(0).columns[0].max_float));
}

TEST(SegmentWriterTest, RefusesExistingPathAndLeavesItAlone) {
  TempDir dir;
  ASSERT_TRUE(write_file_durably(dir / "seg", "precious").is_ok());
  Status status = write_segment(dir / "seg", edge_case_blocks());
  ASSERT_FALSE(status.is_ok());
  EXPECT_EQ(status.code(), ErrorCode::kIoError);
  EXPECT_EQ(*read_file(dir / "seg"), "precious");
  EXPECT_FALSE(std::filesystem::exists(dir / "seg.tmp"));
}

TEST(SegmentWriterTest, ReplacesStaleTempFile) {
  TempDir dir;
  ASSERT_TRUE(write_file_durably(dir / "seg.tmp", "left by a crash").is_ok());
  expect_round_trip(dir / "seg", edge_case_blocks());
  EXPECT_FALSE(std::filesystem::exists(dir / "seg.tmp"));
}

TEST(SegmentWriterTest, RejectsMalformedBlocksWithoutWriting) {
  TempDir dir;
  auto expect_invalid = [&](Block block, std::string_view why) {
    SCOPED_TRACE(std::string(why));
    Status status = write_segment(dir / "seg", std::vector<Block>{std::move(block)});
    ASSERT_FALSE(status.is_ok());
    EXPECT_EQ(status.code(), ErrorCode::kInvalidInput) << status.to_string();
    EXPECT_FALSE(std::filesystem::exists(dir / "seg"));
    EXPECT_FALSE(std::filesystem::exists(dir / "seg.tmp"));
  };
  Block good;
  good.time_ns = {1, 2};
  good.column_names = {"x"};
  good.columns = {testing::int_column({1, 2})};
  expect_invalid(Block{}, "no rows");
  Block b = good;
  b.columns[0].ints.pop_back();
  expect_invalid(b, "short column");
  b = good;
  b.columns[0].valid = {1};
  expect_invalid(b, "short validity");
  b = good;
  b.column_names.push_back("x");
  b.columns.push_back(testing::int_column({3, 4}));
  expect_invalid(b, "duplicate name");
  b = good;
  b.column_names.push_back("y");
  expect_invalid(b, "names without columns");
  b = good;
  b.columns = {testing::string_column({"a"}, {0, 1})};
  expect_invalid(b, "code past dictionary");
  b = good;
  b.columns = {testing::bool_column({0, 2})};
  expect_invalid(b, "bool of 2");
}

TEST(SegmentWriterTest, RejectsTooLongColumnName) {
  TempDir dir;
  Block block;
  block.time_ns = {1};
  block.column_names = {std::string(segment_format::kMaxColumnNameBytes + 1, 'n')};
  block.columns = {testing::int_column({1})};
  Status status = write_segment(dir / "seg", std::vector<Block>{block});
  EXPECT_EQ(status.code(), ErrorCode::kLimitExceeded);
}

// Pins the header and trailer bytes documented in docs/format/segment.md.
TEST(SegmentWriterTest, HeaderAndTrailerMatchTheDocumentedBytes) {
  TempDir dir;
  Block block;
  block.time_ns = {1};
  ASSERT_TRUE(write_segment(dir / "seg", std::vector<Block>{block}).is_ok());
  const std::string bytes = *read_file(dir / "seg");
  ASSERT_GE(bytes.size(), 40u);
  EXPECT_EQ(bytes.substr(0, 12), std::string("TSRASEG\0\x02\0\0\0", 12));
  const std::string trailer = bytes.substr(bytes.size() - 28);
  EXPECT_EQ(trailer.substr(16), std::string("\x02\0\0\0TSRASEG\0", 12));
  const uint64_t footer_offset = load_u64(trailer.data());
  const uint32_t footer_size = load_u32(trailer.data() + 8);
  EXPECT_EQ(footer_offset + footer_size, bytes.size() - 28);
  // One chunk (the time column) sits between header and footer.
  EXPECT_GT(footer_offset, 12u);
  // The footer crc, recomputed bit by bit.
  uint32_t crc = 0xFFFFFFFFu;
  for (size_t i = footer_offset; i < footer_offset + footer_size; ++i) {
    crc ^= static_cast<uint8_t>(bytes[i]);
    for (int bit = 0; bit < 8; ++bit) crc = (crc & 1u) ? (crc >> 1) ^ 0x82F63B78u : crc >> 1;
  }
  EXPECT_EQ(load_u32(trailer.data() + 12), ~crc);
}

// Pins the bytes of the version-2 worked example in docs/format/segment.md: the
// header and the uncompressed time chunk, derived by hand there; the footer is
// checked field by field through the reader.
TEST(SegmentWriterTest, SmallSegmentMatchesTheDocumentedBytes) {
  TempDir dir;
  Block block;
  block.time_ns = {1};
  ASSERT_TRUE(write_segment(dir / "seg", std::vector<Block>{block}).is_ok());
  const std::string bytes = *read_file(dir / "seg");
  const std::string expected_start(
      "TSRASEG\0\x02\0\0\0"  // header
      "\x0b\0"               // vector_bytes 11
      "\x01\x01\0"           // plain, count 1
      "\x01\0\0\0\0\0\0\0",  // value 1
      25);
  EXPECT_EQ(bytes.substr(0, 25), expected_start);
  const std::string trailer = bytes.substr(bytes.size() - 28);
  EXPECT_EQ(load_u64(trailer.data()), 25u);
  EXPECT_EQ(load_u32(trailer.data() + 8), bytes.size() - 28 - 25);
  auto reader = SegmentReader::open(dir / "seg");
  ASSERT_TRUE(reader.is_ok()) << reader.status().to_string();
  const SegmentReader::ChunkLocation& time = (*reader)->time_chunk(0);
  EXPECT_EQ(time.offset, 12u);
  EXPECT_EQ(time.compressed_size, 13u);
  EXPECT_EQ(time.raw_size, 13u);
  EXPECT_EQ(time.encoding, segment_format::kEncodingVectors);
}

}  // namespace
}  // namespace tessera::storage
