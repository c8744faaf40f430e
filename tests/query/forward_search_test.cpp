#include "query/forward_search.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <vector>

namespace tessera::query {
namespace {

// What find() must answer, by a binary search over the whole list.
std::optional<size_t> reference_find(const std::vector<uint32_t>& sorted, uint32_t offset) {
  const auto it = std::lower_bound(sorted.begin(), sorted.end(), offset);
  if (it == sorted.end() || *it != offset) return std::nullopt;
  return static_cast<size_t>(it - sorted.begin());
}

TEST(ForwardSearchTest, FindsEachEntryAndMissesTheGapsBetweenThem) {
  const std::vector<uint32_t> starts = {0, 3, 4, 10, 11, 12, 40, 41, 100};
  ForwardSearch search(starts);
  EXPECT_EQ(search.find(0), 0u);
  EXPECT_EQ(search.find(0), 0u);  // the same offset again
  EXPECT_EQ(search.find(2), std::nullopt);
  EXPECT_EQ(search.find(4), 2u);
  EXPECT_EQ(search.find(12), 5u);
  EXPECT_EQ(search.find(39), std::nullopt);
  EXPECT_EQ(search.find(100), 8u);
  EXPECT_EQ(search.find(101), std::nullopt);  // past the last entry
  EXPECT_EQ(search.find(500), std::nullopt);
}

TEST(ForwardSearchTest, AnEmptyListHoldsNothing) {
  ForwardSearch search(std::span<const uint32_t>{});
  EXPECT_FALSE(search.contains(0));
  EXPECT_FALSE(search.contains(7));
}

// Random lists, long and short, dense and sparse, searched for nondecreasing offsets
// that land on entries, between them and past the end, with repeats: every answer
// equals a binary search over the whole list.
TEST(ForwardSearchTest, AgreesWithABinarySearchOnRandomListsAndOffsets) {
  std::mt19937 rng(20261208);
  for (int trial = 0; trial < 2000; ++trial) {
    const size_t size = std::uniform_int_distribution<size_t>(0, trial % 10 == 0 ? 2000 : 40)(rng);
    const uint32_t max_gap = std::uniform_int_distribution<uint32_t>(1, 50)(rng);
    std::vector<uint32_t> starts;
    uint32_t at = std::uniform_int_distribution<uint32_t>(0, 5)(rng);
    for (size_t i = 0; i < size; ++i) {
      starts.push_back(at);
      at += std::uniform_int_distribution<uint32_t>(1, max_gap)(rng);
    }
    ForwardSearch search(starts);
    uint32_t offset = 0;
    const uint32_t max_step = std::uniform_int_distribution<uint32_t>(0, 3 * max_gap)(rng);
    while (offset <= at + max_gap) {
      ASSERT_EQ(search.find(offset), reference_find(starts, offset))
          << "trial " << trial << ", offset " << offset;
      // Sometimes jump to an entry ahead, so that hits are frequent too.
      if (!starts.empty() && std::uniform_int_distribution<int>(0, 3)(rng) == 0) {
        const auto next = std::upper_bound(starts.begin(), starts.end(), offset);
        if (next != starts.end()) {
          offset = *next;
          continue;
        }
      }
      offset += std::uniform_int_distribution<uint32_t>(0, max_step)(rng);
      if (max_step == 0) ++offset;
    }
  }
}

}  // namespace
}  // namespace tessera::query
