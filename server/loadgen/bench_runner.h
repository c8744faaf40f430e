// run_bench: one timed `tessera bench` run: starts the ingest connections and
// the dashboard clients together, prints a progress line every second, stops
// them after warm-up + duration (or when an ingest-only run has sent all its
// data) and collects what they measured.
#pragma once

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <vector>

#include "server/loadgen/bench_report.h"
#include "server/loadgen/dashboard_driver.h"
#include "server/loadgen/ingest_driver.h"
#include "server/loadgen/query_mix.h"
#include "storage/base/status.h"

namespace tessera::loadgen {

struct BenchOptions {
  std::optional<IngestOptions> ingest;        // no ingest connections when absent
  std::vector<std::filesystem::path> files;   // what ingest sends
  bool loop_data = false;                     // start the files over when sent
  PassShift pass_shift;                       // each pass's timestamps; default: the files'
  std::optional<DashboardOptions> dashboard;  // no dashboard clients when absent
  std::vector<QueryKind> kinds;
  std::chrono::milliseconds duration{30'000};
  std::chrono::milliseconds warmup{0};  // run but not recorded, before `duration`
  FILE* progress = nullptr;             // a line per second; null: silent
};

// Errors: kInvalidInput (neither ingest nor dashboard, no query kinds, no
// files), and the drivers' start errors (connection refused, AUTH refused).
// Errors during the run are counted in the result, not returned.
Result<BenchResult> run_bench(const BenchOptions& options);

// PEERS.md's method (DashboardDriver::run_fixed_count) as a BenchResult.
Result<BenchResult> run_fixed_count(const DashboardOptions& options,
                                    const std::vector<QueryKind>& kinds, uint32_t runs,
                                    uint32_t warmups);

}  // namespace tessera::loadgen
