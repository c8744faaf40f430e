// SessionRegistry: the live connections of a server (both ports), so that shutdown
// can stop and close them and max_connections can be enforced. It also holds the
// per-peer state every session of the server shares: open connections per
// address and recent authentication failures per address. Thread-safe.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <unordered_map>

#include "server/auth/auth_rate_limiter.h"
#include "server/peer_connection_limit.h"

namespace tessera::server {

class Session;

class SessionRegistry {
 public:
  explicit SessionRegistry(size_t max_sessions) : max_sessions_(max_sessions) {}

  // False (and not added) when max_sessions are open or the registry is stopping.
  bool add(const std::shared_ptr<Session>& session);
  // Called by a session as it ends. Runs on_empty when stopping and none are left.
  void remove(const Session* session);
  size_t size() const;

  // Shutdown, step 1: refuse new sessions and stop reading on all (each session
  // finishes the input it has, answers pending #sync lines, then ends).
  // `on_empty` runs once the last session is gone (at once if there are none).
  void begin_stop(std::function<void()> on_empty);
  // Shutdown, step 2 (after a grace period): close every remaining socket.
  void close_all();

  // Open connections per peer address (limits.max_connections_per_peer).
  PeerConnectionLimit& peer_connections() { return peer_connections_; }
  // Failed AUTH / #auth attempts per peer address (limits.max_auth_failures).
  AuthRateLimiter& auth_failures() { return auth_failures_; }

 private:
  const size_t max_sessions_;
  mutable std::mutex mutex_;
  std::unordered_map<const Session*, std::weak_ptr<Session>> sessions_;
  bool is_stopping_ = false;
  std::function<void()> on_empty_;
  PeerConnectionLimit peer_connections_;
  AuthRateLimiter auth_failures_;
};

}  // namespace tessera::server
