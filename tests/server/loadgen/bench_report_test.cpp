// The bench report's renderings carry client and server latencies per query kind,
// and only client latencies for ingest acknowledgements.
#include "server/loadgen/bench_report.h"

#include <gtest/gtest.h>

namespace tessera::loadgen {
namespace {

BenchResult sample_result() {
  BenchResult result;
  result.mode = "fixed";
  result.seconds = 2;
  KindStats q1{"Q1", {}, {}, 0, {}};
  for (int i = 0; i < 4; ++i) {
    q1.latency.record(3'000'000);         // 3 ms at the client
    q1.server_latency.record(1'250'000);  // 1.25 ms on the server
  }
  result.queries.push_back(q1);
  KindStats acks{"ingest_ack", {}, {}, 0, {}};
  acks.latency.record(7'000'000);
  result.ingest_acks = acks;
  result.ingest_rows = 10;
  result.ingest_seconds = 1;
  return result;
}

TEST(BenchReportTest, TableShowsServerColumnsForQueriesOnly) {
  const std::string table = format_table(sample_result());
  EXPECT_NE(table.find("srv_p50_ms  srv_p95_ms"), std::string::npos) << table;
  // Q1: 4 requests in 2 s, client 3 ms, server 1.25 ms.
  EXPECT_NE(table.find("Q1               4       0    2.0   3.000   3.000   3.000   3.000       "
                       "1.250       1.250"),
            std::string::npos)
      << table;
  // The ingest block has its own header, without server columns.
  const size_t ingest = table.find("ingest:");
  ASSERT_NE(ingest, std::string::npos);
  EXPECT_EQ(table.find("srv_", ingest), std::string::npos) << table;
}

TEST(BenchReportTest, JsonHasServerPercentilesForQueriesOnly) {
  const std::string json = format_json(sample_result());
  EXPECT_NE(json.find("\"p95_ms\": 3.000000"), std::string::npos) << json;
  EXPECT_NE(json.find("\"server_p50_ms\": 1.250000, \"server_p95_ms\": 1.250000"),
            std::string::npos)
      << json;
  const size_t ingest = json.find("\"ingest\"");
  ASSERT_NE(ingest, std::string::npos);
  EXPECT_EQ(json.find("server_", ingest), std::string::npos) << json;
}

}  // namespace
}  // namespace tessera::loadgen
