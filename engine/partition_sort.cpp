// Partition sort. Each row gets a global index (its position in write order across the
// runs) and, per key column, a rank: 0 for NULL, else 1 + the position of its value among
// the column's distinct values of all runs sorted by bytes. Comparing ranks then
// compares values, without touching strings in the sort itself. When the ranks, the
// time (in steps of the partition's common time divisor) and the index fit in 64 bits,
// as they do for every table of the workloads, rows are ordered by a radix sort of
// those packed keys; otherwise by comparisons.
#include "engine/partition_sort.h"

#include <algorithm>
#include <array>
#include <bit>
#include <numeric>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "storage/block/string_code_index.h"

namespace tessera::engine {

using storage::Block;
using storage::Column;
using storage::ColumnType;

SortKey sort_key_for(const TableSchema& schema) {
  SortKey key;
  const TableOptions& options = schema.options;
  key.tenant_column = options.tenant_column;
  key.dedup_columns = options.dedup_columns;
  auto is_listed = [&](const std::string& name) {
    return (key.tenant_column && *key.tenant_column == name) ||
           std::find(key.tag_columns.begin(), key.tag_columns.end(), name) != key.tag_columns.end();
  };
  for (const std::string& name : options.dedup_columns) {
    if (!is_listed(name)) key.tag_columns.push_back(name);
  }
  std::vector<std::string> others;
  for (const ColumnDef& def : schema.columns) {
    if (def.kind == ColumnKind::kTag && !is_listed(def.name)) others.push_back(def.name);
  }
  std::sort(others.begin(), others.end());
  key.tag_columns.insert(key.tag_columns.end(), others.begin(), others.end());
  return key;
}

namespace {

// The rows of all runs, addressed by global index in write order.
struct RowSpace {
  std::span<const std::shared_ptr<const Block>> runs;
  std::vector<uint32_t> run_of;  // global index -> run
  std::vector<size_t> offsets;   // run -> global index of its first row
  std::vector<int64_t> time_ns;  // global index -> time
};

// Fills column `k` of the row-major `ranks` (width `width`) for the tag `name`.
void rank_column(const RowSpace& space, const std::string& name, size_t k, size_t width,
                 std::vector<uint32_t>& ranks) {
  std::vector<std::string_view> values;
  for (const auto& run : space.runs) {
    const Column* column = run->find(name);
    if (column == nullptr || column->type != ColumnType::kString) continue;
    values.insert(values.end(), column->dictionary.begin(), column->dictionary.end());
  }
  std::sort(values.begin(), values.end());
  values.erase(std::unique(values.begin(), values.end()), values.end());
  for (size_t r = 0; r < space.runs.size(); ++r) {
    const Block& run = *space.runs[r];
    const Column* column = run.find(name);
    const size_t base = space.offsets[r];
    if (column == nullptr || column->type != ColumnType::kString) {
      for (size_t row = 0; row < run.row_count(); ++row) ranks[(base + row) * width + k] = 0;
      continue;
    }
    std::vector<uint32_t> code_rank(column->dictionary.size());
    for (size_t code = 0; code < code_rank.size(); ++code) {
      auto at = std::lower_bound(values.begin(), values.end(), column->dictionary[code]);
      code_rank[code] = static_cast<uint32_t>(at - values.begin()) + 1;
    }
    for (size_t row = 0; row < run.row_count(); ++row) {
      ranks[(base + row) * width + k] = column->is_valid(row) ? code_rank[column->codes[row]] : 0;
    }
  }
}

// Times as order-preserving small integers: (t - min) / step, where step is the
// greatest common divisor of the times' distances from the earliest (a 15-minute
// cadence turns a day into 0..95). `bits` holds the largest.
struct TimeSteps {
  uint64_t min = 0;
  uint64_t step = 1;
  int bits = 0;

  uint64_t of(int64_t t) const {
    const uint64_t distance = static_cast<uint64_t>(t) - min;
    return step == 1 ? distance : distance / step;
  }
};

TimeSteps time_steps(const std::vector<int64_t>& time_ns) {
  TimeSteps steps;
  if (time_ns.empty()) return steps;
  const auto [lo, hi] = std::minmax_element(time_ns.begin(), time_ns.end());
  steps.min = static_cast<uint64_t>(*lo);
  uint64_t step = 0;
  for (int64_t t : time_ns) {
    const uint64_t distance = static_cast<uint64_t>(t) - steps.min;
    if (distance != 0 && (step == 0 || distance % step != 0)) step = std::gcd(step, distance);
  }
  steps.step = std::max<uint64_t>(step, 1);
  steps.bits = std::bit_width((static_cast<uint64_t>(*hi) - steps.min) / steps.step);
  return steps;
}

// Row orders as a radix sort of 64-bit keys, most significant field first: the ranks
// of some key columns, the time step, the row's global index. Rows enter in index
// order and the sort is stable, so it sorts only the fields above the index: equal
// keys stay in write order, as the comparison sort's index tie-break has them.
class PackedRowKeys {
 public:
  PackedRowKeys(const std::vector<uint32_t>& ranks, size_t width,
                const std::vector<int>& column_bits, const std::vector<int64_t>& time_ns)
      : ranks_(ranks),
        width_(width),
        column_bits_(column_bits),
        time_ns_(time_ns),
        time_(time_steps(time_ns)),
        index_bits_(std::bit_width(time_ns.empty() ? size_t{0} : time_ns.size() - 1)) {}

  // Sorts `rows` (global indices, ascending) by the key columns `columns` (positions in
  // `ranks`), then time, then index. False, leaving `rows` as they are, when the fields
  // need more than 64 bits.
  bool sort(std::vector<uint32_t>& rows, std::span<const size_t> columns) const {
    int bits = index_bits_ + time_.bits;
    for (size_t k : columns) bits += column_bits_[k];
    if (bits > 64) return false;
    std::vector<uint64_t> keys(rows.size());
    for (size_t i = 0; i < rows.size(); ++i) {
      const uint32_t g = rows[i];
      const uint32_t* rank = &ranks_[size_t{g} * width_];
      uint64_t key = 0;
      for (size_t k : columns) key = (key << column_bits_[k]) | rank[k];
      key = (key << time_.bits) | time_.of(time_ns_[g]);
      keys[i] = (key << index_bits_) | g;
    }
    radix_sort(keys, index_bits_, bits);
    const uint64_t index_mask = (uint64_t{1} << index_bits_) - 1;
    for (size_t i = 0; i < rows.size(); ++i) rows[i] = static_cast<uint32_t>(keys[i] & index_mask);
    return true;
  }

 private:
  // Stable LSD radix sort of `keys` by bits [low, high), 8 at a time; a digit that is
  // the same in every key is skipped.
  static void radix_sort(std::vector<uint64_t>& keys, int low, int high) {
    std::vector<uint64_t> buffer(keys.size());
    for (int shift = low; shift < high && !keys.empty(); shift += 8) {
      std::array<size_t, 256> count{};
      for (uint64_t key : keys) ++count[(key >> shift) & 0xff];
      if (count[(keys[0] >> shift) & 0xff] == keys.size()) continue;
      size_t offset = 0;
      for (size_t& c : count) offset += std::exchange(c, offset);
      for (uint64_t key : keys) buffer[count[(key >> shift) & 0xff]++] = key;
      keys.swap(buffer);
    }
  }

  const std::vector<uint32_t>& ranks_;
  size_t width_;
  const std::vector<int>& column_bits_;
  const std::vector<int64_t>& time_ns_;
  TimeSteps time_;
  int index_bits_;
};

struct OutputColumn {
  std::string name;
  ColumnType type;
  std::vector<const Column*> per_run;  // null where the run lacks the column
};

Result<std::vector<OutputColumn>> output_columns(const RowSpace& space) {
  std::vector<OutputColumn> columns;
  std::unordered_map<std::string_view, size_t> index;
  for (size_t r = 0; r < space.runs.size(); ++r) {
    const Block& run = *space.runs[r];
    for (size_t c = 0; c < run.columns.size(); ++c) {
      const std::string& name = run.column_names[c];
      auto [it, inserted] = index.try_emplace(name, columns.size());
      if (inserted) {
        columns.push_back(
            {name, run.columns[c].type, std::vector<const Column*>(space.runs.size(), nullptr)});
      } else if (columns[it->second].type != run.columns[c].type) {
        return make_error(ErrorCode::kInternal,
                          "column \"" + name + "\" has two types in one partition");
      }
      columns[it->second].per_run[r] = &run.columns[c];
    }
  }
  return columns;
}

// Where a row of the output is: its run and its row there.
struct RowPlace {
  uint32_t run;
  uint32_t row;
};

// One column of the rows at `places`, or nullopt when all are NULL.
std::optional<Column> gather(const OutputColumn& source, std::span<const RowPlace> places) {
  Column out;
  out.type = source.type;
  out.valid.resize(places.size());
  size_t valid_rows = 0;
  // One pass per type: `value(i, run, column, row)` stores row i's value (the column
  // exists, the row is valid); NULL rows keep the zero they were sized with.
  auto fill = [&](auto&& value) {
    for (size_t i = 0; i < places.size(); ++i) {
      const auto [run, row] = places[i];
      const Column* column = source.per_run[run];
      const bool is_valid = column != nullptr && column->is_valid(row);
      out.valid[i] = is_valid ? 1 : 0;
      valid_rows += is_valid ? 1 : 0;
      if (is_valid) value(i, run, *column, row);
    }
  };
  switch (source.type) {
    case ColumnType::kInt64:
      out.ints.resize(places.size());
      fill([&](size_t i, uint32_t, const Column& c, size_t row) { out.ints[i] = c.ints[row]; });
      break;
    case ColumnType::kFloat64:
      out.floats.resize(places.size());
      fill([&](size_t i, uint32_t, const Column& c, size_t row) { out.floats[i] = c.floats[row]; });
      break;
    case ColumnType::kBool:
      out.bools.resize(places.size());
      fill([&](size_t i, uint32_t, const Column& c, size_t row) { out.bools[i] = c.bools[row]; });
      break;
    case ColumnType::kString: {
      // NULL rows point at code 0; `valid` says they are NULL. Each run's codes are
      // mapped to the block's on first use: a value is hashed once per run, not per row.
      out.codes.resize(places.size());
      constexpr uint32_t kUnmapped = UINT32_MAX;
      storage::StringCodeIndex codes;
      std::vector<std::vector<uint32_t>> code_maps(source.per_run.size());
      fill([&](size_t i, uint32_t run, const Column& c, size_t row) {
        std::vector<uint32_t>& code_map = code_maps[run];
        if (code_map.empty()) code_map.assign(c.dictionary.size(), kUnmapped);
        uint32_t& code = code_map[c.codes[row]];
        if (code == kUnmapped) code = codes.find_or_append(out.dictionary, c.string_at(row));
        out.codes[i] = code;
      });
      break;
    }
  }
  if (valid_rows == 0) return std::nullopt;
  if (valid_rows == places.size()) out.valid.clear();
  return out;
}

Block build_block(const RowSpace& space, const std::vector<OutputColumn>& columns,
                  std::span<const uint32_t> rows) {
  Block block;
  block.time_ns.reserve(rows.size());
  std::vector<RowPlace> places;
  places.reserve(rows.size());
  for (uint32_t g : rows) {
    block.time_ns.push_back(space.time_ns[g]);
    const uint32_t run = space.run_of[g];
    places.push_back({run, static_cast<uint32_t>(g - space.offsets[run])});
  }
  for (const OutputColumn& source : columns) {
    std::optional<Column> column = gather(source, places);
    if (!column) continue;
    block.column_names.push_back(source.name);
    block.columns.push_back(std::move(*column));
  }
  return block;
}

}  // namespace

Result<SortedPartition> sort_partition(std::span<const std::shared_ptr<const Block>> runs,
                                       const SortKey& key, BlockCut cut) {
  RowSpace space;
  space.runs = runs;
  uint64_t total = 0;
  for (const auto& run : runs) {
    space.offsets.push_back(total);
    total += run->row_count();
  }
  if (total >= kMaxSortRows) {
    return make_error(ErrorCode::kLimitExceeded, "partition of " + std::to_string(total) +
                                                     " rows exceeds the sort limit of " +
                                                     std::to_string(kMaxSortRows - 1));
  }
  const size_t n = total;
  space.run_of.reserve(n);
  space.time_ns.reserve(n);
  for (size_t r = 0; r < runs.size(); ++r) {
    space.run_of.insert(space.run_of.end(), runs[r]->row_count(), static_cast<uint32_t>(r));
    space.time_ns.insert(space.time_ns.end(), runs[r]->time_ns.begin(), runs[r]->time_ns.end());
  }

  // Key columns: the tenant (if any) first, then the other tags.
  std::vector<std::string> key_columns;
  if (key.tenant_column) key_columns.push_back(*key.tenant_column);
  key_columns.insert(key_columns.end(), key.tag_columns.begin(), key.tag_columns.end());
  const size_t width = key_columns.size();
  std::vector<uint32_t> ranks(n * width);
  for (size_t k = 0; k < width; ++k) rank_column(space, key_columns[k], k, width, ranks);

  // Each key column's ranks fit in the bits of its largest.
  std::vector<int> column_bits(width, 0);
  for (size_t row = 0; row < n; ++row) {
    for (size_t k = 0; k < width; ++k) {
      column_bits[k] =
          std::max(column_bits[k], static_cast<int>(std::bit_width(ranks[row * width + k])));
    }
  }
  const PackedRowKeys packed(ranks, width, column_bits, space.time_ns);
  // Orders `rows` (ascending global indices) by the key columns `columns`, then time,
  // then global index (which makes it stable in write order): by packed keys when
  // they fit, by comparisons otherwise.
  auto sort_rows = [&](std::vector<uint32_t>& rows, std::span<const size_t> columns) {
    if (packed.sort(rows, columns)) return;
    std::sort(rows.begin(), rows.end(), [&](uint32_t a, uint32_t b) {
      for (size_t k : columns) {
        const uint32_t ra = ranks[size_t{a} * width + k], rb = ranks[size_t{b} * width + k];
        if (ra != rb) return ra < rb;
      }
      if (space.time_ns[a] != space.time_ns[b]) return space.time_ns[a] < space.time_ns[b];
      return a < b;
    });
  };
  std::vector<size_t> all_k(width);
  std::iota(all_k.begin(), all_k.end(), size_t{0});

  std::vector<uint32_t> order(n);
  std::iota(order.begin(), order.end(), 0u);
  SortedPartition result;
  if (!key.dedup_columns.empty()) {
    std::vector<size_t> dedup_k;
    for (const std::string& name : key.dedup_columns) {
      auto at = std::find(key_columns.begin(), key_columns.end(), name);
      if (at == key_columns.end()) {
        return make_error(ErrorCode::kInternal, "dedup column \"" + name + "\" is not a sort key");
      }
      dedup_k.push_back(static_cast<size_t>(at - key_columns.begin()));
    }
    auto same_identity = [&](uint32_t a, uint32_t b) {
      if (space.time_ns[a] != space.time_ns[b]) return false;
      for (size_t k : dedup_k) {
        if (ranks[a * width + k] != ranks[b * width + k]) return false;
      }
      return true;
    };
    // Group rows of equal identity, each group in write order, and keep its last row.
    sort_rows(order, dedup_k);
    std::vector<uint8_t> is_kept(n, 0);
    for (size_t i = 0; i < n; ++i) {
      if (i + 1 < n && same_identity(order[i], order[i + 1])) continue;
      is_kept[order[i]] = 1;
    }
    order.clear();  // the kept rows, back in write order
    for (uint32_t g = 0; g < n; ++g) {
      if (is_kept[g] != 0) order.push_back(g);
    }
    result.duplicates_dropped = n - order.size();
  }

  sort_rows(order, all_k);

  TESSERA_ASSIGN_OR_RETURN(std::vector<OutputColumn> columns, output_columns(space));
  auto emit = [&](size_t begin, size_t end) {  // rows [begin, end) of `order`, in pieces
    for (size_t at = begin; at < end; at += cut.max_rows) {
      const size_t rows = std::min(cut.max_rows, end - at);
      result.blocks.push_back(
          build_block(space, columns, std::span<const uint32_t>(order).subspan(at, rows)));
    }
  };
  if (!key.tenant_column) {
    emit(0, order.size());
    return result;
  }
  size_t shared_begin = 0;  // rows [shared_begin, run_begin) wait for a shared block
  for (size_t run_begin = 0; run_begin < order.size();) {
    const uint32_t tenant = ranks[size_t{order[run_begin]} * width];
    size_t run_end = run_begin + 1;
    while (run_end < order.size() && ranks[size_t{order[run_end]} * width] == tenant) ++run_end;
    if (run_end - run_begin >= cut.min_own_rows) {
      emit(shared_begin, run_begin);
      emit(run_begin, run_end);
      shared_begin = run_end;
    } else if (run_end - shared_begin > cut.max_rows) {
      emit(shared_begin, run_begin);
      shared_begin = run_begin;
    }
    run_begin = run_end;
  }
  emit(shared_begin, order.size());
  return result;
}

}  // namespace tessera::engine
