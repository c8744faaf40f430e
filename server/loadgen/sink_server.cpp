#include "server/loadgen/sink_server.h"

#include <cstring>
#include <exception>

namespace tessera::loadgen {
namespace {

using asio::redirect_error;
using asio::use_awaitable;
using boost::system::error_code;

constexpr size_t kReadChunkBytes = 64 * 1024;

Result<std::unique_ptr<tcp::acceptor>> listen(asio::io_context& io, uint16_t port) {
  auto acceptor = std::make_unique<tcp::acceptor>(io);
  error_code ec;
  const tcp::endpoint endpoint(asio::ip::make_address_v4("127.0.0.1"), port);
  acceptor->open(endpoint.protocol(), ec);
  if (!ec) acceptor->set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) acceptor->bind(endpoint, ec);
  if (!ec) acceptor->listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return make_error(ErrorCode::kUnavailable, "sink: cannot listen on 127.0.0.1:" +
                                                   std::to_string(port) + ": " + ec.message());
  }
  return acceptor;
}

// A session's exception (allocation failure) ends that session only.
void ignore_exception(std::exception_ptr) {}

}  // namespace

Result<std::unique_ptr<SinkServer>> SinkServer::start(uint16_t ingest_port, uint16_t query_port,
                                                      SinkResponder responder, unsigned threads) {
  std::unique_ptr<SinkServer> sink(new SinkServer());
  sink->responder_ = std::move(responder);
  TESSERA_ASSIGN_OR_RETURN(sink->ingest_acceptor_, listen(sink->io_, ingest_port));
  TESSERA_ASSIGN_OR_RETURN(sink->query_acceptor_, listen(sink->io_, query_port));
  sink->ingest_port_ = sink->ingest_acceptor_->local_endpoint().port();
  sink->query_port_ = sink->query_acceptor_->local_endpoint().port();
  SinkServer* self = sink.get();
  asio::co_spawn(sink->io_, self->accept_loop(*sink->ingest_acceptor_, true), ignore_exception);
  asio::co_spawn(sink->io_, self->accept_loop(*sink->query_acceptor_, false), ignore_exception);
  for (unsigned i = 0; i < std::max(1u, threads); ++i) {
    sink->threads_.emplace_back([self] { self->io_.run(); });
  }
  return sink;
}

SinkServer::~SinkServer() {
  io_.stop();
  for (auto& t : threads_) t.join();
}

awaitable<void> SinkServer::accept_loop(tcp::acceptor& acceptor, bool is_ingest) {
  while (true) {
    error_code ec;
    tcp::socket socket = co_await acceptor.async_accept(redirect_error(use_awaitable, ec));
    if (ec) co_return;
    socket.set_option(tcp::no_delay(true), ec);
    if (is_ingest) {
      asio::co_spawn(acceptor.get_executor(), ingest_session(std::move(socket)), ignore_exception);
    } else {
      asio::co_spawn(acceptor.get_executor(), query_session(std::move(socket)), ignore_exception);
    }
  }
}

awaitable<void> SinkServer::ingest_session(tcp::socket socket) {
  std::string chunk(kReadChunkBytes, '\0');
  std::string partial;  // the current line's bytes from earlier reads
  std::string reply;
  uint64_t lines_since_sync = 0;
  while (true) {
    error_code ec;
    const size_t n =
        co_await socket.async_read_some(asio::buffer(chunk), redirect_error(use_awaitable, ec));
    if (ec) co_return;
    size_t pos = 0;
    uint64_t lines = 0;
    while (pos < n) {
      const void* found = std::memchr(chunk.data() + pos, '\n', n - pos);
      if (found == nullptr) {
        partial.append(chunk.data() + pos, n - pos);
        if (partial.size() > kSinkMaxLineBytes) co_return;
        break;
      }
      const size_t end = static_cast<size_t>(static_cast<const char*>(found) - chunk.data());
      std::string_view line(chunk.data() + pos, end - pos);
      if (!partial.empty()) {
        partial.append(line);
        line = partial;
      }
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      if (line.starts_with("#sync")) {
        std::string_view id = line.size() > 6 ? line.substr(6) : std::string_view("-");
        reply += "ok ";
        reply += id;
        reply += " accepted=" + std::to_string(lines_since_sync) + " rejected=0\n";
        lines_since_sync = 0;
      } else if (!line.empty() && line.front() != '#') {
        ++lines_since_sync;
        ++lines;
      }
      partial.clear();
      pos = end + 1;
    }
    lines_.fetch_add(lines, std::memory_order_relaxed);
    if (!reply.empty()) {
      co_await asio::async_write(socket, asio::buffer(reply), redirect_error(use_awaitable, ec));
      if (ec) co_return;
      reply.clear();
    }
  }
}

awaitable<void> SinkServer::query_session(tcp::socket socket) {
  std::string chunk(kReadChunkBytes, '\0');
  std::string pending;
  std::string reply;
  while (true) {
    error_code ec;
    const size_t n =
        co_await socket.async_read_some(asio::buffer(chunk), redirect_error(use_awaitable, ec));
    if (ec) co_return;
    pending.append(chunk.data(), n);
    size_t start = 0;
    while (true) {
      const size_t newline = pending.find('\n', start);
      if (newline == std::string::npos) break;
      std::string_view statement(pending.data() + start, newline - start);
      if (!statement.empty() && statement.back() == '\r') statement.remove_suffix(1);
      start = newline + 1;
      statements_.fetch_add(1, std::memory_order_relaxed);
      SinkReply r = responder_ ? responder_(statement) : SinkReply{kSinkFixedReply, {}};
      if (r.delay.count() > 0) {
        // Replies already due go out first, so a delay is charged to its own statement.
        if (!reply.empty()) {
          co_await asio::async_write(socket, asio::buffer(reply),
                                     redirect_error(use_awaitable, ec));
          if (ec) co_return;
          reply.clear();
        }
        asio::steady_timer timer(socket.get_executor(), r.delay);
        co_await timer.async_wait(redirect_error(use_awaitable, ec));
      }
      reply += r.text;
    }
    pending.erase(0, start);
    if (pending.size() > kSinkMaxLineBytes) co_return;
    if (!reply.empty()) {
      co_await asio::async_write(socket, asio::buffer(reply), redirect_error(use_awaitable, ec));
      if (ec) co_return;
      reply.clear();
    }
  }
}

}  // namespace tessera::loadgen
