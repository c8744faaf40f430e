#include "engine/tag_value_ids.h"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

namespace tessera::engine {
namespace {

using Ids = std::vector<uint32_t>;
using Names = std::vector<std::string>;

TEST(TagValueIdsTest, NumbersEachValueOncePerColumnInOrderOfFirstSight) {
  TagValueIds ids;
  EXPECT_EQ(ids.ids_of("entity", Names{"e2", "e0", "e1"}), (Ids{0, 1, 2}));
  // Another block: known values keep their ids, whatever their place; new ones come next.
  EXPECT_EQ(ids.ids_of("entity", Names{"e1", "e3", "e2"}), (Ids{2, 3, 0}));
  // Another column numbers its values on its own, the same names included.
  EXPECT_EQ(ids.ids_of("tenant", Names{"e3", "t0"}), (Ids{0, 1}));
  EXPECT_EQ(ids.ids_of("entity", Names{"e3", ""}), (Ids{3, 4}));
  EXPECT_EQ(ids.ids_of("entity", Names{}), Ids{});
}

TEST(TagValueIdsTest, AColumnAtItsBoundGetsNoMoreIds) {
  TagValueIds ids(4);
  EXPECT_EQ(ids.ids_of("request", Names{"a", "b", "c"}), (Ids{0, 1, 2}));
  // Two values might pass the bound: none is assigned, not even "a"'s.
  EXPECT_EQ(ids.ids_of("request", Names{"a", "d"}), Ids{});
  EXPECT_EQ(ids.ids_of("request", Names{"d"}), Ids{3});
  EXPECT_EQ(ids.ids_of("request", Names{"e"}), Ids{});
  // Other columns are not held back.
  EXPECT_EQ(ids.ids_of("entity", Names{"e"}), Ids{0});
}

TEST(TagValueIdsTest, ThreadsNumberingTogetherAgreeOnEveryId) {
  TagValueIds ids;
  Names values;
  for (int v = 0; v < 2000; ++v) values.push_back("v" + std::to_string(v));
  std::vector<Ids> seen(4);
  std::vector<std::thread> threads;
  for (size_t t = 0; t < seen.size(); ++t) {
    threads.emplace_back([&, t] {
      // Each thread asks for every block of 50, in an order of its own (7 is prime
      // to the 40 blocks: b -> 7b + 13t is a permutation).
      Ids by_value(values.size());
      for (size_t b = 0; b < values.size() / 50; ++b) {
        const size_t first = ((b * 7 + t * 13) % (values.size() / 50)) * 50;
        const Names block(values.begin() + first, values.begin() + first + 50);
        const Ids got = ids.ids_of("v", block);
        for (size_t i = 0; i < got.size(); ++i) by_value[first + i] = got[i];
      }
      seen[t] = by_value;
    });
  }
  for (std::thread& thread : threads) thread.join();
  // One numbering: every thread saw the same id for a value, and the ids are 0..1999.
  for (size_t t = 1; t < seen.size(); ++t) EXPECT_EQ(seen[t], seen[0]);
  std::vector<bool> used(values.size(), false);
  for (const uint32_t id : seen[0]) {
    ASSERT_LT(id, values.size());
    EXPECT_FALSE(used[id]);
    used[id] = true;
  }
}

}  // namespace
}  // namespace tessera::engine
