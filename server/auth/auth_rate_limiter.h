// AuthRateLimiter: refuses authentication attempts from a peer that failed too
// often recently, so that tokens cannot be guessed at network speed.
//
// Peers are counted by auth_rate_key(): an IPv4 address, or the /64 prefix of an
// IPv6 address (one host usually has a whole /64 to pick addresses from).
//
// Policy: a peer with `max_failures` failed attempts inside the last `window` is
// blocked until the oldest of them is `window` old; while blocked, attempts are
// refused without comparing any token (and are not counted). Successes do not
// clear earlier failures. Checking and counting are one step: begin() counts the
// attempt as a failure at once and succeeded() takes it back, so concurrent
// attempts of one peer never get more than `max_failures` guesses between them.
// At most `max_tracked_peers` peers are remembered; those whose failures all
// expired are dropped as they come to the front of the least-recently-attempted
// order, and when the table is full the least recently attempting peer makes room.
// Every call is O(1) (amortized) whatever the number of peers. Defaults and error
// texts: docs/security.md.
//
// The policy is passed to each call (it comes from the server's options, which
// every session holds); one limiter must always be used with the same policy.
// Thread-safe. The clock is injected so tests need no sleeps.
#pragma once

#include <chrono>
#include <cstddef>
#include <deque>
#include <functional>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace tessera::server {

struct AuthRatePolicy {
  size_t max_failures = 5;  // 0: no rate limiting
  std::chrono::milliseconds window{60'000};
};

// What begin() decided about one authentication attempt.
struct AuthAttempt {
  // Set when the peer is blocked: how long until it may try again (rounded up to
  // whole milliseconds, at least 1). No token may be compared then.
  std::optional<std::chrono::milliseconds> retry_after;
  // The peer's key (auth_rate_key), for messages.
  std::string key;
  // For an admitted attempt: when it was counted as a failure, if it was.
  std::optional<std::chrono::steady_clock::time_point> counted_at;
};

// "10.0.0.7" for an IPv4 (or IPv4-mapped IPv6) address, "2001:db8:1:2::/64" for an
// IPv6 one; anything that is not an IP address is its own key.
std::string auth_rate_key(std::string_view peer_address);

class AuthRateLimiter {
 public:
  using Clock = std::function<std::chrono::steady_clock::time_point()>;
  static constexpr size_t kDefaultMaxTrackedPeers = 65'536;

  explicit AuthRateLimiter(
      size_t max_tracked_peers = kDefaultMaxTrackedPeers,
      Clock clock = [] { return std::chrono::steady_clock::now(); });

  // Before comparing a token from `peer_address`: refuses the attempt (retry_after
  // set) when the peer is blocked, and otherwise counts it as a failure already.
  AuthAttempt begin(std::string_view peer_address, const AuthRatePolicy& policy);
  // After the token of an admitted attempt matched: takes back its failure.
  void succeeded(const AuthAttempt& attempt);

  size_t tracked_peers() const;

 private:
  using TimePoint = std::chrono::steady_clock::time_point;
  struct Peer {
    std::string key;
    TimePoint last_attempt;
    std::deque<TimePoint> failures;  // oldest first, at most max_failures
  };
  using PeerList = std::list<Peer>;

  // Requires: mu_ held. Forgets peers at the front whose every failure is a window
  // old; stops at the first that may still have a live one.
  void drop_expired_front(TimePoint now, std::chrono::milliseconds window);
  // Requires: mu_ held.
  void erase(PeerList::iterator peer);

  const size_t max_tracked_peers_;
  const Clock clock_;
  mutable std::mutex mu_;
  // Ordered by last_attempt, oldest first (begin() moves a peer to the back), so the
  // front is the peer to drop first.
  PeerList peers_;
  // By key; the views point into the keys of peers_' nodes, which never move.
  std::unordered_map<std::string_view, PeerList::iterator> by_key_;
};

// The ERR / err message for a blocked peer (`peer` is its key):
//   too many failed authentication attempts from 10.0.0.7; retry in 42 s
std::string auth_rate_limited_message(const std::string& peer, std::chrono::milliseconds wait);

}  // namespace tessera::server
