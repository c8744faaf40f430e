// A whole-table rollup that must decode: SELECT sum(spend), sum(revenue) GROUP BY
// time(1d) over every ad_snapshot block of real segment files, the "small" datagen
// workload written through the engine (sorted, encoded and flushed as the server
// does). The engine's block cache is off, so every run decodes every block, and
// the footer sums are hidden (as a version-1 footer reads), so no block is answered
// from statistics. Items/s counts values decoded and summed: 2 per row. The same
// query with the footer sums visible shows what statistics save.
//
// Setup writes the workload to a temporary directory (a few seconds) and removes it
// at exit; `bytes_per_row` is the size of its data directory over the rows. The answer is checked
// once against sums computed here from the decoded blocks, independently of the executor.
#include <benchmark/benchmark.h>
#include <stdlib.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "bench/datagen/workload_generator.h"
#include "bench/query/fixed_snapshot_engine.h"
#include "engine/engine.h"
#include "query/query_runner.h"

namespace tessera::query {
namespace {

constexpr int64_t kNanosPerDay = 86'400'000'000'000;
constexpr const char* kQuery = "SELECT sum(spend), sum(revenue) FROM ad_snapshot GROUP BY time(1d)";

// A block source whose statistics say the sums are unknown, so that the executor
// must decode the block to sum it. Everything else is the wrapped source's.
class SumsHiddenSource final : public engine::BlockSource {
 public:
  // `source` belongs to `owner` (a snapshot's), which this keeps alive.
  SumsHiddenSource(const engine::BlockSource* source, std::shared_ptr<const void> owner)
      : source_(source), owner_(std::move(owner)), stats_(source_->stats()) {
    for (storage::ColumnStats& column : stats_.columns) {
      column.has_sum = false;
      column.sum_int_exact = false;
      column.sum_float = std::nan("");
    }
  }
  const storage::BlockStats& stats() const override { return stats_; }
  Result<std::shared_ptr<const storage::Block>> load() const override { return source_->load(); }
  Result<engine::LoadedBlock> load_columns(std::span<const std::string> names,
                                           bool with_time) const override {
    return source_->load_columns(names, with_time);
  }

 private:
  const engine::BlockSource* source_;
  std::shared_ptr<const void> owner_;
  storage::BlockStats stats_;
};

struct Workload {
  std::filesystem::path dir;
  std::unique_ptr<engine::Engine> engine;
  std::unique_ptr<bench::FixedSnapshotEngine> sums_hidden;
  uint64_t rows = 0;
  size_t blocks = 0;
  uint64_t data_bytes = 0;                                // the data directory after the flush
  std::map<int64_t, std::pair<double, double>> expected;  // day -> (spend, revenue)
  std::string error;

  ~Workload() {
    engine.reset();
    sums_hidden.reset();
    std::error_code ignored;
    if (!dir.empty()) std::filesystem::remove_all(dir, ignored);
  }
};

Status load_workload(Workload& w) {
  char pattern[] = "/tmp/tessera-decoding-scan-XXXXXX";
  if (mkdtemp(pattern) == nullptr) return make_error(ErrorCode::kIoError, "mkdtemp failed");
  w.dir = pattern;
  datagen::GenOptions gen;
  gen.scale = datagen::Scale::kSmall;
  gen.tables = {"ad_snapshot"};
  TESSERA_ASSIGN_OR_RETURN(datagen::GenReport report, datagen::generate_workload(gen, w.dir));
  (void)report;

  engine::EngineOptions options;
  options.data_dir = w.dir / "data";
  options.block_cache_bytes = 0;  // every query decodes
  options.background_maintenance = false;
  options.flush_threshold_rows = size_t{1} << 26;  // one flush, below: one segment a day
  TESSERA_ASSIGN_OR_RETURN(w.engine, engine::Engine::open(options));
  QueryContext context;
  TESSERA_ASSIGN_OR_RETURN(
      ResultSet created,
      run_query(*w.engine,
                "CREATE TABLE ad_snapshot (tenant TAG, entity_id TAG, provider TAG, level TAG, "
                "goal TAG) WITH (dedup = (tenant, entity_id, time))",
                context));
  (void)created;

  std::ifstream in(w.dir / "ad_snapshot.lp", std::ios::binary);
  std::string chunk, line;
  auto write_chunk = [&]() -> Status {
    TESSERA_ASSIGN_OR_RETURN(engine::WriteReport written, w.engine->write_text(chunk, {}));
    if (!written.rejected.empty()) {
      return make_error(ErrorCode::kInternal, "rejected: " + written.rejected[0].reason);
    }
    chunk.clear();
    return Status::ok();
  };
  while (std::getline(in, line)) {
    chunk += line;
    chunk += '\n';
    if (chunk.size() >= (size_t{8} << 20)) TESSERA_RETURN_IF_ERROR(write_chunk());
  }
  TESSERA_RETURN_IF_ERROR(write_chunk());
  TESSERA_RETURN_IF_ERROR(w.engine->flush());

  TESSERA_ASSIGN_OR_RETURN(engine::TableSnapshot snapshot, w.engine->snapshot("ad_snapshot"));
  const auto snapshot_owners =
      std::make_shared<const std::vector<std::shared_ptr<const void>>>(snapshot.owners);
  std::vector<std::shared_ptr<const engine::BlockSource>> hidden;
  for (const engine::BlockView& view : snapshot.blocks) {
    if (view.live_rows != nullptr) {
      return make_error(ErrorCode::kInternal, "expected duplicate-free segments after flush");
    }
    TESSERA_ASSIGN_OR_RETURN(std::shared_ptr<const storage::Block> block, view.source->load());
    const storage::Column* spend = block->find("spend");
    const storage::Column* revenue = block->find("revenue");
    for (size_t r = 0; r < block->row_count(); ++r) {
      auto& [spend_sum, revenue_sum] = w.expected[block->time_ns[r] / kNanosPerDay];
      if (spend != nullptr && spend->is_valid(r)) spend_sum += spend->floats[r];
      if (revenue != nullptr && revenue->is_valid(r)) revenue_sum += revenue->floats[r];
    }
    w.rows += block->row_count();
    hidden.push_back(std::make_shared<SumsHiddenSource>(view.source, snapshot_owners));
  }
  w.blocks = hidden.size();
  for (const auto& entry : std::filesystem::recursive_directory_iterator(w.dir / "data")) {
    if (entry.is_regular_file()) w.data_bytes += entry.file_size();
  }
  w.sums_hidden = std::make_unique<bench::FixedSnapshotEngine>(snapshot.schema, std::move(hidden));
  return Status::ok();
}

Workload& workload() {
  static Workload w;
  static bool loaded = false;
  if (!loaded) {
    loaded = true;
    Status status = load_workload(w);
    if (!status.is_ok()) w.error = status.to_string();
  }
  return w;
}

bool is_close(double got, double want) {
  return std::fabs(got - want) <= 1e-9 * std::max(1.0, std::fabs(want));
}

// Empty when `result` holds the expected daily sums, else what differs.
std::string check(const ResultSet& result, const Workload& w) {
  if (result.rows.size() != w.expected.size()) return "wrong number of days";
  size_t i = 0;
  for (const auto& [day, sums] : w.expected) {
    const auto& row = result.rows[i++];
    const double spend = std::get<double>(row[1]);
    const double revenue = std::get<double>(row[2]);
    if (!is_close(spend, sums.first) || !is_close(revenue, sums.second)) {
      return "day " + std::to_string(day) + ": wrong sums";
    }
  }
  return "";
}

void run(benchmark::State& state, engine::Engine& engine, const Workload& w) {
  QueryContext context;
  auto once = run_query(engine, kQuery, context);
  if (!once) {
    state.SkipWithError(once.status().to_string().c_str());
    return;
  }
  if (std::string wrong = check(*once, w); !wrong.empty()) {
    state.SkipWithError(wrong.c_str());
    return;
  }
  for (auto _ : state) {
    auto result = run_query(engine, kQuery, context);
    benchmark::DoNotOptimize(result);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * 2 * w.rows));
  state.counters["rows"] = static_cast<double>(w.rows);
  state.counters["blocks"] = static_cast<double>(w.blocks);
  state.counters["bytes_per_row"] = static_cast<double>(w.data_bytes) / static_cast<double>(w.rows);
}

void BM_DailySumsDecodingEveryBlock(benchmark::State& state) {
  Workload& w = workload();
  if (!w.error.empty()) {
    state.SkipWithError(w.error.c_str());
    return;
  }
  run(state, *w.sums_hidden, w);
}

void BM_DailySumsFromFooterStatistics(benchmark::State& state) {
  Workload& w = workload();
  if (!w.error.empty()) {
    state.SkipWithError(w.error.c_str());
    return;
  }
  run(state, *w.engine, w);
}

BENCHMARK(BM_DailySumsDecodingEveryBlock)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_DailySumsFromFooterStatistics)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace tessera::query
