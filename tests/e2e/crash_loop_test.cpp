// Crash loop: several writers stream rows with `#sync` into the real `tessera
// serve` binary, which is SIGKILLed at seeded random moments and restarted on the
// same data directory, alternating the fsync policies. The server flushes every
// kFlushRows rows (`--flush-rows`), and compacts after each flush, so flushes and
// compactions run throughout and many kills land in the middle of one; some cycles
// wait for a segment or manifest being written (a `.tmp` file) and kill right then.
// After the last restart every acknowledged row must be there exactly once, and
// nothing that was never sent.
//
// Cycles: TESSERA_CRASH_CYCLES (default 5, the CI form; the CTest test
// crash_loop_long, label `long`, runs 30). Seed: TESSERA_CRASH_SEED (default
// kSeed), printed, so a failing run can be repeated.
#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "server/client/query_client.h"
#include "server/client/tcp_client.h"
#include "tests/support/child_process.h"
#include "tests/support/temp_dir.h"

namespace tessera::server {
namespace {

using tessera::testing::ChildProcess;
using tessera::testing::listening_port;

constexpr int kWriters = 3;
constexpr int kRowsPerBatch = 200;
constexpr int64_t kIdsPerWriter = 1'000'000'000;
constexpr uint32_t kSeed = 20261122;
// Small enough that a flush starts about every second round of acknowledgements.
constexpr const char* kFlushRows = "500";
// A cycle kills after 0..kMaxKillAfterAcks acknowledgements (0: while writers connect).
constexpr int kMaxKillAfterAcks = 30;
// A cycle waiting for a flush or compaction mid-write gives up after this many more.
constexpr int kMaxWaitAcks = 60;

int env_number(const char* name, int fallback) {
  const char* text = std::getenv(name);
  int value = text != nullptr ? std::atoi(text) : 0;
  return value > 0 ? value : fallback;
}

struct Running {
  ChildProcess child;
  uint16_t ingest_port = 0, query_port = 0;
};

Running start_server(const std::filesystem::path& data, const std::string& fsync_policy) {
  Running running;
  running.child = tessera::testing::spawn(
      TESSERA_BINARY, {"serve", "--data", data.string(), "--ingest-port", "0", "--query-port", "0",
                       "--fsync", fsync_policy, "--flush-rows", kFlushRows});
  std::string line = tessera::testing::read_first_line(running.child.stdout_fd);
  running.ingest_port = static_cast<uint16_t>(listening_port(line, "ingest"));
  running.query_port = static_cast<uint16_t>(listening_port(line, "query"));
  EXPECT_GT(running.ingest_port, 0) << "start-up line: " << line;
  return running;
}

void kill_and_reap(const Running& running) {
  kill(running.child.pid, SIGKILL);
  tessera::testing::wait_exit(running.child.pid);
  tessera::testing::close_pipes(running.child);
}

std::string scalar(TcpClient& client, const std::string& statement) {
  auto reply = run_statement(client, statement);
  if (!reply.is_ok()) return "<" + reply.error().message + ">";
  if (!reply->is_ok) return "ERR " + reply->error_code + " " + reply->error_message;
  if (reply->rows.size() != 1 || reply->rows[0].size() != 1) return "<not one value>";
  return reply->rows[0][0].value_or("NULL");
}

// What one writer sent and had acknowledged. Ids of writer w start at
// w * kIdsPerWriter and increase by one per row, across cycles.
struct WriterLedger {
  struct Range {
    int64_t first, last;
  };
  std::vector<Range> acknowledged;
  int64_t next_id = 0;
  int64_t acknowledged_rows = 0;
  int64_t unacknowledged_sent = 0;
};

std::string row(int writer, int64_t id) {
  // A row a second per writer, so partitions fill and several are touched.
  return "c,writer=w" + std::to_string(writer) + " id=" + std::to_string(id) + "i " +
         std::to_string((id % kIdsPerWriter) * 1'000'000'000LL + writer) + "\n";
}

// Streams batches with `#sync` until the connection breaks; counts every ok.
void run_writer(int writer, uint16_t port, WriterLedger* ledger, std::atomic<int>* acks) {
  auto client = TcpClient::connect("127.0.0.1", port);
  if (!client.is_ok()) return;
  const int64_t cycle_first = ledger->next_id;
  int64_t acknowledged_through = cycle_first - 1;
  for (int batch = 0;; ++batch) {
    std::string lines;
    const int64_t batch_first = ledger->next_id;
    for (int i = 0; i < kRowsPerBatch; ++i) lines += row(writer, ledger->next_id++);
    lines += "#sync " + std::to_string(batch) + "\n";
    ledger->unacknowledged_sent += kRowsPerBatch;
    if (!(*client)->write_all(lines).is_ok()) break;
    auto reply = (*client)->read_line();
    if (!reply.is_ok()) break;
    const std::string want = "ok " + std::to_string(batch) +
                             " accepted=" + std::to_string(kRowsPerBatch) + " rejected=0";
    if (*reply != want) {
      ADD_FAILURE() << "writer " << writer << ": " << *reply << " instead of " << want;
      break;
    }
    acknowledged_through = batch_first + kRowsPerBatch - 1;
    ledger->unacknowledged_sent -= kRowsPerBatch;
    ledger->acknowledged_rows += kRowsPerBatch;
    ++*acks;
  }
  if (acknowledged_through >= cycle_first)
    ledger->acknowledged.push_back({cycle_first, acknowledged_through});
}

// Whether a flush or compaction is writing a file right now: a segment or the
// manifest exists under its temporary name only until it is published.
bool is_writing_segment_or_manifest(const std::filesystem::path& data) {
  std::error_code ec;
  if (std::filesystem::exists(data / "MANIFEST.tmp", ec)) return true;
  std::filesystem::directory_iterator it(data / "segments", ec);
  for (; !ec && it != std::filesystem::directory_iterator(); it.increment(ec)) {
    if (it->path().extension() == ".tmp") return true;
  }
  return false;
}

int count_occurrences(const std::string& text, const std::string& what) {
  int n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

TEST(CrashLoopTest, AcknowledgedRowsSurviveRandomSigkillsExactlyOnce) {
  const int cycles = env_number("TESSERA_CRASH_CYCLES", 5);
  const auto seed = static_cast<uint32_t>(env_number("TESSERA_CRASH_SEED", kSeed));
  std::printf("crash loop: seed %u (TESSERA_CRASH_SEED), %d cycles, --flush-rows %s\n", seed,
              cycles, kFlushRows);
  SCOPED_TRACE("seed " + std::to_string(seed));
  tessera::testing::TempDir dir;
  const auto data = dir / "data";
  std::mt19937 random(seed);
  std::vector<WriterLedger> ledgers(kWriters);
  for (int w = 0; w < kWriters; ++w) ledgers[w].next_id = w * kIdsPerWriter;
  int kills_mid_write = 0, restarts_removing_unpublished = 0, torn_tails_cut = 0;
  int most_acks_in_a_cycle = 0;

  for (int cycle = 0; cycle < cycles; ++cycle) {
    SCOPED_TRACE("cycle " + std::to_string(cycle));
    const std::string policy = cycle % 2 == 0 ? "always" : "interval=20";
    Running server = start_server(data, policy);
    ASSERT_GT(server.ingest_port, 0);
    // The kill comes after a random number of acknowledgements, so it lands at varied
    // points of writes, syncs, flushes and compactions; every other cycle (at random)
    // then also waits for a segment or manifest to be mid-write.
    const int kill_after_acks = std::uniform_int_distribution<int>(0, kMaxKillAfterAcks)(random);
    const bool waits_for_write = std::uniform_int_distribution<int>(0, 1)(random) == 1;
    std::atomic<int> acks{0};
    std::atomic<int> writers_running{kWriters};
    std::vector<std::thread> writers;
    for (int w = 0; w < kWriters; ++w) {
      writers.emplace_back([&, w] {
        run_writer(w, server.ingest_port, &ledgers[w], &acks);
        --writers_running;
      });
    }
    // Writers end only when the connection breaks: then stop waiting (and fail below).
    auto is_waiting_for = [&](int wanted_acks) {
      return acks.load() < wanted_acks && writers_running.load() > 0;
    };
    while (is_waiting_for(kill_after_acks)) std::this_thread::yield();
    bool is_mid_write = false;
    if (waits_for_write) {
      while (!(is_mid_write = is_writing_segment_or_manifest(data)) &&
             is_waiting_for(kill_after_acks + kMaxWaitAcks)) {
        std::this_thread::yield();
      }
    }
    EXPECT_EQ(writers_running.load(), kWriters) << "a writer stopped before the kill";
    kill(server.child.pid, SIGKILL);
    const int acks_at_kill = acks.load();
    most_acks_in_a_cycle = std::max(most_acks_in_a_cycle, acks_at_kill);
    for (auto& writer : writers) writer.join();
    EXPECT_EQ(tessera::testing::wait_exit(server.child.pid), 128 + SIGKILL);
    // What this start found of the previous kill.
    const std::string warnings = tessera::testing::read_all(server.child.stderr_fd);
    const int removed = count_occurrences(warnings, "removing unpublished segment file");
    const int cut = count_occurrences(warnings, "cutting torn log tail");
    restarts_removing_unpublished += removed > 0;
    torn_tails_cut += cut;
    kills_mid_write += is_mid_write;
    tessera::testing::close_pipes(server.child);
    std::printf(
        "cycle %d: --fsync %s, killed after %d acks%s; its start removed %d unpublished "
        "segment files, cut %d torn log tails\n",
        cycle, policy.c_str(), acks_at_kill,
        is_mid_write ? " just as a segment or manifest was being written" : "", removed, cut);
  }
  int segment_files = 0;
  std::error_code ec;
  for (std::filesystem::directory_iterator it(data / "segments", ec);
       !ec && it != std::filesystem::directory_iterator(); it.increment(ec)) {
    segment_files += it->path().extension() == ".tsg";
  }
  std::printf(
      "crash loop: %d kills just as a segment or manifest was being written, %d restarts "
      "removed unpublished segments, %d torn log tails cut, %d segment files after the loop\n",
      kills_mid_write, restarts_removing_unpublished, torn_tails_cut, segment_files);
  // A writer whose batch finds 2 x --flush-rows rows in memory flushes before it is
  // acknowledged, so a cycle with this many acknowledgements has published a flush.
  if (most_acks_in_a_cycle * kRowsPerBatch >=
      2 * std::atoi(kFlushRows) + kWriters * kRowsPerBatch) {
    EXPECT_TRUE(std::filesystem::exists(data / "MANIFEST")) << "no flush ever completed";
  }

  Running final_server = start_server(data, "always");
  ASSERT_GT(final_server.query_port, 0);
  auto query = TcpClient::connect("127.0.0.1", final_server.query_port);
  ASSERT_TRUE(query.is_ok());
  int64_t total_acknowledged = 0, total_unacknowledged = 0;
  for (int w = 0; w < kWriters; ++w) {
    SCOPED_TRACE("writer " + std::to_string(w));
    const WriterLedger& ledger = ledgers[w];
    for (const WriterLedger::Range& range : ledger.acknowledged) {
      const std::string where = " FROM c WHERE id >= " + std::to_string(range.first) +
                                " AND id <= " + std::to_string(range.last);
      const std::string want = std::to_string(range.last - range.first + 1);
      EXPECT_EQ(scalar(**query, "SELECT count(*)" + where), want);
      EXPECT_EQ(scalar(**query, "SELECT count(DISTINCT id)" + where), want);
    }
    const std::string where = " FROM c WHERE writer = 'w" + std::to_string(w) + "'";
    const std::string rows = scalar(**query, "SELECT count(*)" + where);
    EXPECT_EQ(scalar(**query, "SELECT count(DISTINCT id)" + where), rows) << "a row twice";
    EXPECT_GE(std::atoll(rows.c_str()), ledger.acknowledged_rows);
    EXPECT_LE(std::atoll(rows.c_str()), ledger.acknowledged_rows + ledger.unacknowledged_sent);
    total_acknowledged += ledger.acknowledged_rows;
    total_unacknowledged += ledger.unacknowledged_sent;
  }
  const std::string total = scalar(**query, "SELECT count(*) FROM c");
  std::printf(
      "crash loop: %d cycles, %lld rows acknowledged, %s found (%lld sent unacknowledged)\n",
      cycles, static_cast<long long>(total_acknowledged), total.c_str(),
      static_cast<long long>(total_unacknowledged));
  EXPECT_GE(std::atoll(total.c_str()), total_acknowledged);
  kill_and_reap(final_server);
}

}  // namespace
}  // namespace tessera::server
