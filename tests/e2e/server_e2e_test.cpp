// End-to-end tests of the server over loopback: a real Engine in a temporary data
// directory, a real Server on ephemeral ports, and the client classes of
// server/client/. Plus the `tessera serve` binary's start-up line and SIGTERM.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "engine/engine.h"
#include "server/client/line_loader.h"
#include "server/client/query_client.h"
#include "server/client/tcp_client.h"
#include "server/server.h"
#include "tests/support/child_process.h"
#include "tests/support/loopback_server_test.h"

namespace tessera::server {
namespace {

std::filesystem::path make_temp_dir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "tessera-e2e-XXXXXX").string();
  EXPECT_NE(mkdtemp(pattern.data()), nullptr);
  return pattern;
}

class ServerE2eTest : public tessera::testing::LoopbackServerTest {
 protected:
  static std::shared_ptr<const TokenTable> tokens() {
    auto table =
        TokenTable::parse("adm admin\nsvc service\nw7 writer tenant=ws_7\nr7 reader tenant=ws_7\n");
    EXPECT_TRUE(table.is_ok());
    return std::make_shared<const TokenTable>(std::move(table).value());
  }
};

TEST_F(ServerE2eTest, SyncAcknowledgesWithErrLinesNumberedOverTheConnection) {
  start();
  auto c = ingest();
  ASSERT_TRUE(c->write_all("cpu,tenant=a usage=1.5 1700000000000000000\n"  // 1
                           "this is not line protocol\n"                   // 2
                           "# a comment\n"                                 // 3
                           "#precision s\n"                                // 4
                           "cpu,tenant=a usage=2 1700000001\n"             // 5
                           "#precision h\n"                                // 6
                           "\n"                                            // 7
                           "#sync first\n")                                // 8
                  .is_ok());
  EXPECT_TRUE(line(*c).starts_with("err 2 "));
  EXPECT_EQ(line(*c), "err 6 #precision: expected s, ms, us or ns, got \"h\"");
  EXPECT_EQ(line(*c), "ok first accepted=2 rejected=2");
  ASSERT_TRUE(c->write_all("cpu,tenant=a usage=3 1700000002\n#sync 2\n").is_ok());
  EXPECT_EQ(line(*c), "ok 2 accepted=1 rejected=0");
}

TEST_F(ServerE2eTest, OversizeLinesAreRejectedAndTheConnectionContinues) {
  ServerOptions options;
  options.limits.max_line_bytes = 64;
  start(options);
  auto c = ingest();
  ASSERT_TRUE(c->write_all("cpu,tenant=a v=1 1\n" + std::string(10'000, 'x') +
                           "\ncpu,tenant=a v=2 2\n#sync s\n")
                  .is_ok());
  EXPECT_EQ(line(*c), "err 2 line exceeds 64 bytes");
  EXPECT_EQ(line(*c), "ok s accepted=2 rejected=1");
}

TEST_F(ServerE2eTest, ClientWithoutSyncNeverReceivesAnything) {
  start();
  auto c = ingest();
  ASSERT_TRUE(c->write_all("cpu,tenant=a v=1 1\nbad line\ncpu,tenant=a v=2 2").is_ok());
  c->shutdown_send();
  // The server closes after the end of input without having written a byte.
  auto reply = c->read_line();
  ASSERT_FALSE(reply.is_ok());
  EXPECT_EQ(reply.error().message, "connection closed by server");
  // The unterminated last line was still written.
  EXPECT_EQ(server_->stats().lines_accepted.load() + server_->stats().lines_rejected.load(), 3u);
}

TEST_F(ServerE2eTest, PingAnswersEmptyTable) {
  start();
  auto c = query();
  ASSERT_TRUE(c->write_all("PING\n").is_ok());
  EXPECT_TRUE(line(*c).starts_with("OK 0 0 "));
  EXPECT_EQ(line(*c), "");
  EXPECT_EQ(status(*c, "ping;"), "OK 0 0");
}

TEST_F(ServerE2eTest, ErrorsKeepTheConnectionOpen) {
  start();
  auto c = query();
  EXPECT_TRUE(status(*c, "SELEC nonsense").starts_with("ERR "));
  EXPECT_EQ(status(*c, ""), "ERR syntax empty statement");
  EXPECT_EQ(status(*c, "PING"), "OK 0 0");
}

TEST_F(ServerE2eTest, StatementsOverTheLimitGetErrLimit) {
  ServerOptions options;
  options.limits.max_statement_bytes = 32;
  start(options);
  auto c = query();
  EXPECT_EQ(status(*c, "SELECT " + std::string(100, 'x')), "ERR limit statement exceeds 32 bytes");
  EXPECT_EQ(status(*c, "PING"), "OK 0 0");
}

TEST_F(ServerE2eTest, StatsReportsCounters) {
  start();
  auto c = query();
  auto reply = run_statement(*c, "stats");
  ASSERT_TRUE(reply.is_ok());
  ASSERT_TRUE(reply->is_ok) << reply->error_message;
  EXPECT_EQ(reply->columns, (std::vector<std::string>{"counter", "value"}));
  ASSERT_FALSE(reply->rows.empty());
  EXPECT_EQ(reply->rows[0][0], "connections_open");
  EXPECT_EQ(reply->rows[0][1], "1");
}

TEST_F(ServerE2eTest, QueryPortRequiresAuthWhenTokensAreSet) {
  ServerOptions options;
  options.tokens = tokens();
  start(options);
  auto c = query();
  EXPECT_EQ(status(*c, "PING"), "ERR auth authenticate first with AUTH <token>");
  EXPECT_EQ(status(*c, "AUTH wrong"), "ERR auth invalid token");
  EXPECT_EQ(status(*c, "AUTH"), "ERR auth invalid token");
  EXPECT_EQ(status(*c, "auth r7"), "OK 0 0");
  EXPECT_EQ(status(*c, "PING"), "OK 0 0");
  EXPECT_EQ(status(*c, "STATS"), "ERR permission STATS needs role admin or service, not reader");
}

TEST_F(ServerE2eTest, IngestPortClosesConnectionsThatDoNotAuthenticateFirst) {
  ServerOptions options;
  options.tokens = tokens();
  start(options);
  auto c = ingest();
  ASSERT_TRUE(c->write_all("cpu,tenant=a v=1 1\n#sync 1\n").is_ok());
  EXPECT_EQ(line(*c), "err 1 auth: the first line must be #auth <token>");
  EXPECT_EQ(line(*c), "<connection closed by server>");

  auto bad = ingest();
  ASSERT_TRUE(bad->write_all("#auth nope\n").is_ok());
  EXPECT_EQ(line(*bad), "err 1 auth: invalid token");
  EXPECT_EQ(line(*bad), "<connection closed by server>");

  auto reader = ingest();
  ASSERT_TRUE(reader->write_all("#auth r7\n").is_ok());
  EXPECT_EQ(line(*reader), "err 1 permission: role reader cannot write");

  auto good = ingest();
  ASSERT_TRUE(good->write_all("#auth svc\ncpu,tenant=a v=1 1\n#sync ok1\n").is_ok());
  EXPECT_EQ(line(*good), "ok ok1 accepted=1 rejected=0");
}

TEST_F(ServerE2eTest, ExtraConnectionsAreRefusedWithErrLimit) {
  ServerOptions options;
  options.limits.max_connections = 1;
  start(options);
  auto first = query();
  EXPECT_EQ(status(*first, "PING"), "OK 0 0");  // registered by now
  auto second = query();
  EXPECT_EQ(line(*second), "ERR limit too many connections (limit 1)");
  EXPECT_EQ(line(*second), "<connection closed by server>");
  EXPECT_EQ(status(*first, "PING"), "OK 0 0");
}

TEST_F(ServerE2eTest, IdleConnectionsAreClosed) {
  ServerOptions options;
  options.limits.idle_timeout = std::chrono::milliseconds(100);
  start(options);
  auto c = query();
  EXPECT_EQ(line(*c), "ERR limit idle for more than 100 ms, closing");
  EXPECT_EQ(line(*c), "<connection closed by server>");
}

TEST_F(ServerE2eTest, LoaderStreamsFilesAndCountsRejections) {
  start();
  const auto file = dir_ / "cpu.lp";
  {
    std::ofstream out(file);
    out << "cpu,tenant=a v=1 1\ncpu,tenant=a v=2 2\nnot valid\ncpu,tenant=a v=3 3";  // no final \n
  }
  LoadOptions options;
  options.port = server_->ingest_endpoint().port();
  options.sync_every_lines = 2;
  auto summary = load_files({file}, options);
  ASSERT_TRUE(summary.is_ok()) << summary.error().message;
  EXPECT_EQ(summary->files, 1u);
  EXPECT_EQ(summary->lines_sent, 4u);
  EXPECT_EQ(summary->accepted, 3u);
  EXPECT_EQ(summary->rejected, 1u);
}

TEST_F(ServerE2eTest, StopEndsSessionsGracefully) {
  start();
  auto c = ingest();
  ASSERT_TRUE(c->write_all("cpu,tenant=a v=1 1\n#sync 1\n").is_ok());
  EXPECT_EQ(line(*c), "ok 1 accepted=1 rejected=0");
  server_->stop();
  server_->wait();
  EXPECT_EQ(line(*c), "<connection closed by server>");
}

// Needs the query executor (query::run_query): enabled once it replaced the stub.
TEST_F(ServerE2eTest, AcknowledgedRowsAreVisibleToQueries) {
  start();
  auto c = ingest();
  ASSERT_TRUE(c->write_all("cpu,tenant=a,host=h1 usage=1.5,n=3i 1767312900000000000\n"
                           "cpu,tenant=b,host=h2 usage=0.1 1767312960000000000\n#sync 1\n")
                  .is_ok());
  ASSERT_EQ(line(*c), "ok 1 accepted=2 rejected=0");
  auto q = query();
  auto reply = run_statement(*q, "SELECT time, host, usage, n FROM cpu WHERE tenant = 'a'");
  ASSERT_TRUE(reply.is_ok());
  ASSERT_TRUE(reply->is_ok) << reply->error_code << " " << reply->error_message;
  EXPECT_EQ(reply->columns, (std::vector<std::string>{"time", "host", "usage", "n"}));
  ASSERT_EQ(reply->rows.size(), 1u);
  EXPECT_EQ(reply->rows[0][0], "2026-01-02T00:15:00Z");
  EXPECT_EQ(reply->rows[0][1], "h1");
  EXPECT_EQ(reply->rows[0][2], "1.5");
  EXPECT_EQ(reply->rows[0][3], "3");
  auto tables = run_statement(*q, "SHOW TABLES");
  ASSERT_TRUE(tables.is_ok());
  ASSERT_TRUE(tables->is_ok) << tables->error_message;
  EXPECT_EQ(tables->columns, (std::vector<std::string>{"table"}));
  ASSERT_EQ(tables->rows.size(), 1u);
  EXPECT_EQ(tables->rows[0][0], "cpu");
}

// Reader scoping: another tenant's rows are invisible, not an error.
TEST_F(ServerE2eTest, ReadersSeeOnlyTheirTenant) {
  ServerOptions options;
  options.tokens = tokens();
  start(options);
  auto c = ingest();
  ASSERT_TRUE(
      c->write_all("#auth svc\ncpu,tenant=ws_7 v=1 1\ncpu,tenant=ws_8 v=2 2\n#sync 1\n").is_ok());
  ASSERT_EQ(line(*c), "ok 1 accepted=2 rejected=0");
  auto q = query();
  EXPECT_EQ(status(*q, "AUTH r7"), "OK 0 0");
  EXPECT_EQ(status(*q, "SELECT v FROM cpu"), "OK 1 1");
  EXPECT_EQ(status(*q, "SELECT v FROM cpu WHERE tenant = 'ws_8'"), "OK 1 0");
}

// Runs the tessera binary; returns its exit status. `stdout_line` gets the first line.
using tessera::testing::ChildProcess;
using tessera::testing::read_all;
using tessera::testing::read_first_line;
using tessera::testing::wait_exit;

ChildProcess spawn(const std::vector<std::string>& args) {
  return tessera::testing::spawn(TESSERA_BINARY, args);
}

TEST(ServeBinaryTest, PrintsListeningLineAndExitsZeroOnSigterm) {
  const auto dir = make_temp_dir();
  ChildProcess child = spawn(
      {"serve", "--data", (dir / "data").string(), "--ingest-port", "0", "--query-port", "0"});
  const std::string first = read_first_line(child.stdout_fd);
  // listening ingest=127.0.0.1:<port> query=127.0.0.1:<port>
  ASSERT_TRUE(first.starts_with("listening ingest=127.0.0.1:")) << first;
  const size_t q = first.find(" query=127.0.0.1:");
  ASSERT_NE(q, std::string::npos) << first;
  const int query_port = std::atoi(first.c_str() + q + 17);
  ASSERT_GT(query_port, 0);
  auto client = TcpClient::connect("127.0.0.1", static_cast<uint16_t>(query_port));
  ASSERT_TRUE(client.is_ok());
  auto reply = run_statement(**client, "PING");
  ASSERT_TRUE(reply.is_ok());
  EXPECT_TRUE(reply->is_ok);
  client->reset();
  kill(child.pid, SIGTERM);
  EXPECT_EQ(wait_exit(child.pid), 0) << read_all(child.stderr_fd);
  close(child.stdout_fd);
  close(child.stderr_fd);
  std::filesystem::remove_all(dir);
}

TEST(ServeBinaryTest, RefusesNonLoopbackBindWithoutTokens) {
  const auto dir = make_temp_dir();
  ChildProcess child = spawn({"serve", "--data", (dir / "data").string(), "--bind", "0.0.0.0",
                              "--ingest-port", "0", "--query-port", "0"});
  const std::string err = read_all(child.stderr_fd);
  EXPECT_NE(wait_exit(child.pid), 0);
  EXPECT_NE(err.find("refusing to listen on 0.0.0.0"), std::string::npos) << err;
  EXPECT_EQ(read_all(child.stdout_fd), "");
  close(child.stdout_fd);
  close(child.stderr_fd);
  std::filesystem::remove_all(dir);
}

TEST(ServeBinaryTest, RejectsBadFlagsAndBadTokensFiles) {
  const auto dir = make_temp_dir();
  { std::ofstream(dir / "tokens") << "t1 admin\nt2 superuser\n"; }
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"serve", "--no-such-flag"},
           {"serve", "--query-port", "70000"},
           {"serve", "--scan-threads", "-1"},
           {"serve", "--scan-threads", "257"},
           {"serve", "--scan-threads", "two"},
           {"serve", "--background-scan-rows", "-5"},
           {"serve", "--background-scan-rows", "many"},
           {"serve", "--tokens", (dir / "tokens").string(), "--data", (dir / "d").string()}}) {
    ChildProcess child = spawn(args);
    const std::string err = read_all(child.stderr_fd);
    EXPECT_NE(wait_exit(child.pid), 0) << args[1];
    EXPECT_FALSE(err.empty());
    if (args[1] == "--scan-threads" || args[1] == "--background-scan-rows") {
      EXPECT_NE(err.find(args[1]), std::string::npos) << err;
    }
    close(child.stdout_fd);
    close(child.stderr_fd);
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace tessera::server
