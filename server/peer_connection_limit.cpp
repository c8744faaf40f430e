#include "server/peer_connection_limit.h"

#include "server/auth/auth_rate_limiter.h"

namespace tessera::server {

PeerConnectionLimit::Slot& PeerConnectionLimit::Slot::operator=(Slot&& other) noexcept {
  if (this != &other) {
    release();
    owner_ = other.owner_;
    peer_ = std::move(other.peer_);
    other.owner_ = nullptr;
  }
  return *this;
}

void PeerConnectionLimit::Slot::release() {
  if (owner_ == nullptr) return;
  {
    std::lock_guard lock(owner_->mu_);
    auto it = owner_->open_.find(peer_);
    if (it != owner_->open_.end() && --it->second == 0) owner_->open_.erase(it);
  }
  owner_ = nullptr;
}

PeerConnectionLimit::Slot PeerConnectionLimit::acquire(const std::string& peer,
                                                       size_t max_per_peer) {
  std::string key = auth_rate_key(peer);
  std::lock_guard lock(mu_);
  size_t& open = open_[key];
  if (max_per_peer != 0 && open >= max_per_peer) return Slot();  // open >= 1 here
  ++open;
  return Slot(this, std::move(key));
}

size_t PeerConnectionLimit::open_connections(const std::string& peer) const {
  const std::string key = auth_rate_key(peer);
  std::lock_guard lock(mu_);
  auto it = open_.find(key);
  return it == open_.end() ? 0 : it->second;
}

std::string peer_address(const tcp::socket& socket) {
  boost::system::error_code ec;
  const tcp::endpoint endpoint = socket.remote_endpoint(ec);
  if (ec) return "unknown";
  auto address = endpoint.address();
  if (address.is_v6() && address.to_v6().is_v4_mapped()) {
    return asio::ip::make_address_v4(asio::ip::v4_mapped, address.to_v6()).to_string();
  }
  return address.to_string();
}

std::string peer_limit_message(const std::string& peer, size_t max_per_peer) {
  return "too many connections from " + peer + " (limit " + std::to_string(max_per_peer) +
         " per address)";
}

}  // namespace tessera::server
