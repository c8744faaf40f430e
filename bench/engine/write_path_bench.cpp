// The engine's write path in process, on the small workload's ad_snapshot lines
// (tessera gen, seed 42): 200,000 rows in batches the size an ingest session hands
// over (one 256 KB read, about 1,300 lines), into a dedup table as the PEERS load
// declares it. Items/s counts rows.
//
//   Prepare        prepare_write() alone: parsing, the part without the engine's lock
//   Write          prepare_write() then write_prepared(), no flush: admission,
//                  the log record, rows built and appended
//   WriteAndFlush  as Write, then one flush: sorting and encoding the segments too
//
//   build-release/bench/write_path_bench --benchmark_min_time=2
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "bench/datagen/workload_generator.h"
#include "engine/engine.h"

namespace tessera::engine {
namespace {

constexpr size_t kRows = 200'000;
constexpr size_t kBatchLines = 1'300;

struct Lines {
  std::vector<std::string> texts;
  std::string error;
};

const Lines& lines() {
  static const Lines* loaded = [] {
    auto* out = new Lines;
    const std::filesystem::path dir = std::filesystem::temp_directory_path() /
                                      ("tessera-write-path-bench-" + std::to_string(::getpid()));
    datagen::GenOptions gen;
    gen.scale = datagen::Scale::kSmall;
    gen.tables = {"ad_snapshot"};
    if (auto report = datagen::generate_workload(gen, dir); !report.is_ok()) {
      out->error = report.error().message;
      return out;
    }
    std::ifstream in(dir / "ad_snapshot.lp", std::ios::binary);
    std::string line;
    while (out->texts.size() < kRows && std::getline(in, line)) out->texts.push_back(line);
    std::error_code ignored;
    std::filesystem::remove_all(dir, ignored);
    if (out->texts.size() < kRows) out->error = "the workload has fewer rows than the benchmark";
    return out;
  }();
  return *loaded;
}

std::vector<std::vector<InputLine>> batches_of(const std::vector<std::string>& texts) {
  std::vector<std::vector<InputLine>> batches;
  for (size_t i = 0; i < texts.size(); ++i) {
    if (i % kBatchLines == 0) batches.emplace_back();
    batches.back().push_back({texts[i], i + 1});
  }
  return batches;
}

TableSchema ad_snapshot_schema() {
  TableSchema schema;
  schema.name = "ad_snapshot";
  schema.columns.push_back({"time", ColumnKind::kTime, storage::ColumnType::kInt64});
  for (const char* tag : {"tenant", "entity_id", "provider", "level", "goal"}) {
    schema.columns.push_back({tag, ColumnKind::kTag, storage::ColumnType::kString});
  }
  schema.options.dedup_columns = {"tenant", "entity_id"};
  return schema;
}

// A fresh engine in its own directory, removed with it.
struct ScratchEngine {
  std::filesystem::path dir;
  std::unique_ptr<Engine> engine;
  std::string error;

  ScratchEngine() {
    dir = std::filesystem::temp_directory_path() /
          ("tessera-write-path-bench-db-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);
    EngineOptions options;
    options.data_dir = dir;
    options.flush_threshold_rows = 10 * kRows;  // flushes only when asked
    auto opened = Engine::open(options);
    if (!opened.is_ok()) {
      error = opened.error().message;
      return;
    }
    engine = std::move(*opened);
    if (Status status = engine->create_table(ad_snapshot_schema()); !status.is_ok()) {
      error = status.message();
    }
  }
  ~ScratchEngine() {
    engine.reset();
    std::error_code ignored;
    std::filesystem::remove_all(dir, ignored);
  }
};

void BM_Prepare(benchmark::State& state) {
  const Lines& input = lines();
  if (!input.error.empty()) return state.SkipWithError(input.error.c_str());
  ScratchEngine scratch;
  if (!scratch.error.empty()) return state.SkipWithError(scratch.error.c_str());
  const auto batches = batches_of(input.texts);
  for (auto _ : state) {
    for (const auto& batch : batches) {
      auto prepared = scratch.engine->prepare_write(batch, {});
      benchmark::DoNotOptimize(prepared);
    }
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(kRows));
}
BENCHMARK(BM_Prepare)->Unit(benchmark::kMillisecond);

// Writes every batch into a fresh engine (opened outside the timing); false after a
// failure or a rejected line, which `state` then reports.
bool write_all(benchmark::State& state, bool flush) {
  const Lines& input = lines();
  if (!input.error.empty()) {
    state.SkipWithError(input.error.c_str());
    return false;
  }
  const auto batches = batches_of(input.texts);
  for (auto _ : state) {
    state.PauseTiming();
    auto scratch = std::make_unique<ScratchEngine>();
    if (!scratch->error.empty()) {
      state.SkipWithError(scratch->error.c_str());
      return false;
    }
    state.ResumeTiming();
    for (const auto& batch : batches) {
      auto report = scratch->engine->write_prepared(scratch->engine->prepare_write(batch, {}));
      if (!report.is_ok() || report->accepted != batch.size()) {
        state.SkipWithError("a write failed or rejected lines");
        return false;
      }
    }
    if (flush) {
      if (Status status = scratch->engine->flush(); !status.is_ok()) {
        state.SkipWithError(status.message().c_str());
        return false;
      }
    }
    state.PauseTiming();
    // Checked once per run: every row is there.
    if (scratch->engine->stats().rows_written != kRows) {
      state.SkipWithError("the engine does not count every row written");
      return false;
    }
    scratch.reset();
    state.ResumeTiming();
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(kRows));
  return true;
}

void BM_Write(benchmark::State& state) { write_all(state, /*flush=*/false); }
BENCHMARK(BM_Write)->Unit(benchmark::kMillisecond);

void BM_WriteAndFlush(benchmark::State& state) { write_all(state, /*flush=*/true); }
BENCHMARK(BM_WriteAndFlush)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace tessera::engine
