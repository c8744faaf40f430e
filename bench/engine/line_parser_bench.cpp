// Throughput of parse_line and format_line on realistic ad_snapshot lines.
// Reports bytes/s (input text) and items/s (lines). Measure Release builds only.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "engine/line_protocol/line_parser.h"

namespace tessera::engine {
namespace {

constexpr std::string_view kAdSnapshotLine =
    "ad_snapshot,entity_id=ent_000123,goal=purchases,level=ad,provider=meta,tenant=ws_0007 "
    "spend=12.34,impressions=1523i,clicks=41i,conversions=2,revenue=88.1,leads=0,purchases=2i "
    "1735689600000000000";

// Deterministic variations of the ad_snapshot line (fixed seed), so that branch
// predictors and caches see different entities, values and timestamps.
std::vector<std::string> make_ad_snapshot_lines(size_t count) {
  std::mt19937_64 rng(42);
  const char* providers[] = {"meta", "google", "tiktok", "snap"};
  const char* goals[] = {"purchases", "leads", "traffic"};
  std::vector<std::string> lines;
  lines.reserve(count);
  char buffer[512];
  for (size_t i = 0; i < count; ++i) {
    const int written = std::snprintf(
        buffer, sizeof(buffer),
        "ad_snapshot,entity_id=ent_%06u,goal=%s,level=ad,provider=%s,tenant=ws_%04u "
        "spend=%.2f,impressions=%ui,clicks=%ui,conversions=%u,revenue=%.2f,leads=%u,"
        "purchases=%ui %lld",
        static_cast<unsigned>(rng() % 1000000), goals[rng() % 3], providers[rng() % 4],
        static_cast<unsigned>(rng() % 10000), static_cast<double>(rng() % 100000) / 100.0,
        static_cast<unsigned>(rng() % 100000), static_cast<unsigned>(rng() % 5000),
        static_cast<unsigned>(rng() % 50), static_cast<double>(rng() % 1000000) / 100.0,
        static_cast<unsigned>(rng() % 20), static_cast<unsigned>(rng() % 50),
        1735689600000000000LL + static_cast<long long>(i) * 900'000'000'000LL);
    lines.emplace_back(buffer, static_cast<size_t>(written));
  }
  return lines;
}

// Checks the answer once, so that a fast but wrong parser cannot look like a win.
void check_ad_snapshot(const ParsedLine& line) {
  const bool is_right = line.measurement == "ad_snapshot" && line.tags.size() == 5 &&
                        line.tags[0].second == "ent_000123" && line.fields.size() == 7 &&
                        line.fields[0].float_value == 12.34 && line.fields[1].int_value == 1523 &&
                        line.fields[6].int_value == 2 && line.timestamp_ns == 1735689600000000000;
  if (!is_right) {
    std::fprintf(stderr, "parse_line returned a wrong value for the ad_snapshot line\n");
    std::abort();
  }
}

void BM_ParseAdSnapshotLine(benchmark::State& state) {
  {
    auto result = parse_line(kAdSnapshotLine, Precision::kNanoseconds);
    if (!result.is_ok()) {
      state.SkipWithError(result.status().to_string().c_str());
      return;
    }
    check_ad_snapshot(*result);
  }
  for (auto _ : state) {
    auto result = parse_line(kAdSnapshotLine, Precision::kNanoseconds);
    benchmark::DoNotOptimize(result);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(kAdSnapshotLine.size()));
}
BENCHMARK(BM_ParseAdSnapshotLine);

void BM_ParseAdSnapshotBatch(benchmark::State& state) {
  const auto lines = make_ad_snapshot_lines(static_cast<size_t>(state.range(0)));
  int64_t bytes = 0;
  for (const auto& line : lines) {
    bytes += static_cast<int64_t>(line.size());
    if (!parse_line(line, Precision::kNanoseconds).is_ok()) {
      state.SkipWithError("a generated line does not parse");
      return;
    }
  }
  for (auto _ : state) {
    for (const auto& line : lines) {
      auto result = parse_line(line, Precision::kNanoseconds);
      benchmark::DoNotOptimize(result);
    }
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(lines.size()));
  state.SetBytesProcessed(state.iterations() * bytes);
}
BENCHMARK(BM_ParseAdSnapshotBatch)->Arg(1024);

void BM_FormatAdSnapshotLine(benchmark::State& state) {
  auto parsed = parse_line(kAdSnapshotLine, Precision::kNanoseconds);
  if (!parsed.is_ok()) {
    state.SkipWithError(parsed.status().to_string().c_str());
    return;
  }
  const std::string formatted = format_line(*parsed);
  if (formatted != kAdSnapshotLine) {
    state.SkipWithError("format_line is not canonical for the ad_snapshot line");
    return;
  }
  for (auto _ : state) {
    std::string text = format_line(*parsed);
    benchmark::DoNotOptimize(text);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(formatted.size()));
}
BENCHMARK(BM_FormatAdSnapshotLine);

}  // namespace
}  // namespace tessera::engine
