// The ingest session under a failing disk (issue 4), over loopback against a real
// Engine and Server in this process, with faults from the engine's file seam
// (storage/base/fault_injection.h): a full disk gives `err` lines and no `ok` for the
// #sync, nothing of the refused lines is visible, and once space returns the same
// connection gets `ok` again. A failed fsync gives no `ok` ever again.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "engine/engine.h"
#include "server/client/query_client.h"
#include "server/client/tcp_client.h"
#include "server/server.h"
#include "storage/base/fault_injection.h"
#include "tests/support/loopback_server_test.h"

namespace tessera::server {
namespace {

using storage::FaultOp;
using storage::FaultSpec;
using storage::ScopedFault;
using ::testing::HasSubstr;
using ::testing::StartsWith;

class IngestSessionTest : public tessera::testing::LoopbackServerTest {
 protected:
  void SetUp() override { start(); }

  // The reply lines of one #sync: up to and including its `ok` or `err - ` line.
  static std::vector<std::string> sync_reply(TcpClient& client) {
    std::vector<std::string> lines;
    while (true) {
      auto line = client.read_line();
      if (!line.is_ok()) {
        lines.push_back("<" + line.error().message + ">");
        return lines;
      }
      lines.push_back(*line);
      if (line->starts_with("ok ") || line->starts_with("err - ")) return lines;
    }
  }

  std::string count_rows() {
    auto client = query();
    auto reply = run_statement(*client, "SELECT count(*) FROM m");
    if (!reply.is_ok()) return "<" + reply.error().message + ">";
    if (!reply->is_ok) return "ERR " + reply->error_code + " " + reply->error_message;
    return reply->rows.at(0).at(0).value_or("NULL");
  }
};

TEST_F(IngestSessionTest, FullDiskGivesErrAndNoOkThenOkOnceSpaceReturns) {
  auto client = ingest();
  ASSERT_TRUE(client->write_all("m,tenant=t1 v=1i 1\n#sync first\n").is_ok());
  EXPECT_THAT(sync_reply(*client), ::testing::ElementsAre("ok first accepted=1 rejected=0"));
  {
    // The disk is full for as long as the fault is armed.
    ScopedFault full(FaultSpec{.op = FaultOp::kAppend, .path_contains = "/wal/", .failures = 0});
    ASSERT_TRUE(client->write_all("m,tenant=t1 v=2i 2\nm,tenant=t1 v=3i 3\n#sync full\n").is_ok());
    const std::vector<std::string> reply = sync_reply(*client);
    ASSERT_EQ(reply.size(), 3u) << ::testing::PrintToString(reply);
    // Line numbers count every line of the connection, `#sync first` (line 2) too.
    EXPECT_THAT(reply[0], StartsWith("err 3 internal: write-ahead log append failed"));
    EXPECT_THAT(reply[0], HasSubstr("No space left on device"));
    EXPECT_THAT(reply[1], StartsWith("err 4 internal: write-ahead log append failed"));
    EXPECT_THAT(reply[2],
                StartsWith("err - write failed: internal: write-ahead log append failed"));
    EXPECT_THAT(reply[2], HasSubstr("nothing since the previous ok is acknowledged"));
    for (const std::string& line : reply) EXPECT_THAT(line, ::testing::Not(StartsWith("ok")));
    EXPECT_EQ(count_rows(), "1") << "nothing of the refused lines is visible";

    // Still full: a second try on the same connection is refused the same way.
    ASSERT_TRUE(client->write_all("m,tenant=t1 v=2i 2\n#sync again\n").is_ok());
    const std::vector<std::string> again = sync_reply(*client);
    ASSERT_EQ(again.size(), 2u) << ::testing::PrintToString(again);
    EXPECT_THAT(again[1], StartsWith("err - write failed"));
  }
  // Space is back: the same connection resends and is acknowledged.
  ASSERT_TRUE(client->write_all("m,tenant=t1 v=2i 2\nm,tenant=t1 v=3i 3\n#sync back\n").is_ok());
  EXPECT_THAT(sync_reply(*client), ::testing::ElementsAre("ok back accepted=2 rejected=0"));
  EXPECT_EQ(count_rows(), "3");
  auto other = ingest();
  ASSERT_TRUE(other->write_all("m,tenant=t1 v=4i 4\n#sync other\n").is_ok());
  EXPECT_THAT(sync_reply(*other), ::testing::ElementsAre("ok other accepted=1 rejected=0"));
}

TEST_F(IngestSessionTest, FailedFsyncGivesNoOkAgain) {
  auto client = ingest();
  {
    ScopedFault failing(FaultSpec{.op = FaultOp::kSync, .path_contains = "/wal/", .error = EIO});
    ASSERT_TRUE(client->write_all("m,tenant=t1 v=1i 1\n#sync one\n").is_ok());
    const std::vector<std::string> reply = sync_reply(*client);
    ASSERT_EQ(reply.size(), 1u) << ::testing::PrintToString(reply);
    EXPECT_THAT(reply[0], StartsWith("err - sync failed: write-ahead log fsync failed"));
    EXPECT_THAT(reply[0], HasSubstr("Input/output error"));
    EXPECT_FALSE(client->read_line().is_ok()) << "the connection is closed";
  }
  // The disk answers again, but after a failed fsync nothing is acknowledged until a
  // restart (docs/durability.md): the next writer gets `err`, never `ok`.
  auto next = ingest();
  ASSERT_TRUE(next->write_all("m,tenant=t1 v=2i 2\n#sync two\n").is_ok());
  const std::vector<std::string> reply = sync_reply(*next);
  ASSERT_EQ(reply.size(), 2u) << ::testing::PrintToString(reply);
  EXPECT_THAT(reply[0], StartsWith("err 1 internal: write-ahead log append failed"));
  EXPECT_THAT(reply[1], StartsWith("err - write failed"));
}

// Batches are pipelined (one applied while the next is read and parsed). Many small
// reads and batches, with rejected lines, a precision change and a #sync in between,
// must still give every err line with its own number, in order, and exact counts.
class PipelinedIngestSessionTest : public IngestSessionTest {
 protected:
  void SetUp() override {
    ServerOptions options;
    options.limits.read_buffer_bytes = 4096;  // a line often spans two reads
    options.limits.max_batch_lines = 50;
    start(options);
  }
};

TEST_F(PipelinedIngestSessionTest, ErrLinesAndCountsFollowLineOrderAcrossBatches) {
  auto client = ingest();
  std::string input;
  std::vector<std::string> expected;
  uint64_t line = 0;
  uint64_t accepted = 0;
  for (int i = 0; i < 3000; ++i) {
    ++line;
    if (i % 97 == 13) {
      input += "m,tenant=t1 v=oops " + std::to_string(i + 1) + "\n";  // rejected by the parser
      expected.push_back("err " + std::to_string(line) +
                         " col 15: field \"v\": invalid value \"oops\"");
    } else if (i % 89 == 7) {
      input += "m,tenant=t1 v=1.5 " + std::to_string(i + 1) + "\n";  // a float into the INT column
      expected.push_back("err " + std::to_string(line) +
                         " field \"v\": column is a INT field of table \"m\", got FLOAT");
    } else {
      input += "m,tenant=t1 v=" + std::to_string(i) + "i " + std::to_string(i + 1) + "\n";
      ++accepted;
    }
    if (i == 1500) {
      input += "#precision ns\n";  // a control line between batches
      ++line;
    }
  }
  input += "#sync all\n";
  expected.push_back("ok all accepted=" + std::to_string(accepted) +
                     " rejected=" + std::to_string(3000 - accepted));
  ASSERT_TRUE(client->write_all(input).is_ok());
  EXPECT_EQ(sync_reply(*client), expected);
  EXPECT_EQ(count_rows(), std::to_string(accepted));
}

}  // namespace
}  // namespace tessera::server
