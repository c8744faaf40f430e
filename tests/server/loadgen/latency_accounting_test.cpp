// The load tool against an in-process fake server with known injected delays
// and errors: the reported figures must bracket what the server did.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "server/loadgen/bench_runner.h"
#include "server/loadgen/sink_server.h"

namespace tessera::loadgen {
namespace {

using std::chrono::milliseconds;

constexpr uint64_t kDelayNs = 20'000'000;  // 20 ms injected into "slow"

SinkReply respond(std::string_view statement) {
  // The slow kind's server reports 12,345 us of its own time; the fast one 0.
  if (statement == "SLOW") return {"OK 1 1 12345\nx\n1\n", milliseconds(20)};
  if (statement == "BAD") return {"ERR syntax nope\n", {}};
  return {"OK 1 1 0\nx\n1\n", {}};
}

std::vector<QueryKind> kinds() { return {{"slow", "SLOW"}, {"fast", "FAST"}, {"bad", "BAD"}}; }

TEST(LatencyAccountingTest, FixedCountBracketsInjectedDelaysAndCountsErrors) {
  auto sink = SinkServer::start(0, 0, respond);
  ASSERT_TRUE(sink.is_ok()) << sink.error().message;
  DashboardOptions options;
  options.port = (*sink)->query_port();
  auto result = run_fixed_count(options, kinds(), 5, 2);
  ASSERT_TRUE(result.is_ok()) << result.error().message;
  ASSERT_EQ(result->queries.size(), 3u);
  const auto& slow = result->queries[0].latency;
  const auto& fast = result->queries[1].latency;
  EXPECT_EQ(slow.count(), 5u);
  EXPECT_EQ(fast.count(), 5u);
  EXPECT_GE(slow.min_ns(), kDelayNs);
  EXPECT_GE(slow.percentile_ns(0.5), kDelayNs);
  EXPECT_LT(fast.percentile_ns(0.5), slow.percentile_ns(0.5));
  // Server-side figures are what the OK lines said, not the client's wall time.
  const auto& slow_server = result->queries[0].server_latency;
  EXPECT_EQ(slow_server.count(), 5u);
  EXPECT_EQ(slow_server.min_ns(), 12'345'000u);
  EXPECT_EQ(slow_server.max_ns(), 12'345'000u);
  EXPECT_EQ(slow_server.percentile_ns(0.95), 12'345'000u);
  EXPECT_EQ(result->queries[1].server_latency.max_ns(), 0u);
  EXPECT_EQ(result->queries[2].server_latency.count(), 0u);  // errors record nothing
  EXPECT_EQ(result->queries[0].errors, 0u);
  EXPECT_EQ(result->queries[2].errors, 5u);
  EXPECT_EQ(result->queries[2].latency.count(), 0u);
  EXPECT_EQ(result->queries[2].first_error, "ERR syntax nope");
  // Warm-ups reached the server but were not recorded.
  EXPECT_EQ((*sink)->statements_received(), 3u * 7u);
}

TEST(LatencyAccountingTest, ClosedLoopRecordsOnlyDelayedLatenciesForSlowKind) {
  auto sink = SinkServer::start(0, 0, respond, 2);
  ASSERT_TRUE(sink.is_ok()) << sink.error().message;
  BenchOptions options;
  options.dashboard = DashboardOptions{};
  options.dashboard->port = (*sink)->query_port();
  options.dashboard->clients = 3;
  options.kinds = kinds();
  options.duration = milliseconds(300);
  auto result = run_bench(options);
  ASSERT_TRUE(result.is_ok()) << result.error().message;
  ASSERT_EQ(result->queries.size(), 3u);
  // Whatever the timing, each recorded "slow" took at least the delay, and
  // every "bad" was an error.
  if (result->queries[0].latency.count() > 0) {
    EXPECT_GE(result->queries[0].latency.min_ns(), kDelayNs);
  }
  EXPECT_EQ(result->queries[2].latency.count(), 0u);
  EXPECT_EQ(result->queries[0].errors + result->queries[1].errors, 0u);
  EXPECT_GT(result->seconds, 0.0);
}

TEST(LatencyAccountingTest, IngestCountsEveryRowAndOneAckPerSync) {
  const auto dir =
      std::filesystem::temp_directory_path() /
      ("loadgen_ingest_test_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()));
  std::filesystem::create_directories(dir);
  const auto a = dir / "a.lp", b = dir / "b.lp";
  {
    std::ofstream out(a);
    for (int i = 0; i < 17; ++i) out << "m,tenant=t v=" << i << " " << i << "\n";
    out << "# a comment\n\n";
  }
  {
    std::ofstream out(b);
    for (int i = 0; i < 7; ++i) out << "m,tenant=t v=" << i << " " << i << "\n";
    out << "m,tenant=t v=1 99";  // no final newline
  }
  auto sink = SinkServer::start(0, 0);
  ASSERT_TRUE(sink.is_ok()) << sink.error().message;
  BenchOptions options;
  options.ingest = IngestOptions{};
  options.ingest->port = (*sink)->ingest_port();
  options.ingest->sync_every_rows = 10;
  options.ingest->connections = 2;
  options.files = {a, b};
  options.duration = milliseconds(600'000);  // ends when the data is sent
  auto result = run_bench(options);
  std::filesystem::remove_all(dir);
  ASSERT_TRUE(result.is_ok()) << result.error().message;
  ASSERT_TRUE(result->ingest_acks.has_value());
  EXPECT_EQ(result->ingest_rows, 25u);
  EXPECT_EQ(result->ingest_acks->errors, 0u);
  // 25 rows in blocks of at most 10 (blocks never span the shared source's
  // handing-out, so exactly ceil(25 / 10) = 3 syncs).
  EXPECT_EQ(result->ingest_acks->latency.count(), 3u);
  EXPECT_EQ((*sink)->lines_received(), 25u);
}

TEST(LatencyAccountingTest, RefusedConnectionIsAStartError) {
  uint16_t port = 0;
  {
    auto sink = SinkServer::start(0, 0);
    ASSERT_TRUE(sink.is_ok());
    port = (*sink)->query_port();
  }
  DashboardOptions options;
  options.port = port;
  auto result = run_fixed_count(options, kinds(), 1, 0);
  ASSERT_FALSE(result.is_ok());
  EXPECT_EQ(result.error().code, ErrorCode::kUnavailable);
}

}  // namespace
}  // namespace tessera::loadgen
