// Block sources hand queries only the columns they ask for, sharing memory with
// the block or the block cache; a segment block decodes each column once.
#include "engine/block_sources.h"

#include <gtest/gtest.h>

#include "storage/segment/segment_writer.h"
#include "tests/support/temp_dir.h"

namespace tessera::engine {
namespace {

storage::Block three_column_block() {
  storage::Block block;
  block.time_ns = {10, 20, 30};
  block.column_names = {"a", "b", "c"};
  storage::Column a, b, c;
  a.type = storage::ColumnType::kInt64;
  a.ints = {1, 2, 3};
  b.type = storage::ColumnType::kFloat64;
  b.floats = {0.5, 1.5, 2.5};
  c.type = storage::ColumnType::kString;
  c.codes = {0, 1, 0};
  c.dictionary = {"x", "y"};
  block.columns = {a, b, c};
  return block;
}

// three_column_block() written as a one-block segment file in `dir`, opened.
Result<std::shared_ptr<const storage::SegmentReader>> three_column_segment(
    const tessera::testing::TempDir& dir) {
  const auto path = dir.path() / "1.tsg";
  const std::vector<storage::Block> blocks = {three_column_block()};
  TESSERA_RETURN_IF_ERROR(storage::write_segment(path, blocks));
  return storage::SegmentReader::open(path);
}

TEST(BlockSourcesTest, MemoryBlockProjectsTheNamedColumnsWithoutCopying) {
  auto block = std::make_shared<const storage::Block>(three_column_block());
  MemoryBlockSource source(block);
  const std::vector<std::string> names = {"c", "missing"};
  auto loaded = source.load_columns(names);
  ASSERT_TRUE(loaded.is_ok());
  EXPECT_EQ(loaded->row_count(), 3u);
  EXPECT_EQ(loaded->time_ns(), (std::vector<int64_t>{10, 20, 30}));
  EXPECT_EQ(loaded->find("c"), &block->columns[2]);  // the block's own column
  EXPECT_EQ(loaded->find("a"), nullptr);             // not asked for
  EXPECT_EQ(loaded->find("missing"), nullptr);
}

TEST(BlockSourcesTest, SegmentBlockDecodesEachColumnOnceThroughTheCache) {
  tessera::testing::TempDir dir;
  auto reader = three_column_segment(dir);
  ASSERT_TRUE(reader.is_ok()) << reader.status().to_string();
  auto cache = std::make_shared<BlockCache>(1 << 20);
  SegmentBlockSource source(*reader, 0, cache, 7, std::make_shared<TagValueIds>());

  const std::vector<std::string> only_b = {"b"};
  auto first = source.load_columns(only_b);
  ASSERT_TRUE(first.is_ok());
  EXPECT_EQ(first->time_ns(), (std::vector<int64_t>{10, 20, 30}));
  ASSERT_NE(first->find("b"), nullptr);
  EXPECT_EQ(first->find("b")->floats, (std::vector<double>{0.5, 1.5, 2.5}));
  EXPECT_EQ(first->find("a"), nullptr);
  const size_t cached_bytes = cache->size_bytes();
  // time: 3 * 8 bytes, b: 3 * 8 bytes.
  EXPECT_EQ(cached_bytes, 48u);

  // A hit decodes nothing new and returns the same column object.
  auto again = source.load_columns(only_b);
  ASSERT_TRUE(again.is_ok());
  EXPECT_EQ(again->find("b"), first->find("b"));
  EXPECT_EQ(cache->size_bytes(), cached_bytes);

  // Asking for more adds only the missing columns.
  const std::vector<std::string> all = {"a", "b", "c"};
  auto wide = source.load_columns(all);
  ASSERT_TRUE(wide.is_ok());
  EXPECT_EQ(wide->find("b"), first->find("b"));
  ASSERT_NE(wide->find("a"), nullptr);
  EXPECT_EQ(wide->find("a")->ints, (std::vector<int64_t>{1, 2, 3}));
  ASSERT_NE(wide->find("c"), nullptr);
  EXPECT_EQ(wide->find("c")->string_at(1), "y");
  EXPECT_GT(cache->size_bytes(), cached_bytes);
}

TEST(BlockSourcesTest, SegmentBlockLeavesTheTimeColumnOutWhenNotAsked) {
  tessera::testing::TempDir dir;
  auto reader = three_column_segment(dir);
  ASSERT_TRUE(reader.is_ok()) << reader.status().to_string();
  auto cache = std::make_shared<BlockCache>(1 << 20);
  SegmentBlockSource source(*reader, 0, cache, 7, std::make_shared<TagValueIds>());

  const std::vector<std::string> only_b = {"b"};
  auto without = source.load_columns(only_b, /*with_time=*/false);
  ASSERT_TRUE(without.is_ok()) << without.status().to_string();
  EXPECT_FALSE(without->has_time());
  EXPECT_EQ(without->row_count(), 3u);  // from the block's statistics
  ASSERT_NE(without->find("b"), nullptr);
  EXPECT_EQ(without->find("b")->floats, (std::vector<double>{0.5, 1.5, 2.5}));
  EXPECT_EQ(cache->size_bytes(), 24u);  // b alone: no time decoded or cached

  // A later reader that wants time decodes only time; b comes from the cache.
  auto with = source.load_columns(only_b);
  ASSERT_TRUE(with.is_ok());
  ASSERT_TRUE(with->has_time());
  EXPECT_EQ(with->time_ns(), (std::vector<int64_t>{10, 20, 30}));
  EXPECT_EQ(with->find("b"), without->find("b"));
  EXPECT_EQ(cache->size_bytes(), 48u);

  // Time cached and b cached: no read at all, with or without time.
  auto again = source.load_columns(only_b, /*with_time=*/false);
  ASSERT_TRUE(again.is_ok());
  EXPECT_FALSE(again->has_time());
  EXPECT_EQ(again->find("b"), without->find("b"));
  EXPECT_EQ(cache->size_bytes(), 48u);
}

// 32 rows: tag t is "x" in the first 16 and "y" in the rest; v is the row number.
storage::Block two_run_block() {
  storage::Block block;
  block.column_names = {"t", "v"};
  storage::Column t, v;
  t.type = storage::ColumnType::kString;
  t.dictionary = {"x", "y"};
  v.type = storage::ColumnType::kInt64;
  for (int64_t row = 0; row < 32; ++row) {
    block.time_ns.push_back(row);
    t.codes.push_back(row < 16 ? 0 : 1);
    v.ints.push_back(row);
  }
  block.columns = {t, v};
  return block;
}

TEST(BlockSourcesTest, SegmentBlockCachesTagRunStatistics) {
  tessera::testing::TempDir dir;
  const auto path = dir.path() / "1.tsg";
  const std::vector<storage::Block> blocks = {two_run_block()};
  ASSERT_TRUE(storage::write_segment(path, blocks).is_ok());
  auto reader = storage::SegmentReader::open(path);
  ASSERT_TRUE(reader.is_ok()) << reader.status().to_string();
  auto cache = std::make_shared<BlockCache>(1 << 20);
  // The database has seen "y" before, in another block: it keeps its id.
  auto ids = std::make_shared<TagValueIds>();
  ASSERT_EQ(ids->ids_of("t", std::vector<std::string>{"y"}), std::vector<uint32_t>{0});
  SegmentBlockSource source(*reader, 0, cache, 7, ids);

  auto first = source.tag_run_stats("t", "v");
  ASSERT_TRUE(first.is_ok()) << first.status().to_string();
  ASSERT_NE(*first, nullptr);
  EXPECT_EQ((*first)->run_starts, (std::vector<uint32_t>{0, 16, 32}));
  EXPECT_EQ((*first)->codes, (std::vector<uint32_t>{0, 1}));
  ASSERT_EQ((*first)->runs.size(), 2u);
  EXPECT_EQ((*first)->runs[0].sum_int, 120);                      // 0 + ... + 15
  EXPECT_EQ((*first)->runs[1].sum_int, 376);                      // 16 + ... + 31
  EXPECT_EQ((*first)->value_ids, (std::vector<uint32_t>{1, 0}));  // x new, y known
  EXPECT_EQ(cache->entry_count(), 3u);                            // t, v and the run statistics

  // Cached: the same object, nothing new decoded or kept.
  auto again = source.tag_run_stats("t", "v");
  ASSERT_TRUE(again.is_ok());
  EXPECT_EQ(*again, *first);
  EXPECT_EQ(cache->entry_count(), 3u);

  // The runs alone are an entry of their own; an in-memory block computes the same.
  auto runs_only = source.tag_run_stats("t", "");
  ASSERT_TRUE(runs_only.is_ok());
  ASSERT_NE(*runs_only, nullptr);
  EXPECT_TRUE((*runs_only)->runs.empty());
  EXPECT_EQ(cache->entry_count(), 4u);
  MemoryBlockSource memory(std::make_shared<const storage::Block>(two_run_block()));
  auto computed = memory.tag_run_stats("t", "v");
  ASSERT_TRUE(computed.is_ok());
  ASSERT_NE(*computed, nullptr);
  EXPECT_EQ((*computed)->run_starts, (*first)->run_starts);
  EXPECT_EQ((*computed)->runs[1].sum_int, 376);
  EXPECT_TRUE((*computed)->value_ids.empty());  // a block in memory has no ids

  // No such tag: none; no such value column: the caller's mistake.
  auto no_tag = source.tag_run_stats("missing", "v");
  ASSERT_TRUE(no_tag.is_ok());
  EXPECT_EQ(*no_tag, nullptr);
  auto no_value = source.tag_run_stats("t", "missing");
  ASSERT_FALSE(no_value.is_ok());
  EXPECT_EQ(no_value.error().code, ErrorCode::kInternal);
}

TEST(BlockSourcesTest, ShortTagRunsAreRememberedAsNone) {
  tessera::testing::TempDir dir;
  auto reader = three_column_segment(dir);
  ASSERT_TRUE(reader.is_ok()) << reader.status().to_string();
  auto cache = std::make_shared<BlockCache>(1 << 20);
  SegmentBlockSource source(*reader, 0, cache, 7, std::make_shared<TagValueIds>());
  // c is x, y, x: runs of one row.
  auto first = source.tag_run_stats("c", "a");
  ASSERT_TRUE(first.is_ok());
  EXPECT_EQ(*first, nullptr);
  const size_t entries = cache->entry_count();
  auto again = source.tag_run_stats("c", "a");
  ASSERT_TRUE(again.is_ok());
  EXPECT_EQ(*again, nullptr);
  EXPECT_EQ(cache->entry_count(), entries);
}

}  // namespace
}  // namespace tessera::engine
