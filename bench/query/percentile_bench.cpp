// Micro benchmarks of the query layer's per-row numeric and time building blocks:
// exact percentile selection (of gathered values and across sorted runs) and GROUP
// BY time bucketing. Each checks its answer
// once against an independent computation before timing.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <array>
#include <optional>
#include <random>
#include <span>
#include <string_view>
#include <vector>

#include "query/percentile.h"
#include "query/sorted_run_percentile.h"
#include "query/time_bucket.h"

namespace tessera::query {
namespace {

constexpr uint64_t kSeed = 20260102;
constexpr int64_t kSecond = 1'000'000'000;

std::vector<double> lognormal_values(size_t n) {
  std::mt19937_64 rng(kSeed);
  std::lognormal_distribution<double> dist(3.0, 1.5);
  std::vector<double> values(n);
  for (double& v : values) v = dist(rng);
  return values;
}

// Row timestamps as an ingest agent writes them: in order, 15 s apart, from
// 2025-01-01T00:00:00Z, so a year's DST changes are crossed.
std::vector<int64_t> row_times(size_t n, bool shuffled) {
  std::vector<int64_t> times(n);
  const int64_t start = 1'735'689'600 * kSecond;
  const int64_t step = 15 * kSecond * static_cast<int64_t>(2'000'000 / n + 1);
  for (size_t i = 0; i < n; ++i) times[i] = start + static_cast<int64_t>(i) * step;
  if (shuffled) std::shuffle(times.begin(), times.end(), std::mt19937_64(kSeed));
  return times;
}

void BM_PercentileCont(benchmark::State& state) {
  const auto n = static_cast<size_t>(state.range(0));
  const std::vector<double> values = lognormal_values(n);
  {
    std::vector<double> sorted = values;
    std::sort(sorted.begin(), sorted.end());
    const double pos = 0.95 * static_cast<double>(n - 1);
    const auto first = static_cast<size_t>(pos);
    const double expected =
        sorted[first] + ((pos - static_cast<double>(first)) * (sorted[first + 1] - sorted[first]));
    std::vector<double> work = values;
    if (percentile_cont(work, 0.95) != expected) {
      state.SkipWithError("percentile_cont disagrees with the sorted reference");
      return;
    }
  }
  std::vector<double> work(n);
  for (auto _ : state) {
    state.PauseTiming();
    std::copy(values.begin(), values.end(), work.begin());
    state.ResumeTiming();
    benchmark::DoNotOptimize(percentile_cont(work, 0.95));
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(n));
}
BENCHMARK(BM_PercentileCont)
    ->Arg(1 << 10)
    ->Arg(1 << 13)  // about one day of one big shop's conversations (PEERS Q3)
    ->Arg(1 << 16)
    ->Arg(1'000'000)
    ->Unit(benchmark::kMicrosecond);

// `run_count` runs of `run_length` lognormal values, each sorted (as
// storage::SortedRunValues keeps a block's runs).
std::vector<std::vector<double>> sorted_runs(size_t run_count, size_t run_length) {
  const std::vector<double> all = lognormal_values(run_count * run_length);
  std::vector<std::vector<double>> runs;
  for (size_t r = 0; r < run_count; ++r) {
    runs.emplace_back(all.begin() + static_cast<std::ptrdiff_t>(r * run_length),
                      all.begin() + static_cast<std::ptrdiff_t>((r + 1) * run_length));
    std::sort(runs.back().begin(), runs.back().end());
  }
  return runs;
}

// The p50 and p95 of sorted runs, selected across them
// (percentile_cont_of_sorted_runs) or, with `copy`, copied and selected as gathered
// values are: the two ways Aggregator::percentiles chooses between
// (selects_across_runs). Checked once against a sort of every value.
void run_sorted_runs_bench(benchmark::State& state, bool copy) {
  const auto run_count = static_cast<size_t>(state.range(0));
  const auto run_length = static_cast<size_t>(state.range(1));
  const std::vector<std::vector<double>> runs = sorted_runs(run_count, run_length);
  const std::vector<std::span<const double>> spans(runs.begin(), runs.end());
  const std::array<double, 2> fractions = {0.5, 0.95};
  std::array<std::optional<double>, 2> out;
  std::vector<double> work;
  auto select = [&] {
    if (!copy) {
      percentile_cont_of_sorted_runs(spans, fractions, out);
      return;
    }
    work.clear();
    for (std::span<const double> run : spans) work.insert(work.end(), run.begin(), run.end());
    percentile_cont(std::span<double>(work), fractions, out);
  };
  {
    std::vector<double> all;
    for (const auto& run : runs) all.insert(all.end(), run.begin(), run.end());
    std::sort(all.begin(), all.end());
    select();
    for (size_t f = 0; f < fractions.size(); ++f) {
      const double pos = fractions[f] * static_cast<double>(all.size() - 1);
      const auto first = static_cast<size_t>(pos);
      const size_t second = std::min(first + 1, all.size() - 1);
      const double expected =
          all[first] + ((pos - static_cast<double>(first)) * (all[second] - all[first]));
      if (out[f] != expected) {
        state.SkipWithError("sorted-run percentiles disagree with the sorted reference");
        return;
      }
    }
  }
  for (auto _ : state) {
    select();
    benchmark::DoNotOptimize(out);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * run_count * run_length));
  state.counters["selects_across"] = selects_across_runs(run_count, run_count * run_length);
}

void BM_SortedRunsSelectedAcross(benchmark::State& state) { run_sorted_runs_bench(state, false); }
void BM_SortedRunsCopied(benchmark::State& state) { run_sorted_runs_bench(state, true); }
// Runs x values per run: Q3's day of one shop (two blocks), Q5b's tenants (45 runs
// of 70-340 values), Q5a's big tenant (49 runs of ~4,800), and few runs of a few
// hundred values, about the threshold.
void sorted_run_shapes(benchmark::internal::Benchmark* b) {
  for (const auto& [runs, length] : std::vector<std::pair<int64_t, int64_t>>{{2, 4096},
                                                                             {45, 70},
                                                                             {45, 340},
                                                                             {45, 512},
                                                                             {49, 4800},
                                                                             {16, 64},
                                                                             {2, 256},
                                                                             {4, 128},
                                                                             {4, 256},
                                                                             {8, 256},
                                                                             {8, 512},
                                                                             {16, 256}}) {
    b->Args({runs, length});
  }
  b->Unit(benchmark::kMicrosecond);
}
BENCHMARK(BM_SortedRunsSelectedAcross)->Apply(sorted_run_shapes);
BENCHMARK(BM_SortedRunsCopied)->Apply(sorted_run_shapes);

void run_bucket_bench(benchmark::State& state, int64_t interval_ns,
                      std::optional<std::string_view> zone, const std::vector<int64_t>& times) {
  const TimeBucketer bucketer = TimeBucketer::make(interval_ns, zone).value();
  // Check once: sampled answers equal those of a bucketer with a cold cache.
  for (size_t i = 0; i < times.size(); i += times.size() / 1000 + 1) {
    const int64_t cold = TimeBucketer::make(interval_ns, zone).value().bucket_start(times[i]);
    if (bucketer.bucket_start(times[i]) != cold || cold > times[i]) {
      state.SkipWithError("bucket_start disagrees with a cold bucketer");
      return;
    }
  }
  for (auto _ : state) {
    int64_t checksum = 0;
    for (int64_t t : times) checksum += bucketer.bucket_start(t);
    benchmark::DoNotOptimize(checksum);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) *
                          static_cast<int64_t>(times.size()));
}

constexpr int64_t k2025 = 1'735'689'600 * kSecond;  // 2025-01-01T00:00:00Z

void BM_BucketStartUtc(benchmark::State& state) {
  const std::vector<int64_t> times = row_times(1'000'000, false);
  // 00:16:01Z falls in the 00:15 bucket.
  const int64_t probe = k2025 + (16 * 60 + 1) * kSecond;
  if (TimeBucketer::make(15 * 60 * kSecond, std::nullopt).value().bucket_start(probe) !=
      k2025 + 15 * 60 * kSecond) {
    state.SkipWithError("UTC 15m bucket of 2025-01-01T00:16:01Z is not 00:15:00Z");
    return;
  }
  run_bucket_bench(state, 15 * 60 * kSecond, std::nullopt, times);
}
BENCHMARK(BM_BucketStartUtc)->Unit(benchmark::kMillisecond);

// Rows in order (the cache's case) and shuffled (every row a cache miss).
void BM_BucketStartZoned(benchmark::State& state) {
  const std::vector<int64_t> times = row_times(1'000'000, state.range(0) != 0);
  // 2025-01-01T00:30:00Z is 01:30 CET: its local hour started at 00:00Z.
  if (TimeBucketer::make(3600 * kSecond, "Europe/Paris")
          .value()
          .bucket_start(k2025 + 1800 * kSecond) != k2025) {
    state.SkipWithError("Paris hour bucket of 2025-01-01T00:30:00Z is not 00:00:00Z");
    return;
  }
  run_bucket_bench(state, 3600 * kSecond, "Europe/Paris", times);
}
BENCHMARK(BM_BucketStartZoned)->ArgName("shuffled")->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace tessera::query
