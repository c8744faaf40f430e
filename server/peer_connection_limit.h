// PeerConnectionLimit: counts open connections per peer (both ports together), so
// that one client cannot take every slot of the global max_connections. Peers are
// keyed as the auth rate limiter keys them (auth_rate_key): an IPv4 address, or an
// IPv6 /64, since one host can pick any address of its /64. Thread-safe.
//
//   auto slot = limit.acquire(peer, 64);   // empty slot: refuse the connection
//   ...                                    // the count drops when `slot` dies
#pragma once

#include <cstddef>
#include <mutex>
#include <string>
#include <unordered_map>

#include "server/asio.h"

namespace tessera::server {

class PeerConnectionLimit {
 public:
  // Holds one connection of one peer; releases it on destruction. Movable.
  class Slot {
   public:
    Slot() = default;
    Slot(Slot&& other) noexcept : owner_(other.owner_), peer_(std::move(other.peer_)) {
      other.owner_ = nullptr;
    }
    Slot& operator=(Slot&& other) noexcept;
    Slot(const Slot&) = delete;
    Slot& operator=(const Slot&) = delete;
    ~Slot() { release(); }
    bool is_held() const { return owner_ != nullptr; }

   private:
    friend class PeerConnectionLimit;
    Slot(PeerConnectionLimit* owner, std::string peer) : owner_(owner), peer_(std::move(peer)) {}
    void release();
    PeerConnectionLimit* owner_ = nullptr;
    std::string peer_;
  };

  PeerConnectionLimit() = default;
  PeerConnectionLimit(const PeerConnectionLimit&) = delete;
  PeerConnectionLimit& operator=(const PeerConnectionLimit&) = delete;

  // A held slot, or an empty one when `peer` already has `max_per_peer` open
  // connections (0: no limit). Requires: this outlives the slot.
  Slot acquire(const std::string& peer, size_t max_per_peer);
  size_t open_connections(const std::string& peer) const;

 private:
  mutable std::mutex mu_;
  std::unordered_map<std::string, size_t> open_;  // only peers with open > 0
};

// The address a connection is counted under ("127.0.0.1", "::1"); IPv4-mapped
// IPv6 addresses count as their IPv4 form. "unknown" when the socket has no peer.
std::string peer_address(const tcp::socket& socket);

// The refusal message: "too many connections from 10.0.0.7 (limit 64 per address)".
std::string peer_limit_message(const std::string& peer, size_t max_per_peer);

}  // namespace tessera::server
