#include "server/auth/auth_rate_limiter.h"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <iterator>

namespace tessera::server {

std::string auth_rate_key(std::string_view peer_address) {
  // A zone ("fe80::1%eth0") names the local interface, not the peer.
  const std::string address(peer_address.substr(0, peer_address.find('%')));
  std::array<unsigned char, 16> bytes{};
  std::array<char, INET6_ADDRSTRLEN> text{};
  if (inet_pton(AF_INET6, address.c_str(), bytes.data()) != 1) return std::string(peer_address);
  static constexpr std::array<unsigned char, 12> kV4MappedPrefix = {0, 0, 0, 0, 0,    0,
                                                                    0, 0, 0, 0, 0xff, 0xff};
  if (std::equal(kV4MappedPrefix.begin(), kV4MappedPrefix.end(), bytes.begin())) {
    if (inet_ntop(AF_INET, bytes.data() + 12, text.data(), text.size()) == nullptr) {
      return std::string(peer_address);
    }
    return text.data();
  }
  std::fill(bytes.begin() + 8, bytes.end(), 0);  // keep the /64 prefix
  if (inet_ntop(AF_INET6, bytes.data(), text.data(), text.size()) == nullptr) {
    return std::string(peer_address);
  }
  return std::string(text.data()) + "/64";
}

AuthRateLimiter::AuthRateLimiter(size_t max_tracked_peers, Clock clock)
    : max_tracked_peers_(max_tracked_peers), clock_(std::move(clock)) {}

void AuthRateLimiter::erase(PeerList::iterator peer) {
  by_key_.erase(peer->key);
  peers_.erase(peer);
}

void AuthRateLimiter::drop_expired_front(TimePoint now, std::chrono::milliseconds window) {
  // Every failure of a peer is at or before its last attempt.
  while (!peers_.empty() && now - peers_.front().last_attempt >= window) erase(peers_.begin());
}

AuthAttempt AuthRateLimiter::begin(std::string_view peer_address, const AuthRatePolicy& policy) {
  AuthAttempt attempt;
  attempt.key = auth_rate_key(peer_address);
  if (policy.max_failures == 0 || max_tracked_peers_ == 0) return attempt;
  std::lock_guard lock(mu_);
  // Read under the lock, so that peers_ stays ordered by last_attempt.
  const TimePoint now = clock_();
  drop_expired_front(now, policy.window);
  PeerList::iterator peer;
  if (auto found = by_key_.find(attempt.key); found != by_key_.end()) {
    peer = found->second;
    std::deque<TimePoint>& failures = peer->failures;
    while (!failures.empty() && now - failures.front() >= policy.window) failures.pop_front();
    if (failures.size() >= policy.max_failures) {
      auto wait =
          std::chrono::ceil<std::chrono::milliseconds>(failures.front() + policy.window - now);
      attempt.retry_after = std::max(wait, std::chrono::milliseconds(1));
      return attempt;  // refused: not counted, and the block is not extended
    }
    peer->last_attempt = now;
    peers_.splice(peers_.end(), peers_, peer);
  } else {
    if (peers_.size() >= max_tracked_peers_) erase(peers_.begin());
    peer = peers_.insert(peers_.end(), Peer{attempt.key, now, {}});
    by_key_.emplace(peer->key, peer);
  }
  peer->failures.push_back(now);
  attempt.counted_at = now;
  return attempt;
}

void AuthRateLimiter::succeeded(const AuthAttempt& attempt) {
  if (!attempt.counted_at) return;
  std::lock_guard lock(mu_);
  auto found = by_key_.find(attempt.key);
  if (found == by_key_.end()) return;  // dropped or evicted meanwhile
  const PeerList::iterator peer = found->second;
  std::deque<TimePoint>& failures = peer->failures;
  auto counted = std::find(failures.rbegin(), failures.rend(), *attempt.counted_at);
  if (counted != failures.rend()) failures.erase(std::next(counted).base());
  if (failures.empty()) erase(peer);
}

size_t AuthRateLimiter::tracked_peers() const {
  std::lock_guard lock(mu_);
  return peers_.size();
}

std::string auth_rate_limited_message(const std::string& peer, std::chrono::milliseconds wait) {
  const auto seconds = (wait.count() + 999) / 1000;
  return "too many failed authentication attempts from " + peer + "; retry in " +
         std::to_string(seconds) + " s";
}

}  // namespace tessera::server
