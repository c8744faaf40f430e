// Session: one client connection, run as a coroutine whose handlers never run
// concurrently (on a strand, or on an io_context one thread runs). The base
// owns the socket, the idle and authentication deadlines and the single catch
// boundary; IngestSession and QuerySession implement serve().
#pragma once

#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "server/asio.h"
#include "server/peer_connection_limit.h"
#include "server/server_context.h"

namespace tessera::server {

class Session : public std::enable_shared_from_this<Session> {
 public:
  // Requires: `socket` is open and its executor runs one handler at a time (a
  // strand, or an io_context run by one thread).
  Session(tcp::socket socket, ServerContext& context);
  virtual ~Session() = default;
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // Spawns the session coroutine (detached). Requires: already in the registry.
  void start();
  // Graceful stop: no more input is read; what was read is still processed and
  // answered. Thread-safe.
  void stop_reading();
  // Forced stop: closes the socket. Thread-safe.
  void close();
  // Keeps `lease` (QueryThreads::Place) until the session is destroyed.
  void hold_while_alive(std::shared_ptr<const void> lease) { lease_ = std::move(lease); }
  // For a session that was never started (refused): sends `bytes`, then closes.
  awaitable<void> write_and_close(std::string bytes);

 protected:
  // The protocol loop. Returns when the connection should close. May throw (a
  // library did): run() logs, sends internal_error_reply() and closes.
  virtual awaitable<void> serve() = 0;
  // The line sent before closing after an exception, e.g. "ERR internal ...\n".
  virtual std::string internal_error_reply(std::string_view what) const = 0;

  // Reads what is available (at least one byte) within the idle timeout. Returns
  // 0 at end of input, on error, on stop_reading() and when the deadline passed
  // (then is_idle_expired() is true).
  awaitable<size_t> read_some(std::span<char> buffer);
  // Writes everything within the idle timeout; false when the socket failed.
  awaitable<bool> write(std::string_view bytes);
  // Counts this connection against `peer`'s open connections (both ports). Returns
  // the held slot, to keep until serve() returns; or, over the per-peer limit, an
  // empty slot after sending the limit error: serve() should then return.
  awaitable<PeerConnectionLimit::Slot> admit_peer(const std::string& peer);
  bool is_idle_expired() const { return is_idle_expired_; }
  // The authentication deadline (ServerLimits::auth_timeout): armed when the session
  // starts if the server has a tokens file. Once it passes, reads return 0 and
  // is_auth_expired() is true, and the session should close.
  bool is_auth_expired() const { return is_auth_expired_; }
  // The client authenticated: the deadline no longer applies.
  void mark_authenticated();
  // A failed AUTH ended the session's authentication: a new deadline starts now.
  void mark_unauthenticated();
  // True once the client closed its sending side (a clean end of input, as opposed
  // to an error, an idle timeout or a server stop).
  bool is_end_of_input() const { return is_end_of_input_; }

  tcp::socket socket_;
  ServerContext& context_;

 private:
  awaitable<void> run(std::shared_ptr<Session> self);
  void arm_deadline();
  void disarm_deadline();
  void arm_auth_deadline();

  std::shared_ptr<const void> lease_;
  asio::steady_timer deadline_;
  asio::steady_timer auth_deadline_;
  uint64_t auth_deadline_generation_ = 0;
  bool is_auth_pending_ = false;
  bool is_auth_expired_ = false;
  uint64_t deadline_generation_ = 0;
  bool is_deadline_armed_ = false;
  bool is_idle_expired_ = false;
  bool is_read_stopped_ = false;
  bool is_end_of_input_ = false;
};

}  // namespace tessera::server
