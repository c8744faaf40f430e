#include "server/session.h"

#include <cstdio>
#include <exception>

#include "server/protocol/wire_error.h"

namespace tessera::server {

Session::Session(tcp::socket socket, ServerContext& context)
    : socket_(std::move(socket)),
      context_(context),
      deadline_(socket_.get_executor()),
      auth_deadline_(socket_.get_executor()) {}

void Session::start() {
  asio::co_spawn(socket_.get_executor(), run(shared_from_this()), asio::detached);
}

void Session::stop_reading() {
  asio::post(socket_.get_executor(), [self = shared_from_this()] {
    self->is_read_stopped_ = true;
    boost::system::error_code ignored;
    // Wakes a pending read with end-of-input; writes still go through.
    self->socket_.shutdown(tcp::socket::shutdown_receive, ignored);
  });
}

void Session::close() {
  asio::post(socket_.get_executor(), [self = shared_from_this()] {
    boost::system::error_code ignored;
    self->socket_.close(ignored);
    self->deadline_.cancel();
    self->auth_deadline_.cancel();
  });
}

awaitable<void> Session::write_and_close(std::string bytes) {
  co_await write(bytes);
  boost::system::error_code ignored;
  socket_.shutdown(tcp::socket::shutdown_both, ignored);
  socket_.close(ignored);
}

void Session::arm_deadline() {
  const uint64_t generation = ++deadline_generation_;
  is_deadline_armed_ = true;
  deadline_.expires_after(context_.options.limits.idle_timeout);
  deadline_.async_wait([weak = weak_from_this(), generation](boost::system::error_code ec) {
    auto self = weak.lock();
    if (ec || !self) return;
    // A late handler of an earlier read or write must not cancel this one.
    if (!self->is_deadline_armed_ || self->deadline_generation_ != generation) return;
    self->is_idle_expired_ = true;
    boost::system::error_code ignored;
    self->socket_.cancel(ignored);
  });
}

void Session::disarm_deadline() {
  is_deadline_armed_ = false;
  deadline_.cancel();
}

// Unlike the idle deadline, this one runs across reads, writes and the server's
// work alike: bytes that never amount to a successful authentication do not keep
// a connection open.
void Session::arm_auth_deadline() {
  const uint64_t generation = ++auth_deadline_generation_;
  is_auth_pending_ = true;
  auth_deadline_.expires_after(context_.options.limits.auth_timeout);
  auth_deadline_.async_wait([weak = weak_from_this(), generation](boost::system::error_code ec) {
    auto self = weak.lock();
    if (ec || !self) return;
    if (!self->is_auth_pending_ || self->auth_deadline_generation_ != generation) return;
    self->is_auth_expired_ = true;
    boost::system::error_code ignored;
    self->socket_.cancel(ignored);  // ends a pending read or write
  });
}

void Session::mark_authenticated() {
  is_auth_pending_ = false;
  // Expired while the line that authenticates was being handled: it counts.
  is_auth_expired_ = false;
  auth_deadline_.cancel();
}

void Session::mark_unauthenticated() {
  if (context_.options.tokens != nullptr) arm_auth_deadline();
}

awaitable<size_t> Session::read_some(std::span<char> buffer) {
  if (is_read_stopped_ || is_idle_expired_ || is_auth_expired_ || !socket_.is_open()) co_return 0;
  boost::system::error_code ec;
  arm_deadline();
  const size_t n = co_await socket_.async_read_some(asio::buffer(buffer.data(), buffer.size()),
                                                    asio::redirect_error(asio::use_awaitable, ec));
  disarm_deadline();
  if (is_read_stopped_) co_return 0;
  if (ec) {
    is_end_of_input_ = ec == asio::error::eof;
    co_return 0;
  }
  co_return n;
}

awaitable<PeerConnectionLimit::Slot> Session::admit_peer(const std::string& peer) {
  const ServerLimits& limits = context_.options.limits;
  PeerConnectionLimit::Slot slot =
      context_.registry.peer_connections().acquire(peer, limits.max_connections_per_peer);
  if (!slot.is_held()) {
    ++context_.stats.connections_refused;
    co_await write(format_error_reply(make_error(
        ErrorCode::kLimitExceeded, peer_limit_message(peer, limits.max_connections_per_peer))));
  }
  co_return slot;
}

awaitable<bool> Session::write(std::string_view bytes) {
  if (!socket_.is_open()) co_return false;
  boost::system::error_code ec;
  arm_deadline();
  co_await asio::async_write(socket_, asio::buffer(bytes.data(), bytes.size()),
                             asio::redirect_error(asio::use_awaitable, ec));
  disarm_deadline();
  co_return !ec;
}

// `self` keeps the session alive until the loop ends (a coroutine parameter, so it
// lives in the frame from the start).
awaitable<void> Session::run(std::shared_ptr<Session> self) {
  if (context_.options.tokens != nullptr) arm_auth_deadline();
  std::string failure;
  try {
    co_await serve();
  } catch (const std::exception& e) {
    failure = e.what();
  } catch (...) {
    failure = "unknown exception";
  }
  if (!failure.empty()) {
    // The one catch boundary of a session: log, tell the client, close this
    // connection only.
    ++context_.stats.session_failures;
    std::fprintf(stderr, "tessera: session failed: %s\n", failure.c_str());
    try {
      co_await write(internal_error_reply(failure));
    } catch (...) {
      // The connection is going away anyway.
    }
  }
  boost::system::error_code ignored;
  socket_.shutdown(tcp::socket::shutdown_both, ignored);
  socket_.close(ignored);
  deadline_.cancel();
  auth_deadline_.cancel();
  --context_.stats.connections_open;
  context_.registry.remove(this);
  (void)self;
}

}  // namespace tessera::server
