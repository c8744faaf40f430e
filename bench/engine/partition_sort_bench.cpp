// sort_partition (engine/partition_sort.h), the CPU of every flush and compaction,
// on the "small" datagen workload's ad_snapshot (generated into a temporary directory
// at setup, a few seconds) with its dedup key (tenant, entity_id, time):
//   BM_SortPartition/flush       each day's rows as write-order blocks of 8192 rows,
//                                as a flush finds them
//   BM_SortPartition/compaction  each day's rows as two sorted runs (two flushes), as
//                                a compaction merges them
// Items/s counts input rows. The output is checked once per benchmark, independently
// of the ranks sort_partition compares: every row kept (minus the duplicates of the
// restatements), and each block's rows in (tenant, entity_id, goal, level, provider,
// time) order by their strings.
#include <benchmark/benchmark.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include "bench/datagen/workload_generator.h"
#include "engine/block_builder.h"
#include "engine/line_protocol/line_parser.h"
#include "engine/partition_sort.h"

namespace tessera::engine {
namespace {

constexpr int64_t kNanosPerDay = 86'400'000'000'000;
constexpr size_t kBlockRows = 8192;

using Runs = std::vector<std::shared_ptr<const storage::Block>>;

SortKey ad_snapshot_key() {
  SortKey key;
  key.tenant_column = "tenant";
  key.tag_columns = {"entity_id", "goal", "level", "provider"};
  key.dedup_columns = {"tenant", "entity_id"};
  return key;
}

struct Workload {
  std::vector<Runs> flush_days;       // per day: write-order blocks
  std::vector<Runs> compaction_days;  // per day: two sorted runs
  size_t rows = 0;
  std::string error;
};

Runs write_order_blocks(const std::vector<ParsedLine>& lines, size_t begin, size_t end) {
  Runs runs;
  BlockBuilder builder;
  for (size_t i = begin; i < end; ++i) {
    const ParsedLine& line = lines[i];
    builder.begin_row(*line.timestamp_ns);
    for (const auto& [key, value] : line.tags) builder.set_string(key, value);
    for (const ParsedField& field : line.fields) {
      if (field.type == storage::ColumnType::kInt64) {
        builder.set_int(field.key, field.int_value);
      } else {
        builder.set_float(field.key, field.float_value);
      }
    }
    if (builder.row_count() == kBlockRows || i + 1 == end) {
      runs.push_back(std::make_shared<const storage::Block>(builder.take()));
    }
  }
  return runs;
}

// One sorted block of all of `runs`' rows (a segment's rows, uncut).
Result<std::shared_ptr<const storage::Block>> sorted_run(const Runs& runs) {
  TESSERA_ASSIGN_OR_RETURN(SortedPartition sorted,
                           sort_partition(runs, ad_snapshot_key(), BlockCut{size_t{1} << 40, 1}));
  BlockBuilder all;
  for (const storage::Block& block : sorted.blocks) all.append_rows(block, 0, block.row_count());
  return std::make_shared<const storage::Block>(all.take());
}

Status add_day(Workload& w, const std::vector<ParsedLine>& lines) {
  w.rows += lines.size();
  w.flush_days.push_back(write_order_blocks(lines, 0, lines.size()));
  const size_t half = lines.size() / 2;
  TESSERA_ASSIGN_OR_RETURN(auto first, sorted_run(write_order_blocks(lines, 0, half)));
  TESSERA_ASSIGN_OR_RETURN(auto second, sorted_run(write_order_blocks(lines, half, lines.size())));
  w.compaction_days.push_back({first, second});
  return Status::ok();
}

// The workload's lines come day after day: each day is built once its last line is read.
Status load(Workload& w) {
  char pattern[] = "/tmp/tessera-partition-sort-XXXXXX";
  if (mkdtemp(pattern) == nullptr) return make_error(ErrorCode::kIoError, "mkdtemp failed");
  const std::filesystem::path dir = pattern;
  datagen::GenOptions gen;
  gen.scale = datagen::Scale::kSmall;
  gen.tables = {"ad_snapshot"};
  auto report = datagen::generate_workload(gen, dir);
  Status status = report.is_ok() ? Status::ok() : Status(report.error());
  std::ifstream in(dir / "ad_snapshot.lp", std::ios::binary);
  std::vector<ParsedLine> day;
  std::string line;
  while (status.is_ok() && std::getline(in, line)) {
    ParsedLine parsed;
    status = parse_line(line, Precision::kNanoseconds, parsed);
    if (!status.is_ok()) break;
    if (!day.empty() &&
        *day.back().timestamp_ns / kNanosPerDay != *parsed.timestamp_ns / kNanosPerDay) {
      status = add_day(w, day);
      day.clear();
    }
    day.push_back(std::move(parsed));
  }
  if (status.is_ok() && !day.empty()) status = add_day(w, day);
  std::error_code ignored;
  std::filesystem::remove_all(dir, ignored);
  return status;
}

Workload& workload() {
  static Workload* w = [] {
    auto* w = new Workload;
    if (Status status = load(*w); !status.is_ok()) w->error = status.message();
    return w;
  }();
  return *w;
}

std::string_view tag(const storage::Block& block, const char* name, size_t row) {
  const storage::Column* column = block.find(name);
  return column == nullptr || !column->is_valid(row) ? std::string_view() : column->string_at(row);
}

// Empty when `sorted` holds the rows of `runs` less duplicates, each block in order.
std::string check(const Runs& runs, const SortedPartition& sorted) {
  size_t in = 0, out = 0;
  for (const auto& run : runs) in += run->row_count();
  for (const storage::Block& block : sorted.blocks) {
    out += block.row_count();
    for (size_t r = 1; r < block.row_count(); ++r) {
      auto key = [&](size_t row) {
        return std::make_tuple(tag(block, "tenant", row), tag(block, "entity_id", row),
                               tag(block, "goal", row), tag(block, "level", row),
                               tag(block, "provider", row), block.time_ns[row]);
      };
      if (!(key(r - 1) < key(r))) return "rows out of order or duplicated";
    }
  }
  if (out + sorted.duplicates_dropped != in) return "rows lost";
  return {};
}

void BM_SortPartition(benchmark::State& state, bool compaction) {
  Workload& w = workload();
  if (!w.error.empty()) {
    state.SkipWithError(w.error.c_str());
    return;
  }
  const std::vector<Runs>& days = compaction ? w.compaction_days : w.flush_days;
  const SortKey key = ad_snapshot_key();
  const BlockCut cut = BlockCut::for_block_rows(kBlockRows);
  bool is_checked = false;
  for (auto _ : state) {
    for (const Runs& runs : days) {
      auto sorted = sort_partition(runs, key, cut);
      if (!sorted.is_ok()) {
        state.SkipWithError(sorted.error().message.c_str());
        return;
      }
      if (!is_checked) {
        if (std::string problem = check(runs, *sorted); !problem.empty()) {
          state.SkipWithError(problem.c_str());
          return;
        }
      }
      benchmark::DoNotOptimize(sorted->blocks.data());
    }
    is_checked = true;
  }
  state.counters["partitions"] = static_cast<double>(days.size());
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(w.rows));
}

BENCHMARK_CAPTURE(BM_SortPartition, flush, false)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_SortPartition, compaction, true)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace tessera::engine
