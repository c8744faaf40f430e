// LoopbackServerTest: a GoogleTest fixture running a real Engine and Server
// in-process on loopback ports chosen by the OS, in a fresh data directory, with
// the client helpers the server tests share. Header-only: only tests that link
// the server layer include it (tests/support itself links the engine layer only).
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>

#include "engine/engine.h"
#include "server/client/query_client.h"
#include "server/client/tcp_client.h"
#include "server/server.h"
#include "tests/support/temp_dir.h"

namespace tessera::testing {

class LoopbackServerTest : public ::testing::Test {
 protected:
  void TearDown() override {
    server_.reset();
    engine_.reset();
  }

  // Opens the engine in <dir>/data and starts the server on ports 0.
  void start(server::ServerOptions options = {}, engine::EngineOptions engine_options = {}) {
    engine_options.data_dir = dir_ / "data";
    auto engine = engine::Engine::open(engine_options);
    ASSERT_TRUE(engine.is_ok()) << engine.error().message;
    engine_ = std::move(engine).value();
    options.ingest_port = 0;
    options.query_port = 0;
    auto server = server::Server::start(*engine_, std::move(options));
    ASSERT_TRUE(server.is_ok()) << server.error().message;
    server_ = std::move(server).value();
  }

  std::unique_ptr<server::TcpClient> connect(uint16_t port) {
    auto client = server::TcpClient::connect("127.0.0.1", port);
    EXPECT_TRUE(client.is_ok()) << client.error().message;
    return client.is_ok() ? std::move(client).value() : nullptr;
  }
  std::unique_ptr<server::TcpClient> ingest() { return connect(server_->ingest_endpoint().port()); }
  std::unique_ptr<server::TcpClient> query() { return connect(server_->query_endpoint().port()); }

  // The next line, or "<error message>" when there is none.
  static std::string line(server::TcpClient& client) {
    auto l = client.read_line();
    return l.is_ok() ? *l : "<" + l.error().message + ">";
  }
  // The status of a reply, after reading its header and rows: "OK <ncols> <nrows>",
  // "ERR <code> <message>", or "<error message>".
  static std::string status(server::TcpClient& client, const std::string& statement) {
    auto reply = server::run_statement(client, statement);
    if (!reply.is_ok()) return "<" + reply.error().message + ">";
    if (!reply->is_ok) return "ERR " + reply->error_code + " " + reply->error_message;
    return "OK " + std::to_string(reply->columns.size()) + " " + std::to_string(reply->rows.size());
  }

  TempDir dir_;
  std::unique_ptr<engine::Engine> engine_;
  std::unique_ptr<server::Server> server_;
};

}  // namespace tessera::testing
