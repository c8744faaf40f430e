#include "server/auth/auth_rate_limiter.h"

#include <gtest/gtest.h>

namespace tessera::server {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// A clock the test moves by hand.
struct FakeClock {
  std::chrono::steady_clock::time_point now{};
  AuthRateLimiter::Clock fn() {
    return [this] { return now; };
  }
};

const AuthRatePolicy kPolicy{3, milliseconds(60'000)};

TEST(AuthRateLimiterTest, BlocksAfterMaxFailuresWithinTheWindow) {
  FakeClock clock;
  AuthRateLimiter limiter(100, clock.fn());
  for (int i = 0; i < 3; ++i) {
    EXPECT_FALSE(limiter.blocked_for("10.0.0.1", kPolicy).has_value()) << i;
    limiter.record_failure("10.0.0.1", kPolicy);
    clock.now += seconds(10);
  }
  // Failures at 0 s, 10 s, 20 s; now 30 s: blocked until the first is 60 s old.
  auto wait = limiter.blocked_for("10.0.0.1", kPolicy);
  ASSERT_TRUE(wait.has_value());
  EXPECT_EQ(*wait, milliseconds(30'000));
  clock.now += milliseconds(29'999);
  EXPECT_TRUE(limiter.blocked_for("10.0.0.1", kPolicy).has_value());
  clock.now += milliseconds(1);
  EXPECT_FALSE(limiter.blocked_for("10.0.0.1", kPolicy).has_value());
}

TEST(AuthRateLimiterTest, OtherPeersAreNotAffected) {
  FakeClock clock;
  AuthRateLimiter limiter(100, clock.fn());
  for (int i = 0; i < 3; ++i) limiter.record_failure("10.0.0.1", kPolicy);
  EXPECT_TRUE(limiter.blocked_for("10.0.0.1", kPolicy).has_value());
  EXPECT_FALSE(limiter.blocked_for("10.0.0.2", kPolicy).has_value());
}

TEST(AuthRateLimiterTest, FailuresSpreadOverMoreThanTheWindowDoNotBlock) {
  FakeClock clock;
  AuthRateLimiter limiter(100, clock.fn());
  for (int i = 0; i < 10; ++i) {
    EXPECT_FALSE(limiter.blocked_for("p", kPolicy).has_value()) << i;
    limiter.record_failure("p", kPolicy);
    clock.now += seconds(31);  // at most 2 failures in any 60 s
  }
}

TEST(AuthRateLimiterTest, WaitIsRoundedUpToAMillisecond) {
  FakeClock clock;
  AuthRateLimiter limiter(100, clock.fn());
  for (int i = 0; i < 3; ++i) limiter.record_failure("p", kPolicy);
  clock.now += milliseconds(60'000) - std::chrono::microseconds(1);
  auto wait = limiter.blocked_for("p", kPolicy);
  ASSERT_TRUE(wait.has_value());
  EXPECT_EQ(*wait, milliseconds(1));
}

TEST(AuthRateLimiterTest, ZeroMaxFailuresDisablesLimiting) {
  FakeClock clock;
  AuthRateLimiter limiter(100, clock.fn());
  const AuthRatePolicy off{0, milliseconds(60'000)};
  for (int i = 0; i < 50; ++i) limiter.record_failure("p", off);
  EXPECT_FALSE(limiter.blocked_for("p", off).has_value());
  EXPECT_EQ(limiter.tracked_peers(), 0u);
}

TEST(AuthRateLimiterTest, TrackedPeersStayBounded) {
  FakeClock clock;
  AuthRateLimiter limiter(4, clock.fn());
  for (int i = 0; i < 100; ++i) {
    limiter.record_failure("peer" + std::to_string(i), kPolicy);
    clock.now += milliseconds(1);
  }
  EXPECT_EQ(limiter.tracked_peers(), 4u);
  // The newest peer is remembered, an evicted old one starts afresh.
  for (int i = 0; i < 2; ++i) limiter.record_failure("peer99", kPolicy);
  EXPECT_TRUE(limiter.blocked_for("peer99", kPolicy).has_value());
  EXPECT_FALSE(limiter.blocked_for("peer0", kPolicy).has_value());
}

TEST(AuthRateLimiterTest, ExpiredPeersAreEvictedFirst) {
  FakeClock clock;
  AuthRateLimiter limiter(2, clock.fn());
  for (int i = 0; i < 3; ++i) limiter.record_failure("busy", kPolicy);
  clock.now += seconds(59);
  limiter.record_failure("old", kPolicy);
  clock.now += seconds(2);  // busy's failures (at 0 s) expired, old's (at 59 s) did not
  for (int i = 0; i < 3; ++i) limiter.record_failure("new", kPolicy);
  EXPECT_EQ(limiter.tracked_peers(), 2u);
  EXPECT_TRUE(limiter.blocked_for("new", kPolicy).has_value());
  limiter.record_failure("old", kPolicy);
  limiter.record_failure("old", kPolicy);
  EXPECT_TRUE(limiter.blocked_for("old", kPolicy).has_value());
}

TEST(AuthRateLimiterTest, MessageNamesPeerAndWholeSeconds) {
  EXPECT_EQ(auth_rate_limited_message("10.0.0.7", milliseconds(41'001)),
            "too many failed authentication attempts from 10.0.0.7; retry in 42 s");
}

}  // namespace
}  // namespace tessera::server
