#include "engine/dedup.h"

#include <gtest/gtest.h>

#include <algorithm>
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
  for (size_t r = 0; r < rows; ++r) out += !mask || mask->rows()[r] != 0 ? '1' : '0';
  if (mask) {
    EXPECT_EQ(mask->rows().size(), rows);
    EXPECT_EQ(mask->live_count(), static_cast<size_t>(std::count(out.begin(), out.end(), '1')));
  }
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

const std::vector<std::string>& key_names() {
  static const std::vector<std::string> keys = {"tenant", "entity"};
  return keys;
}

LoadedBlock loaded(const std::vector<Row>& rows) {
  return LoadedBlock::project(make_block(rows), key_names());
}

// The masks of `blocks` with the first `added` added to an index and the rows of
// the others written after them as its head, split back per block.
std::vector<std::string> index_masks(const std::vector<std::vector<Row>>& blocks, size_t added) {
  DedupIndex index(key_names());
  std::vector<Row> head;
  for (size_t b = 0; b < blocks.size(); ++b) {
    if (b < added) {
      index.add(loaded(blocks[b]));
    } else {
      head.insert(head.end(), blocks[b].begin(), blocks[b].end());
    }
  }
  const LoadedBlock head_block = loaded(head);
  std::vector<LiveRows> live = index.live_rows(added < blocks.size() ? &head_block : nullptr);
  EXPECT_EQ(live.size(), std::min(blocks.size(), added + 1));
  std::vector<std::string> masks;
  for (size_t b = 0; b < added; ++b) masks.push_back(render(live[b], blocks[b].size()));
  if (added < blocks.size()) {
    const std::string rendered = render(live.back(), head.size());
    for (size_t b = added, at = 0; b < blocks.size(); at += blocks[b].size(), ++b) {
      masks.push_back(rendered.substr(at, blocks[b].size()));
    }
  }
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

// Snapshots of a head as it grows, as a partition's readers take them: each sees the
// masks brute force gives for the blocks added and the head's rows so far, whether
// the head grew, stayed, or is an older, shorter copy arriving late. Masks handed
// out never change afterwards, and a block added (the head sealed) starts a new head.
TEST(DedupTest, AGrowingHeadMatchesABruteForceReferenceAtEverySnapshot) {
  const uint32_t seed = std::random_device{}();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937 rng(seed);
  auto random_rows = [&](size_t count) {
    std::vector<Row> rows;
    for (size_t r = 0; r < count; ++r) {
      Tag tenant = rng() % 9 == 0 ? std::nullopt : Tag("t" + std::to_string(rng() % 3));
      rows.push_back({tenant, "e" + std::to_string(rng() % 30), static_cast<int64_t>(rng() % 300)});
    }
    return rows;
  };
  DedupIndex index(key_names());
  std::vector<std::vector<Row>> added;
  struct Handed {
    LiveRows mask;
    std::string rendered;
  };
  std::vector<Handed> handed;  // every mask handed out, as it was then
  for (int generation = 0; generation < 6; ++generation) {
    const std::vector<Row> head = random_rows(1 + rng() % 400);
    size_t seen = 0;  // the longest prefix shown to the index in this generation
    for (int snapshot = 0; snapshot < 25; ++snapshot) {
      size_t rows = seen;
      switch (rng() % 4) {
        case 0:  // an older copy, taken before the last one
          rows = seen == 0 ? 0 : rng() % seen;
          break;
        case 1:  // no new rows
          break;
        default:
          rows = std::min(head.size(), seen + rng() % 60);
          break;
      }
      if (rows == 0) continue;
      seen = std::max(seen, rows);
      const std::vector<Row> prefix(head.begin(), head.begin() + static_cast<ptrdiff_t>(rows));
      std::vector<std::vector<Row>> all = added;
      all.push_back(prefix);
      const std::vector<std::string> expected = reference_masks(all);
      const LoadedBlock head_block = loaded(prefix);
      const std::vector<LiveRows> live = index.live_rows(&head_block);
      ASSERT_EQ(live.size(), all.size());
      for (size_t b = 0; b < all.size(); ++b) {
        ASSERT_EQ(render(live[b], all[b].size()), expected[b])
            << "generation " << generation << ", head rows " << rows << ", block " << b;
        handed.push_back({live[b], expected[b]});
      }
    }
    added.push_back(head);
    index.add(loaded(head));
  }
  for (const Handed& h : handed) EXPECT_EQ(render(h.mask, h.rendered.size()), h.rendered);
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
  std::optional<LoadedBlock> head;
  std::map<Key, std::pair<size_t, size_t>> last;
  std::vector<std::string> expected;
  const size_t block_count = 30, added = 29;
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
    if (b < added) {
      index.add(LoadedBlock::project(block, keys));
    } else {
      head = LoadedBlock::project(block, keys);
    }
  }
  std::vector<LiveRows> live = index.live_rows(&*head);
  ASSERT_EQ(live.size(), block_count);
  for (size_t b = 0; b < block_count; ++b) {
    EXPECT_EQ(render(live[b], expected[b].size()), expected[b]) << "block " << b;
  }
}

}  // namespace
}  // namespace tessera::engine
