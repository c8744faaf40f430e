// AuthRateLimiter: refuses authentication attempts from a peer address that
// failed too often recently, so that tokens cannot be guessed at network speed.
//
// Policy: a peer with `max_failures` failed attempts inside the last `window` is
// blocked until the oldest of them is `window` old; while blocked, attempts are
// refused without comparing any token (and are not counted). Successes do not
// clear earlier failures. At most `max_tracked_peers` addresses are remembered;
// when full, peers whose failures all expired are dropped first, then the one
// whose last failure is oldest. Defaults and error texts: docs/security.md.
//
// The policy is passed to each call (it comes from the server's options, which
// every session holds); one limiter must always be used with the same policy.
// Thread-safe. The clock is injected so tests need no sleeps.
#pragma once

#include <chrono>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace tessera::server {

struct AuthRatePolicy {
  size_t max_failures = 5;  // 0: no rate limiting
  std::chrono::milliseconds window{60'000};
};

class AuthRateLimiter {
 public:
  using Clock = std::function<std::chrono::steady_clock::time_point()>;
  static constexpr size_t kDefaultMaxTrackedPeers = 65'536;

  explicit AuthRateLimiter(
      size_t max_tracked_peers = kDefaultMaxTrackedPeers,
      Clock clock = [] { return std::chrono::steady_clock::now(); });

  // Before an attempt: nullopt when `peer` may try, else how long until it may
  // (rounded up to whole milliseconds, at least 1).
  std::optional<std::chrono::milliseconds> blocked_for(const std::string& peer,
                                                       const AuthRatePolicy& policy);
  // After a failed attempt (a wrong or missing token).
  void record_failure(const std::string& peer, const AuthRatePolicy& policy);

  size_t tracked_peers() const;

 private:
  using TimePoint = std::chrono::steady_clock::time_point;
  // Requires: mu_ held. Drops failures older than the window.
  static void expire(std::deque<TimePoint>& failures, TimePoint now,
                     std::chrono::milliseconds window);
  // Requires: mu_ held. Makes room for one more peer.
  void evict_one(TimePoint now, std::chrono::milliseconds window);

  const size_t max_tracked_peers_;
  const Clock clock_;
  mutable std::mutex mu_;
  // Per peer address: times of its recent failures, oldest first, at most max_failures.
  std::unordered_map<std::string, std::deque<TimePoint>> failures_;
};

// The ERR / err message for a blocked peer:
//   too many failed authentication attempts from 10.0.0.7; retry in 42 s
std::string auth_rate_limited_message(const std::string& peer, std::chrono::milliseconds wait);

}  // namespace tessera::server
