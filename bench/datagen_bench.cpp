// Throughput of the workload generator: writes a whole workload (all six
// tables) to a temporary directory per iteration and reports bytes/s.
// Run a release build: `datagen_bench --benchmark_filter=BM_GenerateWorkload`.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "bench/datagen/workload_generator.h"

namespace tessera::datagen {
namespace {

// Arg: number of days of the small scale (350 entities, 30 shops).
void BM_GenerateWorkload(benchmark::State& state) {
  const std::filesystem::path dir = std::filesystem::temp_directory_path() /
                                    ("tessera_datagen_bench_" + std::to_string(::getpid()));
  GenOptions options;
  options.scale = Scale::kSmall;
  options.days = static_cast<int>(state.range(0));
  uint64_t bytes = 0, ad_rows = 0;
  for (auto _ : state) {
    Result<GenReport> report = generate_workload(options, dir);
    if (!report.is_ok()) {
      state.SkipWithError(report.error().message.c_str());
      break;
    }
    bytes = 0;
    for (const TableOutput& t : report->tables) bytes += t.bytes;
    ad_rows = report->tables.front().rows;
  }
  // Checked once so a fast wrong change cannot look like a win: the exact
  // ad_snapshot row count is entities x days x 96 plus ~0.5% restatements.
  const uint64_t base = 350ULL * static_cast<uint64_t>(options.days.value()) * 96;
  if (ad_rows < base || ad_rows > base + base / 50) state.SkipWithError("wrong ad_snapshot rows");
  state.SetBytesProcessed(static_cast<int64_t>(bytes) * state.iterations());
  state.counters["ad_rows"] = static_cast<double>(ad_rows);
  std::filesystem::remove_all(dir);
}
BENCHMARK(BM_GenerateWorkload)->Arg(1)->Arg(7)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace tessera::datagen
