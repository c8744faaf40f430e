// Acknowledged rows survive `kill -9`: the real `tessera serve` binary is fed rows
// with `#sync`, killed with SIGKILL (or, once, stopped cleanly so that later cycles
// mix flushed segments with log replay), restarted on the same data directory, and
// queried. Every acknowledged row must be there exactly once.
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

constexpr int kCycles = 4;
constexpr int kBatchesPerCycle = 5;
constexpr int kRowsPerBatch = 400;

struct Running {
  ChildProcess child;
  uint16_t ingest_port = 0, query_port = 0;
};

Running start_server(const std::filesystem::path& data) {
  Running running;
  running.child = tessera::testing::spawn(
      TESSERA_BINARY,
      {"serve", "--data", data.string(), "--ingest-port", "0", "--query-port", "0"});
  std::string line = tessera::testing::read_first_line(running.child.stdout_fd);
  running.ingest_port = static_cast<uint16_t>(listening_port(line, "ingest"));
  running.query_port = static_cast<uint16_t>(listening_port(line, "query"));
  EXPECT_GT(running.ingest_port, 0) << "start-up line: " << line;
  return running;
}

std::string row(int64_t id) {
  // One row a minute, so the data spans several daily partitions.
  return "m,tenant=t" + std::to_string(id % 3) + " id=" + std::to_string(id) + "i " +
         std::to_string(id * 60'000'000'000LL) + "\n";
}

// The single value of a one-row, one-column query.
std::string scalar(TcpClient& client, const std::string& statement) {
  auto reply = run_statement(client, statement);
  if (!reply.is_ok()) return "<" + reply.error().message + ">";
  if (!reply->is_ok) return "ERR " + reply->error_code + " " + reply->error_message;
  if (reply->rows.size() != 1 || reply->rows[0].size() != 1) return "<not one value>";
  return reply->rows[0][0].value_or("NULL");
}

TEST(RestartAfterSigkillTest, EveryAcknowledgedRowSurvivesExactlyOnce) {
  tessera::testing::TempDir dir;
  const auto data = dir / "data";
  struct Range {
    int64_t first, last;
  };
  std::vector<Range> acknowledged;
  int64_t next_id = 1;
  int64_t acknowledged_rows = 0, unacknowledged_sent = 0;

  for (int cycle = 0; cycle < kCycles; ++cycle) {
    SCOPED_TRACE("cycle " + std::to_string(cycle));
    Running server = start_server(data);
    ASSERT_GT(server.ingest_port, 0);
    {
      auto ingest = TcpClient::connect("127.0.0.1", server.ingest_port);
      ASSERT_TRUE(ingest.is_ok()) << ingest.error().message;
      const int64_t cycle_first = next_id;
      for (int batch = 0; batch < kBatchesPerCycle; ++batch) {
        std::string lines;
        for (int i = 0; i < kRowsPerBatch; ++i) lines += row(next_id++);
        lines += "#sync " + std::to_string(batch) + "\n";
        ASSERT_TRUE((*ingest)->write_all(lines).is_ok());
        auto reply = (*ingest)->read_line();
        ASSERT_TRUE(reply.is_ok()) << reply.error().message;
        ASSERT_EQ(*reply, "ok " + std::to_string(batch) +
                              " accepted=" + std::to_string(kRowsPerBatch) + " rejected=0");
      }
      acknowledged.push_back({cycle_first, next_id - 1});
      acknowledged_rows += next_id - cycle_first;
      // Rows sent but never acknowledged: they may or may not survive.
      std::string tail;
      for (int i = 0; i < kRowsPerBatch; ++i) tail += row(next_id++);
      ASSERT_TRUE((*ingest)->write_all(tail).is_ok());
      unacknowledged_sent += kRowsPerBatch;
    }
    const bool is_clean_stop = cycle == 1;
    kill(server.child.pid, is_clean_stop ? SIGTERM : SIGKILL);
    EXPECT_EQ(tessera::testing::wait_exit(server.child.pid), is_clean_stop ? 0 : 128 + SIGKILL);
    tessera::testing::close_pipes(server.child);

    Running restarted = start_server(data);
    ASSERT_GT(restarted.query_port, 0);
    {
      auto query = TcpClient::connect("127.0.0.1", restarted.query_port);
      ASSERT_TRUE(query.is_ok());
      for (const Range& range : acknowledged) {
        std::string where = " FROM m WHERE id >= " + std::to_string(range.first) +
                            " AND id <= " + std::to_string(range.last);
        EXPECT_EQ(scalar(**query, "SELECT count(*)" + where),
                  std::to_string(range.last - range.first + 1));
        EXPECT_EQ(scalar(**query, "SELECT count(DISTINCT id)" + where),
                  std::to_string(range.last - range.first + 1));
      }
      // Nothing twice, and nothing beyond what was sent.
      std::string total = scalar(**query, "SELECT count(*) FROM m");
      EXPECT_EQ(scalar(**query, "SELECT count(DISTINCT id) FROM m"), total);
      int64_t rows = std::atoll(total.c_str());
      EXPECT_GE(rows, acknowledged_rows);
      EXPECT_LE(rows, acknowledged_rows + unacknowledged_sent);
    }
    kill(restarted.child.pid, SIGKILL);
    tessera::testing::wait_exit(restarted.child.pid);
    tessera::testing::close_pipes(restarted.child);
  }
}

}  // namespace
}  // namespace tessera::server
