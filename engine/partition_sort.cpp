// Partition sort. Each row gets a global index (its position in write order across the
// runs) and, per key column, a rank: 0 for NULL, else 1 + the position of its value among
// the column's distinct values of all runs sorted by bytes. Comparing ranks then
// compares values, without touching strings in the sort itself.
#include "engine/partition_sort.h"

#include <algorithm>
#include <numeric>
#include <string_view>
#include <unordered_map>

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
  size_t row_of(uint32_t g) const { return g - offsets[run_of[g]]; }
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

// The rows `rows` (global indices) of one column, or nullopt when all are NULL.
std::optional<Column> gather(const RowSpace& space, const OutputColumn& source,
                             std::span<const uint32_t> rows) {
  Column out;
  out.type = source.type;
  out.valid.resize(rows.size());
  bool any_valid = false, any_null = false;
  std::unordered_map<std::string_view, uint32_t> codes;
  for (size_t i = 0; i < rows.size(); ++i) {
    const uint32_t g = rows[i];
    const size_t row = space.row_of(g);
    const Column* column = source.per_run[space.run_of[g]];
    const bool is_valid = column != nullptr && column->is_valid(row);
    out.valid[i] = is_valid ? 1 : 0;
    any_valid = any_valid || is_valid;
    any_null = any_null || !is_valid;
    switch (source.type) {
      case ColumnType::kInt64:
        out.ints.push_back(is_valid ? column->ints[row] : 0);
        break;
      case ColumnType::kFloat64:
        out.floats.push_back(is_valid ? column->floats[row] : 0.0);
        break;
      case ColumnType::kBool:
        out.bools.push_back(is_valid ? column->bools[row] : 0);
        break;
      case ColumnType::kString: {
        if (!is_valid) {
          out.codes.push_back(0);  // NULL rows point at code 0; `valid` says they are NULL
          break;
        }
        std::string_view value = column->string_at(row);
        auto [it, inserted] = codes.try_emplace(value, static_cast<uint32_t>(codes.size()));
        if (inserted) out.dictionary.emplace_back(value);
        out.codes.push_back(it->second);
        break;
      }
    }
  }
  if (!any_valid) return std::nullopt;
  if (!any_null) out.valid.clear();
  return out;
}

Block build_block(const RowSpace& space, const std::vector<OutputColumn>& columns,
                  std::span<const uint32_t> rows) {
  Block block;
  block.time_ns.reserve(rows.size());
  for (uint32_t g : rows) block.time_ns.push_back(space.time_ns[g]);
  for (const OutputColumn& source : columns) {
    std::optional<Column> column = gather(space, source, rows);
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
    std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
      for (size_t k : dedup_k) {
        uint32_t ra = ranks[a * width + k], rb = ranks[b * width + k];
        if (ra != rb) return ra < rb;
      }
      if (space.time_ns[a] != space.time_ns[b]) return space.time_ns[a] < space.time_ns[b];
      return a < b;
    });
    std::vector<uint32_t> kept;
    kept.reserve(n);
    for (size_t i = 0; i < n; ++i) {
      if (i + 1 < n && same_identity(order[i], order[i + 1])) continue;
      kept.push_back(order[i]);
    }
    result.duplicates_dropped = n - kept.size();
    order = std::move(kept);
  }

  // The global index breaks ties, which makes the sort stable in write order.
  std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
    const uint32_t* ra = &ranks[size_t{a} * width];
    const uint32_t* rb = &ranks[size_t{b} * width];
    for (size_t k = 0; k < width; ++k) {
      if (ra[k] != rb[k]) return ra[k] < rb[k];
    }
    if (space.time_ns[a] != space.time_ns[b]) return space.time_ns[a] < space.time_ns[b];
    return a < b;
  });

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
