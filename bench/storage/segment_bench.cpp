// Segment size and decode speed on real ad_snapshot rows (storage/segment/).
//
// Input: the ILP file named by TESSERA_SEGMENT_BENCH_LP (default
// /work/data/small/ad_snapshot.lp, from `gen.py --scale small --seed 42`), at
// most TESSERA_SEGMENT_BENCH_ROWS rows (default all). Rows are sorted by
// (tenant, entity_id, provider, level, goal, time), the order flushes write,
// and cut into blocks of 8192 rows (EngineOptions::block_rows).
//
// BM_AdSnapshotSegmentSize writes the segment once and reports bytes per row
// per column (counters, and a table on stderr); everything counts: chunks,
// footer, header and trailer. The decode benchmarks read the blocks back;
// items are values (rows × columns read). Each checks its answer once against
// the blocks written. Run a release build:
//   build-seg-rel/bench/segment_bench --benchmark_filter=Decode
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <numeric>
#include <string>
#include <vector>

#include "engine/line_protocol/line_parser.h"
#include "storage/segment/segment_format.h"
#include "storage/segment/segment_reader.h"
#include "storage/segment/segment_writer.h"

namespace tessera::storage {
namespace {

constexpr size_t kBlockRows = 8192;
const char* const kSortTags[] = {"tenant", "entity_id", "provider", "level", "goal"};

std::string env_or(const char* name, const char* fallback) {
  const char* v = std::getenv(name);
  return v != nullptr ? v : fallback;
}

struct Row {
  int64_t time_ns = 0;
  std::vector<std::string> tags;  // by kSortTags
  std::vector<engine::ParsedField> fields;
};

// Columns in a fixed order: the sort tags, then fields by first appearance.
struct Dataset {
  std::vector<std::string> field_names;
  std::vector<ColumnType> field_types;
  std::vector<Block> blocks;
  size_t rows = 0;
};

Block make_block(const std::vector<Row>& rows, size_t begin, size_t end, const Dataset& set) {
  Block block;
  for (size_t r = begin; r < end; ++r) block.time_ns.push_back(rows[r].time_ns);
  for (size_t t = 0; t < std::size(kSortTags); ++t) {
    Column column;
    column.type = ColumnType::kString;
    std::map<std::string, uint32_t> codes;
    for (size_t r = begin; r < end; ++r) {
      auto [it, is_new] =
          codes.emplace(rows[r].tags[t], static_cast<uint32_t>(column.dictionary.size()));
      if (is_new) column.dictionary.push_back(rows[r].tags[t]);
      column.codes.push_back(it->second);
    }
    block.column_names.push_back(kSortTags[t]);
    block.columns.push_back(std::move(column));
  }
  for (size_t f = 0; f < set.field_names.size(); ++f) {
    Column column;
    column.type = set.field_types[f];
    bool has_nulls = false;
    for (size_t r = begin; r < end; ++r) {
      const engine::ParsedField* field = nullptr;
      for (const auto& candidate : rows[r].fields) {
        if (candidate.key == set.field_names[f] && candidate.type == column.type)
          field = &candidate;
      }
      has_nulls |= field == nullptr;
      column.valid.push_back(field != nullptr ? 1 : 0);
      switch (column.type) {
        case ColumnType::kInt64:
          column.ints.push_back(field ? field->int_value : 0);
          break;
        case ColumnType::kFloat64:
          column.floats.push_back(field ? field->float_value : 0);
          break;
        case ColumnType::kBool:
          column.bools.push_back(field && field->bool_value ? 1 : 0);
          break;
        case ColumnType::kString:
          break;  // ad_snapshot has no string fields
      }
    }
    if (!has_nulls) column.valid.clear();
    block.column_names.push_back(set.field_names[f]);
    block.columns.push_back(std::move(column));
  }
  return block;
}

const Dataset& dataset() {
  static const Dataset set = [] {
    Dataset out;
    const std::string path = env_or("TESSERA_SEGMENT_BENCH_LP", "/work/data/small/ad_snapshot.lp");
    const size_t max_rows = std::stoull(env_or("TESSERA_SEGMENT_BENCH_ROWS", "0"));
    std::ifstream in(path);
    std::vector<Row> rows;
    std::string line;
    while (std::getline(in, line) && (max_rows == 0 || rows.size() < max_rows)) {
      auto parsed = engine::parse_line(line, engine::Precision::kNanoseconds);
      if (!parsed.is_ok() || !parsed->timestamp_ns) continue;
      Row row;
      row.time_ns = *parsed->timestamp_ns;
      for (const char* tag : kSortTags) {
        std::string value;
        for (const auto& [k, v] : parsed->tags) {
          if (k == tag) value = v;
        }
        row.tags.push_back(value);
      }
      for (const auto& field : parsed->fields) {
        if (std::find(out.field_names.begin(), out.field_names.end(), field.key) ==
            out.field_names.end()) {
          out.field_names.push_back(field.key);
          out.field_types.push_back(field.type);
        }
      }
      row.fields = std::move(parsed->fields);
      rows.push_back(std::move(row));
    }
    std::sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) {
      if (a.tags != b.tags) return a.tags < b.tags;
      return a.time_ns < b.time_ns;
    });
    for (size_t begin = 0; begin < rows.size(); begin += kBlockRows) {
      out.blocks.push_back(make_block(rows, begin, std::min(rows.size(), begin + kBlockRows), out));
    }
    out.rows = rows.size();
    return out;
  }();
  return set;
}

// The segment of dataset(), written once into a temporary directory.
std::shared_ptr<const SegmentReader> segment() {
  static const std::shared_ptr<const SegmentReader> reader = [] {
    const auto dir = std::filesystem::temp_directory_path() /
                     ("tessera_segment_bench_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    const auto path = dir / "ad_snapshot.tsg";
    std::filesystem::remove(path);
    Status written = write_segment(path, dataset().blocks);
    if (!written.is_ok()) {
      std::fprintf(stderr, "write_segment: %s\n", written.to_string().c_str());
      std::abort();
    }
    auto opened = SegmentReader::open(path);
    if (!opened.is_ok()) std::abort();
    std::filesystem::remove_all(dir);  // the open descriptor keeps the file readable
    return *opened;
  }();
  return reader;
}

void BM_AdSnapshotSegmentSize(benchmark::State& state) {
  const Dataset& set = dataset();
  if (set.rows == 0) {
    state.SkipWithError("no ad_snapshot rows (set TESSERA_SEGMENT_BENCH_LP)");
    return;
  }
  auto reader = segment();
  for (auto _ : state) benchmark::DoNotOptimize(reader->size_bytes());
  std::vector<std::string> names = {"time"};
  names.insert(names.end(), set.blocks[0].column_names.begin(), set.blocks[0].column_names.end());
  std::vector<uint64_t> bytes(names.size(), 0);
  for (size_t b = 0; b < reader->block_count(); ++b) {
    bytes[0] += reader->time_chunk(b).compressed_size;
    for (size_t c = 0; c + 1 < names.size(); ++c) {
      bytes[c + 1] += reader->column_chunk(b, c).compressed_size;
    }
  }
  const double rows = static_cast<double>(set.rows);
  const uint64_t chunk_bytes = std::accumulate(bytes.begin(), bytes.end(), uint64_t{0});
  std::fprintf(stderr, "%zu rows, %zu blocks, %llu bytes\n%-14s %10s %8s\n", set.rows,
               set.blocks.size(), static_cast<unsigned long long>(reader->size_bytes()), "column",
               "bytes", "B/row");
  for (size_t c = 0; c < names.size(); ++c) {
    std::fprintf(stderr, "%-14s %10llu %8.3f\n", names[c].c_str(),
                 static_cast<unsigned long long>(bytes[c]), bytes[c] / rows);
    state.counters[names[c]] = bytes[c] / rows;
  }
  const uint64_t overhead = reader->size_bytes() - chunk_bytes;
  std::fprintf(stderr, "%-14s %10llu %8.3f\n%-14s %10llu %8.3f\n", "footer+hdr",
               static_cast<unsigned long long>(overhead), overhead / rows, "total",
               static_cast<unsigned long long>(reader->size_bytes()), reader->size_bytes() / rows);
  state.counters["total_bytes_per_row"] = reader->size_bytes() / rows;
}
BENCHMARK(BM_AdSnapshotSegmentSize)->Iterations(1);

bool same_values(const Column& a, const Column& b) {
  return a.ints == b.ints && a.codes == b.codes && a.bools == b.bools && a.valid == b.valid &&
         a.dictionary == b.dictionary &&
         std::equal(a.floats.begin(), a.floats.end(), b.floats.begin(), b.floats.end(),
                    [](double x, double y) {
                      return std::bit_cast<uint64_t>(x) == std::bit_cast<uint64_t>(y);
                    });
}

// Reads the named columns (all when empty) of every block.
void decode(benchmark::State& state, std::vector<std::string> names) {
  const Dataset& set = dataset();
  if (set.rows == 0) {
    state.SkipWithError("no ad_snapshot rows (set TESSERA_SEGMENT_BENCH_LP)");
    return;
  }
  auto reader = segment();
  // Check once: every block reads back as written.
  for (size_t b = 0; b < reader->block_count(); ++b) {
    auto block = names.empty() ? reader->read_block(b) : reader->read_columns(b, names);
    if (!block.is_ok() || block->time_ns != set.blocks[b].time_ns) {
      state.SkipWithError("block does not read back");
      return;
    }
    for (size_t c = 0; c < block->columns.size(); ++c) {
      const Column* expected = set.blocks[b].find(block->column_names[c]);
      if (expected == nullptr || !same_values(block->columns[c], *expected)) {
        state.SkipWithError("column does not read back");
        return;
      }
    }
  }
  const size_t columns = 1 + (names.empty() ? set.blocks[0].columns.size() : names.size());
  for (auto _ : state) {
    for (size_t b = 0; b < reader->block_count(); ++b) {
      auto block = names.empty() ? reader->read_block(b) : reader->read_columns(b, names);
      benchmark::DoNotOptimize(block);
    }
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * set.rows * columns));
}

void BM_DecodeAllColumns(benchmark::State& state) { decode(state, {}); }
void BM_DecodeIntColumn(benchmark::State& state) { decode(state, {"impressions"}); }
void BM_DecodeFloatColumn(benchmark::State& state) { decode(state, {"spend"}); }
void BM_DecodeTagColumn(benchmark::State& state) { decode(state, {"entity_id"}); }
BENCHMARK(BM_DecodeAllColumns)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_DecodeIntColumn)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_DecodeFloatColumn)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_DecodeTagColumn)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace tessera::storage
