// The PEERS.md dashboard queries in one process: query::run_query over a data
// directory loaded as docs/performance.md describes, with no network, no other
// client and, by default, no scan workers (each query on the calling thread alone),
// so that a change to the query path is measured without the loopback's and the
// scheduler's noise. TESSERA_BENCH_SCAN_THREADS=N gives queries the server's two
// pools instead (N scan threads, and N background scan threads at nice +10 for
// scans of at least 500,000 rows), to measure what splitting a scan costs or
// saves. TESSERA_BENCH_DATA names the directory (a copy: the engine takes its
// lock, so not one a server has open); without it every benchmark is skipped.
// TESSERA_BENCH_MANIFEST optionally names the data's manifest.json for the query parameters
// (default: PEERS.md's). Items/s is queries per second. Each kind is checked once to answer without
// error and with rows; the answers themselves are compared with PostgreSQL's by
// bench/pg_latency.py.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <memory>
#include <string>

#include "engine/engine.h"
#include "query/query_runner.h"
#include "query/scan_workers.h"
#include "server/loadgen/query_mix.h"
#include "server/loadgen/workload_manifest.h"

namespace tessera::query {
namespace {

struct LoadedData {
  std::unique_ptr<engine::Engine> engine;
  std::string error;  // why the benchmarks are skipped
};

// Set when TESSERA_BENCH_MANIFEST does not apply: every benchmark then says why.
std::string& manifest_error() {
  static std::string error;
  return error;
}

LoadedData& loaded_data() {
  static LoadedData data = [] {
    LoadedData d;
    const char* dir = std::getenv("TESSERA_BENCH_DATA");
    if (dir == nullptr) {
      d.error = "set TESSERA_BENCH_DATA to a loaded data directory";
      return d;
    }
    engine::EngineOptions options;
    options.data_dir = dir;
    options.background_maintenance = false;
    auto opened = engine::Engine::open(options);
    if (!opened.is_ok()) {
      d.error = opened.status().to_string();
      return d;
    }
    d.engine = std::move(opened).value();
    return d;
  }();
  return data;
}

// The server's scan pools (server/server.cpp), when TESSERA_BENCH_SCAN_THREADS is set.
struct ScanPools {
  explicit ScanPools(size_t threads) : scan(threads), background(threads, kBackgroundNice) {}
  static constexpr int kBackgroundNice = 10;
  ScanWorkers scan;
  ScanWorkers background;
};

ScanPools* scan_pools() {
  static const std::unique_ptr<ScanPools> pools = []() -> std::unique_ptr<ScanPools> {
    const char* threads = std::getenv("TESSERA_BENCH_SCAN_THREADS");
    if (threads == nullptr || *threads == '\0') return nullptr;
    return std::make_unique<ScanPools>(std::strtoul(threads, nullptr, 10));
  }();
  return pools.get();
}

void run_kind(benchmark::State& state, const std::string& statement) {
  if (!manifest_error().empty()) {
    state.SkipWithError(manifest_error().c_str());
    return;
  }
  LoadedData& data = loaded_data();
  if (!data.engine) {
    state.SkipWithError(data.error.c_str());
    return;
  }
  QueryContext context;  // admin: every tenant
  if (ScanPools* pools = scan_pools()) {
    context.scan_workers = &pools->scan;
    context.background_workers = &pools->background;
  }
  auto first = run_query(*data.engine, statement, context);
  if (!first.is_ok() || first->rows.empty()) {
    state.SkipWithError(first.is_ok() ? "no rows" : first.status().to_string().c_str());
    return;
  }
  for (auto _ : state) {
    auto result = run_query(*data.engine, statement, context);
    benchmark::DoNotOptimize(result);
  }
  state.SetItemsProcessed(state.iterations());
}

// One benchmark per PEERS kind, registered before main runs.
const bool kRegistered = [] {
  loadgen::QueryMixParams params;
  if (const char* manifest = std::getenv("TESSERA_BENCH_MANIFEST")) {
    const Status applied = loadgen::apply_manifest(manifest, params);
    if (!applied.is_ok()) manifest_error() = "TESSERA_BENCH_MANIFEST: " + applied.to_string();
  }
  for (const loadgen::QueryKind& kind : loadgen::build_query_mix(params, loadgen::MixSet::kPeers)) {
    benchmark::RegisterBenchmark(("BM_" + kind.name).c_str(), run_kind, kind.statement);
  }
  return true;
}();

}  // namespace
}  // namespace tessera::query
