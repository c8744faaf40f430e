#include "engine/series_hash_set.h"

#include <gtest/gtest.h>

#include <random>
#include <set>

namespace tessera::engine {
namespace {

// Random hashes, some repeated, some sharing their low bits (the same slot), and 0,
// against std::set: every answer of insert() and contains(), the size, and for_each.
TEST(SeriesHashSetTest, MatchesAReferenceSetThroughGrowth) {
  std::mt19937_64 rng(7);
  SeriesHashSet set;
  std::set<uint64_t> reference;
  EXPECT_FALSE(set.contains(0));
  EXPECT_FALSE(set.contains(12345));
  std::vector<uint64_t> seen;
  for (int i = 0; i < 100'000; ++i) {
    uint64_t hash;
    switch (rng() % 4) {
      case 0:  // one inserted before
        hash = seen.empty() ? 0 : seen[rng() % seen.size()];
        break;
      case 1:  // the same low 16 bits as many others
        hash = (rng() << 16) | 0xbeef;
        break;
      case 2:
        hash = rng() % 3 == 0 ? 0 : rng();
        break;
      default:
        hash = rng();
        break;
    }
    const bool expected_new = reference.insert(hash).second;
    ASSERT_EQ(set.insert(hash), expected_new) << hash;
    seen.push_back(hash);
    const uint64_t probe = rng() % 2 == 0 ? seen[rng() % seen.size()] : rng();
    ASSERT_EQ(set.contains(probe), reference.count(probe) == 1) << probe;
  }
  EXPECT_EQ(set.size(), reference.size());
  std::set<uint64_t> listed;
  set.for_each([&](uint64_t hash) { EXPECT_TRUE(listed.insert(hash).second) << hash; });
  EXPECT_EQ(listed, reference);
}

TEST(SeriesHashSetTest, ZeroIsAHashLikeAnyOther) {
  SeriesHashSet set;
  EXPECT_TRUE(set.insert(0));
  EXPECT_FALSE(set.insert(0));
  EXPECT_TRUE(set.contains(0));
  EXPECT_FALSE(set.contains(16));  // slot 0 of an empty table
  EXPECT_EQ(set.size(), 1u);
  size_t listed = 0;
  set.for_each([&](uint64_t hash) {
    EXPECT_EQ(hash, 0u);
    ++listed;
  });
  EXPECT_EQ(listed, 1u);
}

}  // namespace
}  // namespace tessera::engine
