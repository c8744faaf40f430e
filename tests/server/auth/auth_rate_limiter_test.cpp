#include "server/auth/auth_rate_limiter.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

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

// One wrong guess: admitted (and so counted), never taken back.
bool guess(AuthRateLimiter& limiter, const std::string& peer,
           const AuthRatePolicy& policy = kPolicy) {
  return !limiter.begin(peer, policy).retry_after.has_value();
}

bool is_blocked(AuthRateLimiter& limiter, const std::string& peer) {
  AuthAttempt attempt = limiter.begin(peer, kPolicy);
  if (attempt.retry_after) return true;
  limiter.succeeded(attempt);  // a probe must not count as a failure
  return false;
}

TEST(AuthRateLimiterTest, BlocksAfterMaxFailuresWithinTheWindow) {
  FakeClock clock;
  AuthRateLimiter limiter(100, clock.fn());
  for (int i = 0; i < 3; ++i) {
    EXPECT_TRUE(guess(limiter, "10.0.0.1")) << i;
    clock.now += seconds(10);
  }
  // Failures at 0 s, 10 s, 20 s; now 30 s: blocked until the first is 60 s old.
  AuthAttempt refused = limiter.begin("10.0.0.1", kPolicy);
  ASSERT_TRUE(refused.retry_after.has_value());
  EXPECT_EQ(*refused.retry_after, milliseconds(30'000));
  EXPECT_EQ(refused.key, "10.0.0.1");
  clock.now += milliseconds(29'999);
  EXPECT_TRUE(is_blocked(limiter, "10.0.0.1"));
  clock.now += milliseconds(1);
  EXPECT_FALSE(is_blocked(limiter, "10.0.0.1"));
}

TEST(AuthRateLimiterTest, RefusedAttemptsDoNotExtendTheBlock) {
  FakeClock clock;
  AuthRateLimiter limiter(100, clock.fn());
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(guess(limiter, "p"));
  for (int i = 0; i < 10; ++i) {
    clock.now += seconds(5);
    EXPECT_FALSE(guess(limiter, "p")) << i;
  }
  clock.now += seconds(10);  // 60 s after the counted failures
  EXPECT_TRUE(guess(limiter, "p"));
}

TEST(AuthRateLimiterTest, ASuccessIsNotCountedButDoesNotClearEarlierFailures) {
  FakeClock clock;
  AuthRateLimiter limiter(100, clock.fn());
  for (int i = 0; i < 2; ++i) EXPECT_TRUE(guess(limiter, "p"));
  for (int i = 0; i < 5; ++i) {
    AuthAttempt attempt = limiter.begin("p", kPolicy);
    ASSERT_FALSE(attempt.retry_after.has_value()) << i;
    limiter.succeeded(attempt);
  }
  EXPECT_TRUE(guess(limiter, "p"));  // the third failure
  EXPECT_TRUE(is_blocked(limiter, "p"));
}

TEST(AuthRateLimiterTest, OtherPeersAreNotAffected) {
  FakeClock clock;
  AuthRateLimiter limiter(100, clock.fn());
  for (int i = 0; i < 3; ++i) guess(limiter, "10.0.0.1");
  EXPECT_TRUE(is_blocked(limiter, "10.0.0.1"));
  EXPECT_FALSE(is_blocked(limiter, "10.0.0.2"));
}

TEST(AuthRateLimiterTest, FailuresSpreadOverMoreThanTheWindowDoNotBlock) {
  FakeClock clock;
  AuthRateLimiter limiter(100, clock.fn());
  for (int i = 0; i < 10; ++i) {
    EXPECT_TRUE(guess(limiter, "p")) << i;
    clock.now += seconds(31);  // at most 2 failures in any 60 s
  }
}

TEST(AuthRateLimiterTest, WaitIsRoundedUpToAMillisecond) {
  FakeClock clock;
  AuthRateLimiter limiter(100, clock.fn());
  for (int i = 0; i < 3; ++i) guess(limiter, "p");
  clock.now += milliseconds(60'000) - std::chrono::microseconds(1);
  AuthAttempt refused = limiter.begin("p", kPolicy);
  ASSERT_TRUE(refused.retry_after.has_value());
  EXPECT_EQ(*refused.retry_after, milliseconds(1));
}

TEST(AuthRateLimiterTest, ZeroMaxFailuresDisablesLimiting) {
  FakeClock clock;
  AuthRateLimiter limiter(100, clock.fn());
  const AuthRatePolicy off{0, milliseconds(60'000)};
  for (int i = 0; i < 50; ++i) EXPECT_TRUE(guess(limiter, "p", off));
  EXPECT_EQ(limiter.tracked_peers(), 0u);
}

TEST(AuthRateLimiterTest, TrackedPeersStayBounded) {
  FakeClock clock;
  AuthRateLimiter limiter(4, clock.fn());
  for (int i = 0; i < 100; ++i) {
    guess(limiter, "peer" + std::to_string(i));
    clock.now += milliseconds(1);
  }
  EXPECT_EQ(limiter.tracked_peers(), 4u);
  // The newest peer is remembered, an evicted old one starts afresh.
  for (int i = 0; i < 2; ++i) guess(limiter, "peer99");
  EXPECT_TRUE(is_blocked(limiter, "peer99"));
  EXPECT_FALSE(is_blocked(limiter, "peer0"));
}

TEST(AuthRateLimiterTest, ExpiredPeersAreEvictedFirst) {
  FakeClock clock;
  AuthRateLimiter limiter(2, clock.fn());
  for (int i = 0; i < 3; ++i) guess(limiter, "busy");
  clock.now += seconds(59);
  guess(limiter, "old");
  clock.now += seconds(2);  // busy's failures (at 0 s) expired, old's (at 59 s) did not
  for (int i = 0; i < 3; ++i) guess(limiter, "new");
  EXPECT_EQ(limiter.tracked_peers(), 2u);
  EXPECT_TRUE(is_blocked(limiter, "new"));
  guess(limiter, "old");
  guess(limiter, "old");
  EXPECT_TRUE(is_blocked(limiter, "old"));
}

TEST(AuthRateLimiterTest, ExpiredPeersAreDroppedWithoutAFullTable) {
  FakeClock clock;
  AuthRateLimiter limiter(1000, clock.fn());
  for (int i = 0; i < 500; ++i) guess(limiter, "peer" + std::to_string(i));
  EXPECT_EQ(limiter.tracked_peers(), 500u);
  clock.now += seconds(61);
  guess(limiter, "late");
  EXPECT_EQ(limiter.tracked_peers(), 1u);
}

// Issue 5: blocked_for() and record_failure() were two steps, so N connections
// guessing at once all passed the check before any failure was recorded.
TEST(AuthRateLimiterTest, ConcurrentAttemptsGetNoExtraGuesses) {
  AuthRateLimiter limiter;
  const AuthRatePolicy policy{5, milliseconds(3'600'000)};
  std::atomic<int> admitted{0};
  std::atomic<bool> go{false};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      while (!go.load()) std::this_thread::yield();
      for (int i = 0; i < 50; ++i) {
        if (!limiter.begin("10.0.0.9", policy).retry_after) ++admitted;
      }
    });
  }
  go = true;
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(admitted.load(), 5);
}

TEST(AuthRateLimiterTest, IPv6PeersCountByTheirSlash64) {
  FakeClock clock;
  AuthRateLimiter limiter(100, clock.fn());
  EXPECT_TRUE(guess(limiter, "2001:db8:1:2::1"));
  EXPECT_TRUE(guess(limiter, "2001:db8:1:2:ffff:ffff:ffff:fffe"));
  EXPECT_TRUE(guess(limiter, "2001:db8:1:2:a:b:c:d"));
  AuthAttempt refused = limiter.begin("2001:db8:1:2::99", kPolicy);
  ASSERT_TRUE(refused.retry_after.has_value());
  EXPECT_EQ(refused.key, "2001:db8:1:2::/64");
  EXPECT_FALSE(is_blocked(limiter, "2001:db8:1:3::1"));  // the next /64
  EXPECT_EQ(limiter.tracked_peers(), 1u);
}

TEST(AuthRateLimiterTest, KeysAreIPv4AddressesAndIPv6Slash64Prefixes) {
  EXPECT_EQ(auth_rate_key("10.0.0.7"), "10.0.0.7");
  EXPECT_EQ(auth_rate_key("::ffff:10.0.0.7"), "10.0.0.7");
  EXPECT_EQ(auth_rate_key("2001:db8:aaaa:bbbb:cccc:dddd:eeee:ffff"), "2001:db8:aaaa:bbbb::/64");
  EXPECT_EQ(auth_rate_key("::1"), "::/64");
  EXPECT_EQ(auth_rate_key("fe80::1%2"), "fe80::/64");
  EXPECT_EQ(auth_rate_key("unknown"), "unknown");
}

TEST(AuthRateLimiterTest, MessageNamesPeerAndWholeSeconds) {
  EXPECT_EQ(auth_rate_limited_message("10.0.0.7", milliseconds(41'001)),
            "too many failed authentication attempts from 10.0.0.7; retry in 42 s");
}

}  // namespace
}  // namespace tessera::server
