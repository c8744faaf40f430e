#include "storage/block/stats_total.h"

#include <algorithm>
#include <cmath>
#include <unordered_map>

namespace tessera::storage {
namespace {

// Adds `from`'s values to `into`, both of a column of `type`.
void add_column(ColumnType type, const ColumnStats& from, ColumnStats& into) {
  into.null_count += from.null_count;
  into.has_sum = into.has_sum && from.has_sum;
  into.sum_float += from.sum_float;
  if (into.sum_int_exact &&
      (!from.sum_int_exact || __builtin_add_overflow(into.sum_int, from.sum_int, &into.sum_int))) {
    into.sum_int_exact = false;
    into.sum_int = 0;
  }
  if (!from.has_min_max) return;
  const bool first = !into.has_min_max;
  into.has_min_max = true;
  switch (type) {
    case ColumnType::kInt64:
    case ColumnType::kBool:
      into.min_int = first ? from.min_int : std::min(into.min_int, from.min_int);
      into.max_int = first ? from.max_int : std::max(into.max_int, from.max_int);
      return;
    case ColumnType::kFloat64:
      into.min_float = first ? from.min_float : std::min(into.min_float, from.min_float);
      into.max_float = first ? from.max_float : std::max(into.max_float, from.max_float);
      return;
    case ColumnType::kString:
      if (first || from.min_string < into.min_string) into.min_string = from.min_string;
      if (first || from.max_string > into.max_string) into.max_string = from.max_string;
      return;
  }
}

}  // namespace

std::optional<BlockStats> total_of(std::span<const BlockStats* const> blocks) {
  if (blocks.empty()) return std::nullopt;
  BlockStats total;
  total.min_time_ns = blocks.front()->min_time_ns;
  total.max_time_ns = blocks.front()->max_time_ns;
  // Into total.columns, by name (views of the blocks' names, which outlive the call).
  std::unordered_map<std::string_view, size_t> position;
  uint64_t rows_before = 0;  // rows of the blocks already added
  std::vector<uint8_t> seen;
  for (const BlockStats* block : blocks) {
    total.min_time_ns = std::min(total.min_time_ns, block->min_time_ns);
    total.max_time_ns = std::max(total.max_time_ns, block->max_time_ns);
    seen.assign(total.columns.size(), 0);
    for (size_t c = 0; c < block->columns.size(); ++c) {
      const std::string& name = block->column_names[c];
      const ColumnType type = block->column_types[c];
      auto [it, is_new] = position.try_emplace(name, total.columns.size());
      if (is_new) {
        total.column_names.push_back(name);
        total.column_types.push_back(type);
        ColumnStats& added = total.columns.emplace_back();
        added.null_count = rows_before;  // NULL in the blocks without it
        seen.push_back(0);
      } else if (total.column_types[it->second] != type) {
        return std::nullopt;
      }
      add_column(type, block->columns[c], total.columns[it->second]);
      seen[it->second] = 1;
    }
    for (size_t c = 0; c < seen.size(); ++c) {
      if (seen[c] == 0) total.columns[c].null_count += block->row_count;
    }
    rows_before += block->row_count;
  }
  total.row_count = rows_before;
  return total;
}

}  // namespace tessera::storage
