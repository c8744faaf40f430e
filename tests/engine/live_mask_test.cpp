#include "engine/live_mask.h"

#include <gtest/gtest.h>

namespace tessera::engine {
namespace {

std::shared_ptr<const storage::ColumnStats> sum_of(int64_t sum) {
  auto stats = std::make_shared<storage::ColumnStats>();
  stats->sum_int = sum;
  return stats;
}

TEST(LiveMaskTest, CountsLiveRowsThroughKillsAndAppends) {
  LiveMask mask(std::vector<uint8_t>{1, 0, 1, 1});
  EXPECT_EQ(mask.live_count(), 3u);
  mask.kill(2);
  mask.kill(2);  // already replaced: no change
  mask.kill(1);
  EXPECT_EQ(mask.live_count(), 2u);
  mask.append_live(3);
  EXPECT_EQ(mask.rows(), (std::vector<uint8_t>{1, 0, 0, 1, 1, 1, 1}));
  EXPECT_EQ(mask.live_count(), 5u);
  EXPECT_EQ(LiveMask(4).live_count(), 4u);
}

// Statistics describe the rows as they were when kept: any change drops them, and
// a copy (made to be changed) starts without them.
TEST(LiveMaskTest, KeptStatisticsDoNotOutliveAChange) {
  LiveMask mask(4);
  EXPECT_EQ(mask.find_stats("clicks"), nullptr);
  mask.keep_stats("clicks", sum_of(10));
  mask.keep_stats("clicks", sum_of(99));  // the first kept stays
  ASSERT_NE(mask.find_stats("clicks"), nullptr);
  EXPECT_EQ(mask.find_stats("clicks")->sum_int, 10);
  EXPECT_EQ(mask.find_stats("spend"), nullptr);

  const LiveMask copy(mask);
  EXPECT_EQ(copy.find_stats("clicks"), nullptr);
  EXPECT_EQ(copy.rows(), mask.rows());

  mask.kill(0);
  EXPECT_EQ(mask.find_stats("clicks"), nullptr);
  mask.keep_stats("clicks", sum_of(7));
  mask.append_live(1);
  EXPECT_EQ(mask.find_stats("clicks"), nullptr);
}

}  // namespace
}  // namespace tessera::engine
