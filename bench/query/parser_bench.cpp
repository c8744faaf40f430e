// Parse time of the SPEC's example statements (parse only, no execution):
// BM_ParseStatement/<i> for each statement, reporting statements/s and bytes/s.
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "query/parser.h"

namespace {

const std::vector<std::string>& spec_statements() {
  static const std::vector<std::string> statements = {
      "SELECT sum(revenue) / sum(spend) AS roas FROM ad_snapshot WHERE tenant = 'ws_0007' AND "
      "time >= now() - 30d GROUP BY time(1d)",
      "SELECT provider, sum(clicks) / sum(impressions) * 100 AS ctr_pct, sum(spend) / "
      "sum(clicks) AS cpc, sum(spend) / sum(impressions) * 1000 AS cpm FROM ad_snapshot WHERE "
      "tenant = 'ws_0007' AND time >= now() - 7d GROUP BY provider",
      "SELECT median(first_response_minutes), percentile(first_response_minutes, 0.95), "
      "sla_pct(first_response_minutes, 120) FROM cx_conversation WHERE tenant = "
      "'shop-042.myshopify.com' GROUP BY time(1d)",
      "SELECT count(*) AS total_jobs, 100.0 * count_if(status = 'completed') / "
      "count_if(status IN ('completed', 'failed', 'provider_expired')) AS success_rate_pct, "
      "percentile(lifecycle_seconds, 0.95) AS p95_lifecycle FROM tryon_job GROUP BY tenant",
      "SELECT time, spend FROM ad_snapshot WHERE entity_id = 'ent_000123' LIMIT 100",
      "CREATE TABLE ad_snapshot (tenant TAG, entity_id TAG, spend FLOAT, impressions INT) WITH "
      "(dedup = (tenant, entity_id, time), retention = 400d)",
  };
  return statements;
}

void BM_ParseStatement(benchmark::State& state) {
  const std::string& statement = spec_statements()[static_cast<size_t>(state.range(0))];
  // Checked once so that a fast failure cannot pass for a fast parse.
  if (!tessera::query::parse_statement(statement).is_ok()) {
    state.SkipWithError("statement does not parse");
    return;
  }
  for (auto _ : state) {
    auto result = tessera::query::parse_statement(statement);
    benchmark::DoNotOptimize(result);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(statement.size()));
}
BENCHMARK(BM_ParseStatement)->DenseRange(0, 5);

}  // namespace
