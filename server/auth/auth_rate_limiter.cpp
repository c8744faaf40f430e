#include "server/auth/auth_rate_limiter.h"

#include <iterator>

namespace tessera::server {

AuthRateLimiter::AuthRateLimiter(size_t max_tracked_peers, Clock clock)
    : max_tracked_peers_(max_tracked_peers), clock_(std::move(clock)) {}

void AuthRateLimiter::expire(std::deque<TimePoint>& failures, TimePoint now,
                             std::chrono::milliseconds window) {
  while (!failures.empty() && now - failures.front() >= window) failures.pop_front();
}

std::optional<std::chrono::milliseconds> AuthRateLimiter::blocked_for(
    const std::string& peer, const AuthRatePolicy& policy) {
  if (policy.max_failures == 0) return std::nullopt;
  const TimePoint now = clock_();
  std::lock_guard lock(mu_);
  auto it = failures_.find(peer);
  if (it == failures_.end()) return std::nullopt;
  expire(it->second, now, policy.window);
  if (it->second.empty()) {
    failures_.erase(it);
    return std::nullopt;
  }
  if (it->second.size() < policy.max_failures) return std::nullopt;
  auto wait =
      std::chrono::ceil<std::chrono::milliseconds>(it->second.front() + policy.window - now);
  if (wait.count() < 1) wait = std::chrono::milliseconds(1);
  return wait;
}

void AuthRateLimiter::record_failure(const std::string& peer, const AuthRatePolicy& policy) {
  if (policy.max_failures == 0 || max_tracked_peers_ == 0) return;
  const TimePoint now = clock_();
  std::lock_guard lock(mu_);
  auto it = failures_.find(peer);
  if (it == failures_.end()) {
    if (failures_.size() >= max_tracked_peers_) evict_one(now, policy.window);
    it = failures_.try_emplace(peer).first;
  }
  std::deque<TimePoint>& failures = it->second;
  expire(failures, now, policy.window);
  failures.push_back(now);
  // Only the newest max_failures decide: bounded memory per peer.
  while (failures.size() > policy.max_failures) failures.pop_front();
}

void AuthRateLimiter::evict_one(TimePoint now, std::chrono::milliseconds window) {
  for (auto it = failures_.begin(); it != failures_.end();) {
    expire(it->second, now, window);
    it = it->second.empty() ? failures_.erase(it) : std::next(it);
  }
  if (failures_.size() < max_tracked_peers_) return;
  auto oldest = failures_.begin();
  for (auto it = failures_.begin(); it != failures_.end(); ++it) {
    if (it->second.back() < oldest->second.back()) oldest = it;
  }
  failures_.erase(oldest);
}

size_t AuthRateLimiter::tracked_peers() const {
  std::lock_guard lock(mu_);
  return failures_.size();
}

std::string auth_rate_limited_message(const std::string& peer, std::chrono::milliseconds wait) {
  const auto seconds = (wait.count() + 999) / 1000;
  return "too many failed authentication attempts from " + peer + "; retry in " +
         std::to_string(seconds) + " s";
}

}  // namespace tessera::server
