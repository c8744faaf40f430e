#include "engine/dedup.h"

#include <gtest/gtest.h>

#include <map>
#include <optional>
#include <random>
#include <tuple>

#include "tests/support/memory_engine.h"

namespace tessera::engine {
namespace {

using Tag = std::optional<std::string>;
struct Row {
  Tag tenant, entity;
  int64_t time_ns;
};

std::shared_ptr<const storage::Block> make_block(const std::vector<Row>& rows) {
  auto block = std::make_shared<storage::Block>();
  std::vector<Tag> tenants, entities;
  for (const Row& row : rows) {
    block->time_ns.push_back(row.time_ns);
    tenants.push_back(row.tenant);
    entities.push_back(row.entity);
  }
  block->column_names = {"tenant", "entity"};
  block->columns = {tessera::testing::string_column(tenants),
                    tessera::testing::string_column(entities)};
  return block;
}

// A mask as text, "1" per live row: null (every row live) prints as all ones.
std::string render(const LiveRows& mask, size_t rows) {
  std::string out;
  for (size_t r = 0; r < rows; ++r) out += !mask || (*mask)[r] != 0 ? '1' : '0';
  return out;
}

// Brute force: a row is live when no later row in write order has its key (tags,
// NULL equal to NULL, and time).
std::vector<std::string> reference_masks(const std::vector<std::vector<Row>>& blocks) {
  std::map<std::tuple<Tag, Tag, int64_t>, std::pair<size_t, size_t>> last;
  std::vector<std::string> masks;
  for (size_t b = 0; b < blocks.size(); ++b) {
    masks.emplace_back(blocks[b].size(), '1');
    for (size_t r = 0; r < blocks[b].size(); ++r) {
      const Row& row = blocks[b][r];
      auto [it, inserted] = last.try_emplace({row.tenant, row.entity, row.time_ns}, b, r);
      if (!inserted) {
        masks[it->second.first][it->second.second] = '0';
        it->second = {b, r};
      }
    }
  }
  return masks;
}

std::vector<std::string> index_masks(const std::vector<std::vector<Row>>& blocks, size_t added) {
  const std::vector<std::string> keys = {"tenant", "entity"};
  DedupIndex index(keys);
  std::vector<LoadedBlock> tail;
  for (size_t b = 0; b < blocks.size(); ++b) {
    LoadedBlock block = LoadedBlock::project(make_block(blocks[b]), keys);
    if (b < added) {
      index.add(block);
    } else {
      tail.push_back(std::move(block));
    }
  }
  std::vector<LiveRows> live = index.live_rows(tail);
  std::vector<std::string> masks;
  for (size_t b = 0; b < live.size(); ++b) masks.push_back(render(live[b], blocks[b].size()));
  return masks;
}

TEST(DedupTest, LaterWritesReplaceEarlierRowsOfTheSameKey) {
  const std::vector<std::vector<Row>> blocks = {
      {{"a", "e1", 100}, {"a", "e2", 100}, {std::nullopt, "e1", 100}},
      {{"a", "e1", 200}, {"a", "e1", 100}},           // replaces block 0 row 0
      {{std::nullopt, "e1", 100}, {"b", "e1", 100}},  // replaces block 0 row 2 (NULL matches NULL)
  };
  // Worked by hand; the same whether the last block is indexed or a tail.
  const std::vector<std::string> expected = {"010", "11", "11"};
  EXPECT_EQ(index_masks(blocks, 3), expected);
  EXPECT_EQ(index_masks(blocks, 2), expected);
  EXPECT_EQ(index_masks(blocks, 0), expected);
}

// Many blocks make the key map grow many times; the masks must match brute force
// whichever blocks are indexed and which are the tail.
TEST(DedupTest, ManyBlocksMatchABruteForceReference) {
  const uint32_t seed = std::random_device{}();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937 rng(seed);
  std::vector<std::vector<Row>> blocks(80);
  for (auto& block : blocks) {
    const size_t rows = 1 + rng() % 300;
    for (size_t r = 0; r < rows; ++r) {
      Tag tenant = rng() % 7 == 0 ? std::nullopt : Tag("t" + std::to_string(rng() % 3));
      Tag entity = "e" + std::to_string(rng() % 40);
      // Mostly new times, some restating earlier ones (~ the ad snapshots' restatements).
      block.push_back({tenant, entity, static_cast<int64_t>(rng() % 2000)});
    }
  }
  const std::vector<std::string> expected = reference_masks(blocks);
  for (size_t added : {size_t{80}, size_t{79}, size_t{78}, size_t{40}}) {
    SCOPED_TRACE("blocks indexed: " + std::to_string(added));
    EXPECT_EQ(index_masks(blocks, added), expected);
  }
}

// Three key columns: the series is interned pair by pair, and every column must count
// (tuples that share ids at different positions, (1, 2, x) and (2, 1, x), stay apart).
// Some blocks lack the third column, whose rows then match rows where it is NULL.
TEST(DedupTest, ThreeKeyColumnsMatchABruteForceReference) {
  const uint32_t seed = std::random_device{}();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937 rng(seed);
  using Key = std::tuple<Tag, Tag, Tag, int64_t>;
  const std::vector<std::string> keys = {"a", "b", "c"};
  DedupIndex index(keys);
  std::vector<LoadedBlock> tail;
  std::map<Key, std::pair<size_t, size_t>> last;
  std::vector<std::string> expected;
  const size_t block_count = 30, added = 20;
  auto tag = [&] { return rng() % 9 == 0 ? Tag() : Tag(std::to_string(rng() % 4)); };
  for (size_t b = 0; b < block_count; ++b) {
    const bool has_c = rng() % 4 != 0;
    std::vector<Tag> a, bs, c;
    auto block = std::make_shared<storage::Block>();
    expected.emplace_back();
    for (size_t r = 0, rows = 1 + rng() % 200; r < rows; ++r) {
      a.push_back(tag());
      bs.push_back(tag());
      c.push_back(has_c ? tag() : Tag());
      block->time_ns.push_back(static_cast<int64_t>(rng() % 20));
      expected.back() += '1';
      auto [it, inserted] = last.try_emplace(Key{a[r], bs[r], c[r], block->time_ns[r]}, b, r);
      if (!inserted) {
        expected[it->second.first][it->second.second] = '0';
        it->second = {b, r};
      }
    }
    block->column_names = {"a", "b"};
    block->columns = {tessera::testing::string_column(a), tessera::testing::string_column(bs)};
    if (has_c) {
      block->column_names.push_back("c");
      block->columns.push_back(tessera::testing::string_column(c));
    }
    LoadedBlock loaded = LoadedBlock::project(block, keys);
    if (b < added) {
      index.add(loaded);
    } else {
      tail.push_back(std::move(loaded));
    }
  }
  std::vector<LiveRows> live = index.live_rows(tail);
  ASSERT_EQ(live.size(), block_count);
  for (size_t b = 0; b < block_count; ++b) {
    EXPECT_EQ(render(live[b], expected[b].size()), expected[b]) << "block " << b;
  }
}

}  // namespace
}  // namespace tessera::engine
