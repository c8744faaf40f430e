#include "server/loadgen/bench_runner.h"

#include <memory>
#include <optional>
#include <thread>

namespace tessera::loadgen {
namespace {

double seconds_between(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

}  // namespace

Result<BenchResult> run_bench(const BenchOptions& options) {
  if (!options.ingest && !options.dashboard) {
    return make_error(ErrorCode::kInvalidInput, "nothing to drive: give --ingest and/or --query");
  }
  if (options.dashboard && options.kinds.empty()) {
    return make_error(ErrorCode::kInvalidInput, "no query kinds selected");
  }
  if (options.ingest && options.files.empty()) {
    return make_error(ErrorCode::kInvalidInput, "no data files to ingest");
  }
  std::atomic<bool> stop{false};
  const auto start = Clock::now();
  const auto measure_from = start + options.warmup;
  const auto end = measure_from + options.duration;

  std::unique_ptr<LineBlockSource> source;
  std::unique_ptr<IngestDriver> ingest;
  std::unique_ptr<DashboardDriver> dashboard;
  // Drivers join in their destructors, so an early return stops them first.
  struct StopOnExit {
    std::atomic<bool>& stop;
    ~StopOnExit() { stop = true; }
  };
  if (options.ingest) {
    source = std::make_unique<LineBlockSource>(options.files, options.ingest->sync_every_rows,
                                               options.loop_data, options.pass_shift);
    ingest = std::make_unique<IngestDriver>(*options.ingest, *source);
  }
  if (options.dashboard) {
    dashboard = std::make_unique<DashboardDriver>(*options.dashboard, options.kinds);
  }
  StopOnExit stop_on_exit{stop};
  if (ingest) TESSERA_RETURN_IF_ERROR(ingest->start(stop, measure_from));
  if (dashboard) TESSERA_RETURN_IF_ERROR(dashboard->start(stop, measure_from));

  auto next_progress = start + std::chrono::seconds(1);
  uint64_t last_queries = 0, last_rows = 0;
  Clock::time_point stopped_at;
  std::optional<Clock::time_point> ingest_done_at;
  while (true) {
    const auto now = Clock::now();
    if (ingest && !ingest_done_at && ingest->is_done()) ingest_done_at = now;
    const bool ingest_only_done = ingest && !dashboard && ingest->is_done();
    if (now >= end || ingest_only_done) {
      stopped_at = std::min(now, end);
      break;
    }
    if (options.progress && now >= next_progress) {
      const uint64_t queries = dashboard ? dashboard->completed() : 0;
      const uint64_t rows = ingest ? ingest->rows_acked() : 0;
      std::fprintf(options.progress, "[%5.1fs%s] queries %llu (+%llu/s, %llu errors)",
                   seconds_between(start, now), now < measure_from ? " warm-up" : "",
                   static_cast<unsigned long long>(queries),
                   static_cast<unsigned long long>(queries - last_queries),
                   static_cast<unsigned long long>(dashboard ? dashboard->errors() : 0));
      if (ingest) {
        std::fprintf(options.progress, " | ingest %llu rows acked (+%llu/s)%s",
                     static_cast<unsigned long long>(rows),
                     static_cast<unsigned long long>(rows - last_rows),
                     ingest->is_done() ? " done" : "");
      }
      std::fputc('\n', options.progress);
      std::fflush(options.progress);
      last_queries = queries;
      last_rows = rows;
      next_progress += std::chrono::seconds(1);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  stop = true;
  if (ingest) ingest->join();
  if (dashboard) dashboard->join();

  BenchResult result;
  result.mode = "duration";
  result.seconds = stopped_at > measure_from ? seconds_between(measure_from, stopped_at) : 0;
  if (dashboard) result.queries = dashboard->results();
  if (ingest) {
    result.ingest_acks = ingest->results();
    result.ingest_rows = ingest->rows_acked();
    result.ingest_rejected = ingest->rows_rejected();
    const auto ingest_end = std::min(ingest_done_at.value_or(stopped_at), stopped_at);
    result.ingest_seconds =
        ingest_end > measure_from ? seconds_between(measure_from, ingest_end) : 0;
  }
  return result;
}

Result<BenchResult> run_fixed_count(const DashboardOptions& options,
                                    const std::vector<QueryKind>& kinds, uint32_t runs,
                                    uint32_t warmups) {
  if (kinds.empty()) return make_error(ErrorCode::kInvalidInput, "no query kinds selected");
  const auto start = Clock::now();
  TESSERA_ASSIGN_OR_RETURN(auto stats,
                           DashboardDriver::run_fixed_count(options, kinds, runs, warmups));
  BenchResult result;
  result.mode = "fixed";
  result.seconds = seconds_between(start, Clock::now());
  result.queries = std::move(stats);
  return result;
}

}  // namespace tessera::loadgen
