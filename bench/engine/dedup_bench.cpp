// Read-time deduplication (engine/dedup.h) of one daily ad_snapshot partition as
// the medium workload writes it: 2,340 entities of 40 tenants, a snapshot of every
// entity each 15 minutes, in write order (time-major), 8,192-row blocks, and 0.5% of
// the rows restating a row of one of the previous four snapshots. Items/s counts rows.
//
//   IndexPartition  a fresh index, sized for the partition, adds all 28 blocks: what
//                   the first query after a flush pays for each partition it touched
//   HeadSnapshot    live_rows() for the last block as a head over an index of the
//                   other 27 blocks, seen for the first time
//   GrowingHead     the same head shown in 512-row steps, as snapshots taken while
//                   it fills see it: what the partition's snapshots pay per head
//
//   build-release/bench/dedup_bench --benchmark_min_time=1
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "engine/dedup.h"

namespace tessera::engine {
namespace {

constexpr size_t kTenants = 40;
constexpr size_t kEntities = 2'340;
constexpr size_t kSnapshots = 96;  // a day of 15-minute snapshots
constexpr size_t kBlockRows = 8'192;
constexpr int64_t kSnapshotNs = int64_t{15} * 60 * 1'000'000'000;

struct Partition {
  std::vector<std::shared_ptr<const storage::Block>> raw;
  std::vector<LoadedBlock> blocks;
  size_t rows = 0;
  size_t restatements = 0;  // rows that replace an earlier row
};

const std::vector<std::string>& key_columns() {
  static const std::vector<std::string> columns = {"tenant", "entity_id"};
  return columns;
}

// A string column of `values` (ids) named "<prefix><id>", one dictionary entry per
// distinct id in first-seen order, as the write path builds a block's dictionaries.
storage::Column string_column(const std::vector<uint32_t>& ids, const char* prefix) {
  storage::Column column;
  column.type = storage::ColumnType::kString;
  std::map<uint32_t, uint32_t> codes;
  for (uint32_t id : ids) {
    auto [it, inserted] = codes.try_emplace(id, static_cast<uint32_t>(codes.size()));
    if (inserted) column.dictionary.push_back(prefix + std::to_string(id));
    column.codes.push_back(it->second);
  }
  return column;
}

const Partition& partition() {
  static const Partition* built = [] {
    auto* out = new Partition;
    std::mt19937_64 rng(42);
    std::vector<int64_t> times;
    std::vector<uint32_t> entities;
    auto seal = [&] {
      auto block = std::make_shared<storage::Block>();
      block->time_ns = times;
      std::vector<uint32_t> tenants;
      for (uint32_t entity : entities) tenants.push_back(entity % kTenants);
      block->column_names = {"tenant", "entity_id"};
      block->columns = {string_column(tenants, "tenant_"), string_column(entities, "entity_")};
      out->blocks.push_back(LoadedBlock::project(block, key_columns()));
      out->raw.push_back(std::move(block));
      out->rows += times.size();
      times.clear();
      entities.clear();
    };
    auto add_row = [&](int64_t time_ns, uint32_t entity) {
      times.push_back(time_ns);
      entities.push_back(entity);
      if (times.size() == kBlockRows) seal();
    };
    // Restated keys are drawn distinct, so that each one replaces exactly one live row.
    std::map<std::pair<int64_t, uint32_t>, bool> restated;
    for (size_t s = 0; s < kSnapshots; ++s) {
      const auto snapshot_ns = static_cast<int64_t>(s) * kSnapshotNs;
      for (uint32_t entity = 0; entity < kEntities; ++entity) {
        add_row(snapshot_ns, entity);
        if (s == 0 || rng() % 200 != 0) continue;
        const int64_t earlier_ns =
            snapshot_ns - static_cast<int64_t>(1 + rng() % std::min<size_t>(s, 4)) * kSnapshotNs;
        const auto other = static_cast<uint32_t>(rng() % kEntities);
        if (!restated.try_emplace({earlier_ns, other}, true).second) continue;
        add_row(earlier_ns, other);
        ++out->restatements;
      }
    }
    if (!times.empty()) seal();
    return out;
  }();
  return *built;
}

// The rows `masks` mark as replaced.
size_t replaced_rows(const std::vector<LiveRows>& masks) {
  size_t replaced = 0;
  for (const LiveRows& mask : masks) {
    if (!mask) continue;
    replaced += mask->rows().size() - mask->live_count();
  }
  return replaced;
}

void BM_IndexPartition(benchmark::State& state) {
  const Partition& input = partition();
  size_t replaced = 0;
  for (auto _ : state) {
    DedupIndex index(key_columns());
    index.reserve(input.rows);  // as Database::dedup_partition does
    for (const LoadedBlock& block : input.blocks) index.add(block);
    state.PauseTiming();
    replaced = replaced_rows(index.live_rows(nullptr));
    state.ResumeTiming();
  }
  if (replaced != input.restatements) state.SkipWithError("the masks miss restatements");
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(input.rows));
}
BENCHMARK(BM_IndexPartition)->Unit(benchmark::kMillisecond);

// An index of every block but the last.
DedupIndex index_but_last(const Partition& input) {
  DedupIndex index(key_columns());
  for (size_t b = 0; b + 1 < input.blocks.size(); ++b) index.add(input.blocks[b]);
  return index;
}

// Times `snapshots(index)` on a fresh copy of the index of every block but the last,
// copied and freed outside the timing, and checks that its masks mark every
// restatement. Items/s counts the last block's rows.
template <typename Snapshots>
void time_head_snapshots(benchmark::State& state, Snapshots&& snapshots) {
  const Partition& input = partition();
  const DedupIndex indexed = index_but_last(input);
  size_t replaced = 0;
  std::optional<DedupIndex> index;
  for (auto _ : state) {
    index.emplace(indexed);
    const auto start = std::chrono::steady_clock::now();
    std::vector<LiveRows> masks = snapshots(*index);
    state.SetIterationTime(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    replaced = replaced_rows(masks);
  }
  if (replaced != input.restatements) state.SkipWithError("the masks miss restatements");
  state.SetItemsProcessed(state.iterations() *
                          static_cast<int64_t>(input.blocks.back().row_count()));
}

void BM_HeadSnapshot(benchmark::State& state) {
  const LoadedBlock& head = partition().blocks.back();
  time_head_snapshots(state, [&](DedupIndex& index) { return index.live_rows(&head); });
}
BENCHMARK(BM_HeadSnapshot)->UseManualTime()->Unit(benchmark::kMicrosecond);

// The first `rows` rows of `block`, its dictionaries cut to the values they use, as a
// head holding only those rows has them.
LoadedBlock head_prefix(const storage::Block& block, size_t rows) {
  auto prefix = std::make_shared<storage::Block>();
  prefix->time_ns.assign(block.time_ns.begin(),
                         block.time_ns.begin() + static_cast<ptrdiff_t>(rows));
  prefix->column_names = block.column_names;
  for (const storage::Column& column : block.columns) {
    storage::Column& cut = prefix->columns.emplace_back();
    cut.type = column.type;
    cut.codes.assign(column.codes.begin(), column.codes.begin() + static_cast<ptrdiff_t>(rows));
    uint32_t used = 0;
    for (uint32_t code : cut.codes) used = std::max(used, code + 1);
    cut.dictionary.assign(column.dictionary.begin(), column.dictionary.begin() + used);
  }
  return LoadedBlock::project(prefix, key_columns());
}

void BM_GrowingHead(benchmark::State& state) {
  constexpr size_t kStep = 512;
  const storage::Block& last = *partition().raw.back();
  std::vector<LoadedBlock> prefixes;
  for (size_t rows = kStep; rows < last.row_count() + kStep; rows += kStep) {
    prefixes.push_back(head_prefix(last, std::min(rows, last.row_count())));
  }
  time_head_snapshots(state, [&](DedupIndex& index) {
    std::vector<LiveRows> masks;
    for (const LoadedBlock& prefix : prefixes) masks = index.live_rows(&prefix);
    return masks;
  });
}
BENCHMARK(BM_GrowingHead)->UseManualTime()->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace tessera::engine
