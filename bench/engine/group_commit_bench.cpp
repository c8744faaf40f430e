// Group commit on a real data directory: rows/s when the writer syncs every
// 1,000 rows versus every 100,000 (each sync is one fdatasync of the log), under
// the default `always` fsync policy. Writes go through Engine::write in batches
// of 1,000 lines, as the ingest server hands them over.
//
//   build-rel/bench/group_commit_bench --benchmark_filter=WriteAndSync
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "engine/engine.h"

namespace tessera::engine {
namespace {

constexpr int64_t kRowsPerRun = 200'000;
constexpr int64_t kBatchRows = 1'000;

void BM_WriteAndSync(benchmark::State& state) {
  const int64_t rows_per_sync = state.range(0);
  // Pre-built input: the benchmark measures the engine, not string formatting.
  std::vector<std::string> texts;
  texts.reserve(kRowsPerRun);
  for (int64_t i = 0; i < kRowsPerRun; ++i) {
    texts.push_back("cpu,host=h" + std::to_string(i % 50) + " usage=" + std::to_string(i % 100) +
                    ".5 " + std::to_string(1'700'000'000'000'000'000LL + i * 1'000'000));
  }
  uint64_t syncs = 0;
  for (auto _ : state) {
    state.PauseTiming();
    // A real disk, so each sync is a real fdatasync (not tmpfs).
    const std::filesystem::path dir = std::filesystem::temp_directory_path() /
                                      ("tessera-group-commit-bench-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);
    EngineOptions options;
    options.data_dir = dir;
    options.flush_threshold_rows = 10 * kRowsPerRun;  // measure the log, not flushes
    auto engine = Engine::open(options);
    if (!engine.is_ok()) {
      state.SkipWithError(engine.error().message.c_str());
      return;
    }
    const uint64_t syncs_before = (*engine)->stats().wal_syncs;
    state.ResumeTiming();
    std::vector<InputLine> batch;
    int64_t since_sync = 0;
    uint64_t lsn = 0;
    for (int64_t i = 0; i < kRowsPerRun; ++i) {
      batch.push_back({texts[static_cast<size_t>(i)], static_cast<uint64_t>(i + 1)});
      if (static_cast<int64_t>(batch.size()) < kBatchRows && i + 1 < kRowsPerRun) continue;
      auto report = (*engine)->write(batch, {});
      if (!report.is_ok() || report->accepted != batch.size()) {
        state.SkipWithError("write failed or rejected rows");
        return;
      }
      since_sync += static_cast<int64_t>(batch.size());
      lsn = report->lsn;
      batch.clear();
      if (since_sync >= rows_per_sync || i + 1 == kRowsPerRun) {
        if (!(*engine)->sync(lsn).is_ok()) {
          state.SkipWithError("sync failed");
          return;
        }
        since_sync = 0;
      }
    }
    state.PauseTiming();
    EngineStats stats = (*engine)->stats();
    if (stats.rows_written != static_cast<uint64_t>(kRowsPerRun)) {
      state.SkipWithError("not every row was written");
      return;
    }
    syncs += stats.wal_syncs - syncs_before;
    engine->reset();  // the close flushes: not part of the measurement
    std::filesystem::remove_all(dir);
    state.ResumeTiming();
  }
  state.SetItemsProcessed(state.iterations() * kRowsPerRun);
  state.counters["fsyncs_per_run"] =
      static_cast<double>(syncs) / static_cast<double>(state.iterations());
}
BENCHMARK(BM_WriteAndSync)->Arg(1'000)->Arg(100'000)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
}  // namespace tessera::engine
