// Clean shutdown of the real `tessera serve` binary: SIGTERM stops accepting,
// drains the sessions, flushes, fsyncs and exits 0; bad durability flags are
// refused at start-up with a message.
#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <string>

#include "server/client/query_client.h"
#include "server/client/tcp_client.h"
#include "tests/support/child_process.h"
#include "tests/support/temp_dir.h"

namespace tessera::server {
namespace {

using tessera::testing::ChildProcess;
using tessera::testing::listening_port;

struct Running {
  ChildProcess child;
  uint16_t ingest_port = 0, query_port = 0;
};

Running start_server(const std::filesystem::path& data, std::vector<std::string> extra = {}) {
  std::vector<std::string> args = {"serve",        "--data", data.string(), "--ingest-port", "0",
                                   "--query-port", "0"};
  args.insert(args.end(), extra.begin(), extra.end());
  Running running;
  running.child = tessera::testing::spawn(TESSERA_BINARY, args);
  std::string line = tessera::testing::read_first_line(running.child.stdout_fd);
  running.ingest_port = static_cast<uint16_t>(listening_port(line, "ingest"));
  running.query_port = static_cast<uint16_t>(listening_port(line, "query"));
  EXPECT_GT(running.ingest_port, 0) << "start-up line: " << line;
  return running;
}

std::string scalar(TcpClient& client, const std::string& statement) {
  auto reply = run_statement(client, statement);
  if (!reply.is_ok()) return "<" + reply.error().message + ">";
  if (!reply->is_ok) return "ERR " + reply->error_code + " " + reply->error_message;
  if (reply->rows.size() != 1 || reply->rows[0].size() != 1) return "<not one value>";
  return reply->rows[0][0].value_or("NULL");
}

std::string rows(int first, int count) {
  std::string text;
  for (int i = first; i < first + count; ++i) {
    text +=
        "s,tenant=a id=" + std::to_string(i) + "i " + std::to_string(1'000'000'000LL * i) + "\n";
  }
  return text;
}

TEST(ShutdownTest, SigtermDrainsFlushesAndExitsZeroWithEveryRowInSegments) {
  tessera::testing::TempDir dir;
  const auto data = dir / "data";
  Running server = start_server(data, {"--shutdown-timeout", "20", "--fsync", "interval=50"});
  ASSERT_GT(server.ingest_port, 0);
  auto ingest = TcpClient::connect("127.0.0.1", server.ingest_port);
  ASSERT_TRUE(ingest.is_ok());
  ASSERT_TRUE((*ingest)->write_all(rows(0, 300) + "#sync a\n").is_ok());
  auto ok = (*ingest)->read_line();
  ASSERT_TRUE(ok.is_ok());
  EXPECT_EQ(*ok, "ok a accepted=300 rejected=0");
  // More rows without a sync: accepted (visible to queries), not yet acknowledged.
  ASSERT_TRUE((*ingest)->write_all(rows(300, 200)).is_ok());
  auto query = TcpClient::connect("127.0.0.1", server.query_port);
  ASSERT_TRUE(query.is_ok());
  std::string seen;
  for (int attempt = 0; attempt < 100'000 && seen != "500"; ++attempt) {
    seen = scalar(**query, "SELECT count(*) FROM s");
  }
  ASSERT_EQ(seen, "500");

  kill(server.child.pid, SIGTERM);
  EXPECT_EQ(tessera::testing::wait_exit(server.child.pid), 0);
  std::string stderr_text = tessera::testing::read_all(server.child.stderr_fd);
  tessera::testing::close_pipes(server.child);
  EXPECT_EQ(stderr_text, "");
  // The sessions were closed by the shutdown.
  EXPECT_FALSE((*ingest)->read_line().is_ok());

  // Everything was flushed: the logs hold no record (only their headers), so a
  // restart replays nothing and still finds all 500 rows.
  ASSERT_FALSE(std::filesystem::is_empty(data / "segments"));
  Running restarted = start_server(data);
  ASSERT_GT(restarted.query_port, 0);
  auto again = TcpClient::connect("127.0.0.1", restarted.query_port);
  ASSERT_TRUE(again.is_ok());
  EXPECT_EQ(scalar(**again, "SELECT count(*) FROM s"), "500");
  EXPECT_EQ(scalar(**again, "SELECT count(DISTINCT id) FROM s"), "500");
  kill(restarted.child.pid, SIGTERM);
  EXPECT_EQ(tessera::testing::wait_exit(restarted.child.pid), 0);
  tessera::testing::close_pipes(restarted.child);
}

// Runs `tessera serve` with a bad flag: its exit code and stderr.
std::pair<int, std::string> refused(const std::filesystem::path& data,
                                    const std::vector<std::string>& flag) {
  std::vector<std::string> args = {"serve",        "--data", data.string(), "--ingest-port", "0",
                                   "--query-port", "0"};
  args.insert(args.end(), flag.begin(), flag.end());
  ChildProcess child = tessera::testing::spawn(TESSERA_BINARY, args);
  std::string err = tessera::testing::read_all(child.stderr_fd);
  int code = tessera::testing::wait_exit(child.pid);
  tessera::testing::close_pipes(child);
  return {code, err};
}

TEST(ShutdownTest, BadFsyncAndShutdownTimeoutFlagsAreRefusedWithAMessage) {
  tessera::testing::TempDir dir;
  for (const char* bad : {"sometimes", "interval=0", "interval=abc", "interval=600000"}) {
    SCOPED_TRACE(bad);
    auto [code, err] = refused(dir / "data", {"--fsync", bad});
    EXPECT_NE(code, 0);
    EXPECT_NE(err.find("--fsync"), std::string::npos) << err;
    EXPECT_NE(err.find("interval=<ms>"), std::string::npos) << err;
  }
  auto [code, err] = refused(dir / "data", {"--shutdown-timeout", "0"});
  EXPECT_NE(code, 0);
  EXPECT_NE(err.find("--shutdown-timeout"), std::string::npos) << err;
}

}  // namespace
}  // namespace tessera::server
