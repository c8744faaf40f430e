#include "engine/open_addressing_map.h"

#include <gtest/gtest.h>

#include <map>
#include <random>

namespace tessera::engine {
namespace {

// Keeps only the low 4 bits, so that keys collide and probe runs wrap around the
// end of the array.
struct PoorHash {
  size_t operator()(uint64_t key) const { return key & 0xf; }
};
// Homes in the last 8 and first 8 slots of any array, so that runs cross its end.
struct WrappingHash {
  size_t operator()(uint64_t key) const { return (key & 0xf) - 8; }
};
struct GoodHash {
  size_t operator()(uint64_t key) const { return key * 0x9e3779b97f4a7c15ULL >> 7; }
};
constexpr uint32_t kEmpty = UINT32_MAX;

// Random keys, many repeated, against std::map: every answer of try_emplace(),
// find() and erase(), and the size, through growth by insertion and by reserve().
template <typename Hash>
void check_against_reference(uint64_t seed, uint64_t key_range, int operations) {
  std::mt19937_64 rng(seed);
  OpenAddressingMap<uint64_t, uint32_t, Hash> map(kEmpty);
  std::map<uint64_t, uint32_t> reference;
  EXPECT_EQ(map.find(1), nullptr);  // empty, no array yet
  for (int i = 0; i < operations; ++i) {
    const uint64_t key = rng() % key_range;
    const auto value = static_cast<uint32_t>(rng() % 1000);
    switch (rng() % 10) {
      case 0: {
        map.reserve(reference.size() + rng() % 64);
        break;
      }
      case 8:
      case 9: {
        ASSERT_EQ(map.erase(key), reference.erase(key) == 1) << key;
        break;
      }
      case 1:
      case 2: {
        uint32_t* found = map.find(key);
        auto it = reference.find(key);
        ASSERT_EQ(found != nullptr, it != reference.end()) << key;
        if (found == nullptr) break;
        ASSERT_EQ(*found, it->second) << key;
        *found = value;  // writes through to the map
        it->second = value;
        break;
      }
      default: {
        auto [stored, inserted] = map.try_emplace(key, value);
        auto [it, expected_inserted] = reference.try_emplace(key, value);
        ASSERT_EQ(inserted, expected_inserted) << key;
        ASSERT_EQ(*stored, it->second) << key;
        break;
      }
    }
    ASSERT_EQ(map.size(), reference.size());
  }
  for (const auto& [key, value] : reference) {
    const uint32_t* found = map.find(key);
    ASSERT_NE(found, nullptr) << key;
    EXPECT_EQ(*found, value) << key;
  }
  for (uint64_t key = key_range; key < key_range + 100; ++key) EXPECT_EQ(map.find(key), nullptr);
}

TEST(OpenAddressingMapTest, MatchesAReferenceMapThroughGrowth) {
  check_against_reference<GoodHash>(11, 30'000, 100'000);
}

TEST(OpenAddressingMapTest, CollidingHashesStillFindEveryKey) {
  check_against_reference<PoorHash>(12, 2'000, 20'000);
}

// After every erase, every key still stored is found with its value: the slots that
// moved back kept their runs reachable, across the end of the array too.
TEST(OpenAddressingMapTest, EraseKeepsEveryOtherKeyReachable) {
  std::mt19937_64 rng(13);
  OpenAddressingMap<uint64_t, uint32_t, WrappingHash> map(kEmpty);
  std::map<uint64_t, uint32_t> reference;
  int erased = 0;
  for (int i = 0; i < 3'000; ++i) {
    const uint64_t key = rng() % 300;
    if (rng() % 3 == 0) {
      const bool was_stored = reference.erase(key) == 1;
      ASSERT_EQ(map.erase(key), was_stored) << key;
      erased += was_stored ? 1 : 0;
      ASSERT_EQ(map.find(key), nullptr) << key;
      for (const auto& [kept, value] : reference) {
        const uint32_t* found = map.find(kept);
        ASSERT_NE(found, nullptr) << "lost " << kept << " after erasing " << key;
        ASSERT_EQ(*found, value);
      }
    } else {
      const auto value = static_cast<uint32_t>(i);
      reference.insert_or_assign(key, value);
      *map.try_emplace(key, value).first = value;
    }
    ASSERT_EQ(map.size(), reference.size());
  }
  EXPECT_GT(erased, 500);  // the loop did exercise erase
}

TEST(OpenAddressingMapTest, KeyZeroAndValueZeroAreOrdinary) {
  OpenAddressingMap<uint64_t, uint32_t, GoodHash> map(kEmpty);
  EXPECT_TRUE(map.try_emplace(0, 0).second);
  EXPECT_FALSE(map.try_emplace(0, 5).second);
  ASSERT_NE(map.find(0), nullptr);
  EXPECT_EQ(*map.find(0), 0u);
  EXPECT_EQ(map.size(), 1u);
}

}  // namespace
}  // namespace tessera::engine
