#include "server/peer_connection_limit.h"

#include <gtest/gtest.h>

#include <vector>

namespace tessera::server {
namespace {

TEST(PeerConnectionLimitTest, RefusesPastTheLimitPerPeer) {
  PeerConnectionLimit limit;
  std::vector<PeerConnectionLimit::Slot> held;
  for (int i = 0; i < 3; ++i) {
    held.push_back(limit.acquire("a", 3));
    EXPECT_TRUE(held.back().is_held());
  }
  EXPECT_FALSE(limit.acquire("a", 3).is_held());
  EXPECT_TRUE(limit.acquire("b", 3).is_held());
  EXPECT_EQ(limit.open_connections("a"), 3u);
}

TEST(PeerConnectionLimitTest, ReleasingASlotMakesRoom) {
  PeerConnectionLimit limit;
  auto first = limit.acquire("a", 1);
  ASSERT_TRUE(first.is_held());
  EXPECT_FALSE(limit.acquire("a", 1).is_held());
  first = PeerConnectionLimit::Slot();  // released by assignment
  EXPECT_EQ(limit.open_connections("a"), 0u);
  {
    auto again = limit.acquire("a", 1);
    EXPECT_TRUE(again.is_held());
    auto moved = std::move(again);
    EXPECT_FALSE(again.is_held());  // NOLINT(bugprone-use-after-move): checks the move
    EXPECT_EQ(limit.open_connections("a"), 1u);
  }
  EXPECT_EQ(limit.open_connections("a"), 0u);
}

TEST(PeerConnectionLimitTest, ZeroMeansNoLimit) {
  PeerConnectionLimit limit;
  std::vector<PeerConnectionLimit::Slot> held;
  for (int i = 0; i < 1000; ++i) held.push_back(limit.acquire("a", 0));
  EXPECT_TRUE(held.back().is_held());
  EXPECT_EQ(limit.open_connections("a"), 1000u);
}

TEST(PeerConnectionLimitTest, AddressesOfOneIpv6Slash64ShareOneCount) {
  PeerConnectionLimit limit;
  auto first = limit.acquire("2001:db8:1:2::1", 2);
  auto second = limit.acquire("2001:db8:1:2:ffff::9", 2);
  ASSERT_TRUE(first.is_held());
  ASSERT_TRUE(second.is_held());
  EXPECT_FALSE(limit.acquire("2001:db8:1:2:abcd::7", 2).is_held());
  EXPECT_EQ(limit.open_connections("2001:db8:1:2::42"), 2u);
  // Another /64 and IPv4 peers count on their own.
  EXPECT_TRUE(limit.acquire("2001:db8:1:3::1", 2).is_held());
  EXPECT_TRUE(limit.acquire("10.0.0.7", 2).is_held());
  EXPECT_EQ(limit.open_connections("10.0.0.8"), 0u);
}

TEST(PeerConnectionLimitTest, MessageNamesPeerAndLimit) {
  EXPECT_EQ(peer_limit_message("10.0.0.7", 64),
            "too many connections from 10.0.0.7 (limit 64 per address)");
}

}  // namespace
}  // namespace tessera::server
