#include "engine/block_cache.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

namespace tessera::engine {
namespace {

constexpr size_t kBlockBytes = 8000;  // 1,000 timestamps

// The key of block `block`'s first column.
CacheKey column_key(uint64_t block) { return {block, 1}; }

std::shared_ptr<const storage::Block> block_of(int64_t first) {
  auto block = std::make_shared<storage::Block>();
  for (int64_t i = 0; i < 1000; ++i) block->time_ns.push_back(first + i);
  return block;
}

TEST(BlockCacheTest, FindsWhatWasInsertedAndNothingElse) {
  BlockCache cache(10 * kBlockBytes);
  EXPECT_EQ(cache.find(column_key(1)), nullptr);
  const auto block = block_of(100);
  cache.insert(column_key(1), block);
  EXPECT_EQ(cache.find(column_key(1)), block);
  EXPECT_EQ(cache.find(column_key(2)), nullptr);
  EXPECT_EQ(cache.size_bytes(), kBlockBytes);
  EXPECT_EQ(cache.entry_count(), 1u);
}

// find_all answers each key as find() would, and marks what it found as used.
TEST(BlockCacheTest, FindAllAnswersEachKeyAndMarksHitsUsed) {
  BlockCache cache(3 * kBlockBytes);
  const auto a = block_of(0), b = block_of(1), c = block_of(2);
  cache.insert(column_key(1), a);
  cache.insert(column_key(2), b);
  cache.insert(column_key(3), c);
  cache.insert(column_key(4),
               block_of(3));  // one turn of the hand: every flag cleared, key 1 evicted
  const std::vector<CacheKey> keys = {column_key(2), column_key(9), column_key(1), column_key(2)};
  std::vector<std::shared_ptr<const storage::Block>> found(keys.size(), a);
  cache.find_all(keys, found);
  EXPECT_EQ(found[0], b);
  EXPECT_EQ(found[1], nullptr);
  EXPECT_EQ(found[2], nullptr);
  EXPECT_EQ(found[3], b);
  cache.insert(column_key(5),
               block_of(4));  // the hand spares 2, found since it passed, and evicts 3
  EXPECT_EQ(cache.find(column_key(2)), b);
  EXPECT_EQ(cache.find(column_key(3)), nullptr);
}

TEST(BlockCacheTest, ReplacingAKeyKeepsOneEntryAndItsNewSize) {
  BlockCache cache(10 * kBlockBytes);
  cache.insert(column_key(1), block_of(0));
  auto bigger = std::make_shared<storage::Block>();
  bigger->time_ns.assign(2000, 7);
  cache.insert(column_key(1), bigger);
  EXPECT_EQ(cache.find(column_key(1)), bigger);
  EXPECT_EQ(cache.entry_count(), 1u);
  EXPECT_EQ(cache.size_bytes(), 2 * kBlockBytes);
}

// The hand starts at the replaced entry: sparing it once is not enough, it is
// kept and an older one goes.
TEST(BlockCacheTest, AReplacedBlockThatOverflowsTheBudgetStays) {
  BlockCache cache(3 * kBlockBytes);
  cache.insert(column_key(1), block_of(0));
  cache.insert(column_key(2), block_of(1));
  cache.insert(column_key(3), block_of(2));
  auto bigger = std::make_shared<storage::Block>();
  bigger->time_ns.assign(2000, 7);
  cache.insert(column_key(1), bigger);
  EXPECT_EQ(cache.find(column_key(1)), bigger);
  EXPECT_EQ(cache.find(column_key(2)), nullptr);
  EXPECT_NE(cache.find(column_key(3)), nullptr);
  EXPECT_EQ(cache.size_bytes(), 3 * kBlockBytes);
}

TEST(BlockCacheTest, ABlockLargerThanTheBudgetIsNotKept) {
  BlockCache cache(kBlockBytes - 1);
  cache.insert(column_key(1), block_of(0));
  EXPECT_EQ(cache.find(column_key(1)), nullptr);
  EXPECT_EQ(cache.size_bytes(), 0u);
}

// Three blocks fit. The fourth insert turns the hand once round (clearing every
// flag) and evicts the first; then B is found again, so the fifth insert spares B
// and evicts C, not found since the hand passed it.
TEST(BlockCacheTest, EvictsWhatWasNotUsedSinceTheHandPassed) {
  BlockCache cache(3 * kBlockBytes);
  const auto a = block_of(0), b = block_of(1), c = block_of(2), d = block_of(3), e = block_of(4);
  cache.insert(column_key(1), a);
  cache.insert(column_key(2), b);
  cache.insert(column_key(3), c);
  cache.insert(column_key(4), d);
  EXPECT_EQ(cache.find(column_key(1)), nullptr);
  EXPECT_EQ(cache.entry_count(), 3u);
  EXPECT_EQ(cache.find(column_key(2)), b);
  cache.insert(column_key(5), e);
  EXPECT_EQ(cache.find(column_key(3)), nullptr);
  EXPECT_EQ(cache.find(column_key(2)), b);
  EXPECT_EQ(cache.find(column_key(4)), d);
  EXPECT_EQ(cache.find(column_key(5)), e);
  EXPECT_EQ(cache.size_bytes(), 3 * kBlockBytes);
}

// However the entries were used, the block just inserted stays.
TEST(BlockCacheTest, KeepsTheBlockJustInsertedWithinTheBudget) {
  BlockCache cache(3 * kBlockBytes);
  for (uint64_t key = 0; key < 100; ++key) {
    cache.insert(column_key(key), block_of(static_cast<int64_t>(key)));
    for (uint64_t used = key > 2 ? key - 2 : 0; used < key; ++used) cache.find(column_key(used));
    ASSERT_NE(cache.find(column_key(key)), nullptr) << key;
    ASSERT_LE(cache.size_bytes(), 3 * kBlockBytes);
    ASSERT_EQ(cache.size_bytes(), cache.entry_count() * kBlockBytes);
  }
  auto big = std::make_shared<storage::Block>();
  big->time_ns.assign(3000, 1);  // the whole budget: every other entry goes
  cache.insert(column_key(1000), big);
  EXPECT_EQ(cache.find(column_key(1000)), big);
  EXPECT_EQ(cache.entry_count(), 1u);
}

// Scan threads look up and insert at once (run under ThreadSanitizer too): every
// find returns the block of its key or nothing, and the budget holds after.
TEST(BlockCacheTest, ConcurrentFindsAndInsertsKeepTheBudget) {
  BlockCache cache(20 * kBlockBytes);
  std::atomic<bool> wrong = false;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&cache, &wrong, t] {
      for (int i = 0; i < 2000; ++i) {
        const auto key = static_cast<uint64_t>((i * 7 + t) % 50);
        if (auto found = cache.find(column_key(key))) {
          if (found->time_ns.front() != static_cast<int64_t>(key)) wrong = true;
        } else {
          cache.insert(column_key(key), block_of(static_cast<int64_t>(key)));
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_FALSE(wrong.load());
  EXPECT_LE(cache.size_bytes(), 20 * kBlockBytes);
  EXPECT_EQ(cache.size_bytes(), cache.entry_count() * kBlockBytes);
}

// Tag run statistics share the budget; a key answers only a find of its own kind.
TEST(BlockCacheTest, RunStatisticsAreEntriesOfTheirOwnKind) {
  BlockCache cache(10 * kBlockBytes);
  auto run_stats = std::make_shared<storage::TagRunStats>();
  run_stats->run_starts = {0, 4};
  run_stats->codes = {0};
  run_stats->dictionary = {"x"};
  const std::shared_ptr<const storage::TagRunStats> held = run_stats;
  cache.insert(column_key(1), held);
  cache.insert(column_key(2), block_of(0));
  EXPECT_EQ(cache.find_tag_run_stats(column_key(1)), held);
  EXPECT_EQ(cache.find(column_key(1)), nullptr);
  EXPECT_EQ(cache.find_tag_run_stats(column_key(2)), nullptr);
  EXPECT_EQ(cache.size_bytes(), kBlockBytes + held->memory_bytes());
  // Replaced by a block: the statistics are gone.
  cache.insert(column_key(1), block_of(5));
  EXPECT_EQ(cache.find_tag_run_stats(column_key(1)), nullptr);
  EXPECT_NE(cache.find(column_key(1)), nullptr);
  EXPECT_EQ(cache.size_bytes(), 2 * kBlockBytes);
}

// One block's entries differ by item; sorted run values are entries of their own kind.
TEST(BlockCacheTest, EntriesOfOneBlockDifferByItemAndKind) {
  BlockCache cache(10 * kBlockBytes);
  auto sorted = std::make_shared<storage::SortedRunValues>();
  sorted->run_starts = {0, 3};
  sorted->value_starts = {0, 2};
  sorted->values = {1.5, 2.5};
  const std::shared_ptr<const storage::SortedRunValues> held = sorted;
  const auto block = block_of(0);
  cache.insert(CacheKey{7, 1}, block);
  cache.insert(CacheKey{7, 2}, held);
  EXPECT_EQ(cache.find(CacheKey{7, 1}), block);
  EXPECT_EQ(cache.find_sorted_run_values(CacheKey{7, 2}), held);
  EXPECT_EQ(cache.find(CacheKey{7, 2}), nullptr);
  EXPECT_EQ(cache.find_sorted_run_values(CacheKey{7, 1}), nullptr);
  EXPECT_EQ(cache.find_tag_run_stats(CacheKey{7, 2}), nullptr);
  EXPECT_EQ(cache.find(CacheKey{8, 1}), nullptr);
  EXPECT_EQ(cache.size_bytes(), kBlockBytes + held->memory_bytes());
}

}  // namespace
}  // namespace tessera::engine
