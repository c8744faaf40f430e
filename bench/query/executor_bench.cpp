// Query executor micro benchmarks: run_query over in-memory blocks of an
// ad-snapshot-like table (fixed seed), sweeping the row count. Items/s counts rows
// scanned. Each benchmark checks its answer once against a sum computed here.
#include <benchmark/benchmark.h>

#include <map>
#include <memory>
#include <random>

#include "bench/query/fixed_snapshot_engine.h"
#include "engine/block_sources.h"
#include "engine/engine.h"
#include "query/query_runner.h"

namespace tessera::query {
namespace {

constexpr size_t kBlockRows = 8192;
constexpr int64_t kStart = 1'736'985'600'000'000'000;  // 2025-01-16T00:00:00Z
constexpr int64_t kStep = 15LL * 60 * 1'000'000'000;   // 15-minute snapshots

struct Fixture {
  std::unique_ptr<bench::FixedSnapshotEngine> engine;
  int64_t clicks_total = 0;
};

storage::Column tag_column(const std::vector<uint32_t>& codes,
                           std::vector<std::string> dictionary) {
  storage::Column c;
  c.type = storage::ColumnType::kString;
  c.codes = codes;
  c.dictionary = std::move(dictionary);
  return c;
}

Fixture make_fixture(size_t rows) {
  std::mt19937_64 rng(42);
  engine::TableSchema schema;
  schema.name = "ads";
  schema.columns = {{"time", engine::ColumnKind::kTime, storage::ColumnType::kInt64},
                    {"tenant", engine::ColumnKind::kTag, storage::ColumnType::kString},
                    {"provider", engine::ColumnKind::kTag, storage::ColumnType::kString},
                    {"spend", engine::ColumnKind::kField, storage::ColumnType::kFloat64},
                    {"clicks", engine::ColumnKind::kField, storage::ColumnType::kInt64}};
  Fixture f;
  std::vector<std::shared_ptr<const engine::BlockSource>> blocks;
  const std::vector<std::string> tenants = {"ws_0001", "ws_0002", "ws_0003", "ws_0004",
                                            "ws_0005", "ws_0006", "ws_0007", "ws_0008"};
  const std::vector<std::string> providers = {"google", "meta", "tiktok"};
  for (size_t start = 0; start < rows; start += kBlockRows) {
    const size_t n = std::min(kBlockRows, rows - start);
    storage::Block block;
    std::vector<uint32_t> tenant_codes(n), provider_codes(n);
    storage::Column spend, clicks;
    spend.type = storage::ColumnType::kFloat64;
    clicks.type = storage::ColumnType::kInt64;
    for (size_t i = 0; i < n; ++i) {
      block.time_ns.push_back(kStart + static_cast<int64_t>((start + i) / 64) * kStep);
      tenant_codes[i] = static_cast<uint32_t>(rng() % tenants.size());
      provider_codes[i] = static_cast<uint32_t>(rng() % providers.size());
      spend.floats.push_back(static_cast<double>(rng() % 10'000) / 100.0);
      clicks.ints.push_back(static_cast<int64_t>(rng() % 50));
      f.clicks_total += clicks.ints.back();
    }
    block.column_names = {"tenant", "provider", "spend", "clicks"};
    block.columns = {tag_column(tenant_codes, tenants), tag_column(provider_codes, providers),
                     std::move(spend), std::move(clicks)};
    blocks.push_back(std::make_shared<engine::MemoryBlockSource>(
        std::make_shared<const storage::Block>(std::move(block))));
  }
  f.engine = std::make_unique<bench::FixedSnapshotEngine>(schema, std::move(blocks));
  return f;
}

const Fixture& fixture(size_t rows) {
  static std::map<size_t, Fixture> cache;
  auto it = cache.find(rows);
  if (it == cache.end()) it = cache.emplace(rows, make_fixture(rows)).first;
  return it->second;
}

void run(benchmark::State& state, const std::string& sql, bool check_total_clicks) {
  const size_t rows = static_cast<size_t>(state.range(0));
  const Fixture& f = fixture(rows);
  QueryContext context;
  context.now_ns = kStart;
  {
    auto once = run_query(*f.engine, sql, context);
    if (!once) {
      state.SkipWithError(once.status().to_string().c_str());
      return;
    }
    if (check_total_clicks) {
      int64_t total = 0;
      for (const auto& row : once->rows) total += std::get<int64_t>(row.back());
      if (total != f.clicks_total) {
        state.SkipWithError("wrong answer");
        return;
      }
    }
  }
  for (auto _ : state) {
    auto result = run_query(*f.engine, sql, context);
    benchmark::DoNotOptimize(result);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(rows));
}

void BM_GroupByTenantProviderSum(benchmark::State& state) {
  run(state, "SELECT sum(spend), sum(clicks) FROM ads GROUP BY tenant, provider", true);
}
void BM_DailyBucketsSum(benchmark::State& state) {
  run(state, "SELECT sum(clicks) FROM ads GROUP BY time(1d)", true);
}
void BM_TenantFilterRoasPerDay(benchmark::State& state) {
  run(state,
      "SELECT sum(spend) / sum(clicks) AS cpc FROM ads WHERE tenant = 'ws_0007' "
      "AND provider IN ('google', 'meta') GROUP BY time(1d)",
      false);
}
void BM_ExactPercentileByProvider(benchmark::State& state) {
  run(state, "SELECT percentile(spend, 0.95), median(spend) FROM ads GROUP BY provider", false);
}
void BM_RawSelectLimit(benchmark::State& state) {
  run(state, "SELECT time, spend FROM ads WHERE tenant = 'ws_0003' AND spend > 90 LIMIT 100",
      false);
}

BENCHMARK(BM_GroupByTenantProviderSum)->Arg(1 << 14)->Arg(1 << 18)->Arg(1 << 20);
BENCHMARK(BM_DailyBucketsSum)->Arg(1 << 14)->Arg(1 << 18)->Arg(1 << 20);
BENCHMARK(BM_TenantFilterRoasPerDay)->Arg(1 << 14)->Arg(1 << 18)->Arg(1 << 20);
BENCHMARK(BM_ExactPercentileByProvider)->Arg(1 << 14)->Arg(1 << 18);
BENCHMARK(BM_RawSelectLimit)->Arg(1 << 14)->Arg(1 << 18);

}  // namespace
}  // namespace tessera::query
