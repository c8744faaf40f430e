#include "server/server.h"

#include <algorithm>
#include <cstdio>
#include <thread>

#include "server/ingest_session.h"
#include "server/protocol/wire_error.h"
#include "server/query_session.h"
#include "server/server_context.h"

namespace tessera::server {
namespace {

std::string format_endpoint(const tcp::endpoint& endpoint) {
  const auto address = endpoint.address();
  const std::string host = address.is_v6() ? "[" + address.to_string() + "]" : address.to_string();
  return host + ":" + std::to_string(endpoint.port());
}

// How much lower the background scan threads run than the rest of the server: at
// nice +10 a thread gets about a tenth of a core against one at the server's nice.
constexpr int kBackgroundNiceIncrement = 10;

size_t background_thread_count(uint64_t background_scan_rows) {
  if (background_scan_rows == 0) return 0;
  return std::max<size_t>(1, std::thread::hardware_concurrency());
}

size_t scan_thread_count(int requested) {
  if (requested >= 0) return static_cast<size_t>(requested);
  const unsigned hardware = std::thread::hardware_concurrency();
  return hardware > 1 ? hardware - 1 : 0;
}

}  // namespace

Server::Server(engine::Engine& engine, ServerOptions options)
    : engine_(engine),
      options_(std::move(options)),
      registry_(options_.limits.max_connections),
      control_(asio::make_strand(io_)),
      query_threads_(static_cast<size_t>(std::max(1, options_.query_threads))),
      scan_workers_(scan_thread_count(options_.scan_threads)),
      background_workers_(background_thread_count(options_.background_scan_rows),
                          kBackgroundNiceIncrement),
      write_pool_(static_cast<size_t>(std::max(1, options_.write_threads))),
      context_{engine_, options_, write_pool_, scan_workers_, background_workers_,
               stats_,  registry_},
      ingest_acceptor_(control_),
      query_acceptor_(control_),
      signals_(control_),
      grace_timer_(control_) {}

Result<std::unique_ptr<Server>> Server::start(engine::Engine& engine, ServerOptions options) {
  boost::system::error_code ec;
  const auto address = asio::ip::make_address(options.bind_address, ec);
  if (ec) {
    return make_error(ErrorCode::kInvalidInput,
                      "--bind: \"" + options.bind_address + "\" is not an IP address");
  }
  if (options.tokens == nullptr && !address.is_loopback()) {
    return make_error(ErrorCode::kPermissionDenied,
                      "refusing to listen on " + options.bind_address +
                          " without a tokens file: use --tokens FILE, or bind to 127.0.0.1");
  }
  std::unique_ptr<Server> server(new Server(engine, std::move(options)));
  TESSERA_RETURN_IF_ERROR(server->listen(server->ingest_acceptor_, server->options_.ingest_port,
                                         &server->ingest_endpoint_));
  TESSERA_RETURN_IF_ERROR(server->listen(server->query_acceptor_, server->options_.query_port,
                                         &server->query_endpoint_));
  Server* self = server.get();
  // Ingest sessions share the io threads, each on a strand of its own; their engine
  // calls run on the write pool anyway.
  auto ingest_place = [self] { return QueryThreads::Place{asio::make_strand(self->io_), nullptr}; };
  auto query_place = [self] { return self->query_threads_.place(); };
  asio::co_spawn(self->control_,
                 self->accept_loop<IngestSession>(self->ingest_acceptor_, ingest_place),
                 asio::detached);
  asio::co_spawn(self->control_,
                 self->accept_loop<QuerySession>(self->query_acceptor_, query_place),
                 asio::detached);
  if (self->options_.handle_signals) {
    self->signals_.add(SIGINT);
    self->signals_.add(SIGTERM);
    self->signals_.async_wait([self](boost::system::error_code error, int) {
      if (!error) self->begin_stop();
    });
  }
  const int threads = std::max(1, self->options_.io_threads);
  for (int i = 0; i < threads; ++i) self->threads_.emplace_back([self] { self->io_.run(); });
  return server;
}

Status Server::listen(tcp::acceptor& acceptor, uint16_t port, tcp::endpoint* bound) {
  boost::system::error_code ec;
  const tcp::endpoint endpoint(asio::ip::make_address(options_.bind_address), port);
  auto fail = [&](const char* what) {
    return Status(make_error(ErrorCode::kIoError, std::string("cannot listen on ") +
                                                      format_endpoint(endpoint) + ": " + what +
                                                      ": " + ec.message()));
  };
  if (acceptor.open(endpoint.protocol(), ec)) return fail("open");
  if (acceptor.set_option(tcp::acceptor::reuse_address(true), ec)) return fail("SO_REUSEADDR");
  if (acceptor.bind(endpoint, ec)) return fail("bind");
  if (acceptor.listen(asio::socket_base::max_listen_connections, ec)) return fail("listen");
  *bound = acceptor.local_endpoint(ec);
  if (ec) return fail("local_endpoint");
  return Status::ok();
}

template <typename SessionType, typename PlaceFn>
awaitable<void> Server::accept_loop(tcp::acceptor& acceptor, PlaceFn place) {
  while (true) {
    boost::system::error_code ec;
    // A connection's handlers never run concurrently: its executor is a strand, or
    // an io_context that one thread runs.
    QueryThreads::Place where = place();
    tcp::socket socket = co_await acceptor.async_accept(
        where.executor, asio::redirect_error(asio::use_awaitable, ec));
    if (ec) {
      if (!acceptor.is_open() || ec == asio::error::operation_aborted) co_return;
      // Out of file descriptors and the like: keep serving existing sessions.
      std::fprintf(stderr, "tessera: accept failed: %s\n", ec.message().c_str());
      continue;
    }
    ++stats_.connections_total;
    socket.set_option(tcp::no_delay(true), ec);
    const auto executor = socket.get_executor();
    auto session = std::make_shared<SessionType>(std::move(socket), context_);
    session->hold_while_alive(std::move(where.lease));
    if (!registry_.add(session)) {
      ++stats_.connections_refused;
      // The session was never started: take its socket back to say why.
      asio::co_spawn(executor, refuse_connection(std::move(session)), asio::detached);
      continue;
    }
    ++stats_.connections_open;
    session->start();
  }
}

awaitable<void> Server::refuse_connection(std::shared_ptr<Session> session) {
  const std::string reply = format_error_reply(make_error(
      ErrorCode::kLimitExceeded, is_stopping_
                                     ? std::string("server is shutting down")
                                     : "too many connections (limit " +
                                           std::to_string(options_.limits.max_connections) + ")"));
  co_await session->write_and_close(reply);
}

std::string Server::listening_line() const {
  return "listening ingest=" + format_endpoint(ingest_endpoint_) +
         " query=" + format_endpoint(query_endpoint_);
}

void Server::stop() {
  asio::post(control_, [this] { begin_stop(); });
}

void Server::begin_stop() {
  if (is_stopping_.exchange(true)) return;
  if (options_.on_shutdown_begin) options_.on_shutdown_begin();
  boost::system::error_code ignored;
  ingest_acceptor_.close(ignored);
  query_acceptor_.close(ignored);
  signals_.cancel(ignored);
  grace_timer_.expires_after(options_.limits.shutdown_grace);
  grace_timer_.async_wait([this](boost::system::error_code ec) {
    if (!ec) registry_.close_all();
  });
  registry_.begin_stop([this] {
    // The last session just ended: nothing left to wait for.
    asio::post(control_, [this] { grace_timer_.cancel(); });
  });
}

void Server::wait() {
  if (is_joined_) return;
  // The io threads end once every session has ended (or the grace period closed
  // what was left); the query threads then have no session left to serve.
  for (auto& thread : threads_) thread.join();
  threads_.clear();
  query_threads_.finish();
  write_pool_.join();
  is_joined_ = true;
}

Server::~Server() {
  stop();
  wait();
}

}  // namespace tessera::server
