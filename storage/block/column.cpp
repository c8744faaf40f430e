#include "storage/block/column.h"

#include <algorithm>
#include <cmath>
#include <tuple>

#include "storage/block/quantile_sketch.h"

namespace tessera::storage {

std::string_view column_type_name(ColumnType type) {
  switch (type) {
    case ColumnType::kInt64:
      return "INT";
    case ColumnType::kFloat64:
      return "FLOAT";
    case ColumnType::kBool:
      return "BOOL";
    case ColumnType::kString:
      return "STRING";
  }
  return "UNKNOWN";
}

size_t Column::size() const {
  switch (type) {
    case ColumnType::kInt64:
      return ints.size();
    case ColumnType::kFloat64:
      return floats.size();
    case ColumnType::kBool:
      return bools.size();
    case ColumnType::kString:
      return codes.size();
  }
  return 0;
}

bool Column::has_nulls() const {
  return std::find(valid.begin(), valid.end(), uint8_t{0}) != valid.end();
}

const Column* Block::find(std::string_view name) const {
  for (size_t i = 0; i < column_names.size(); ++i) {
    if (column_names[i] == name) return &columns[i];
  }
  return nullptr;
}

int BlockStats::find(std::string_view name, int hint) const {
  if (hint >= 0 && static_cast<size_t>(hint) < column_names.size() &&
      column_names[static_cast<size_t>(hint)] == name) {
    return hint;
  }
  for (size_t i = 0; i < column_names.size(); ++i) {
    if (column_names[i] == name) return static_cast<int>(i);
  }
  return -1;
}

// One pass per type, over the valid rows. Strings take their bounds from the
// dictionary entries the valid rows use: one comparison per distinct value, not two
// per row.
namespace {

// The statistics of the rows of `column` that `for_each_row(visit)` passes to `visit`.
template <typename ForEachRow>
ColumnStats stats_of_rows(const Column& column, ForEachRow&& for_each_row) {
  ColumnStats stats;
  auto for_valid_rows = [&](auto&& visit) {
    for_each_row([&](size_t row) {
      if (column.is_valid(row)) {
        visit(row);
      } else {
        ++stats.null_count;
      }
    });
  };
  switch (column.type) {
    case ColumnType::kInt64:
    case ColumnType::kBool:
      for_valid_rows([&](size_t row) {
        int64_t v = column.type == ColumnType::kInt64 ? column.ints[row] : column.bools[row];
        if (stats.sum_int_exact && __builtin_add_overflow(stats.sum_int, v, &stats.sum_int)) {
          stats.sum_int_exact = false;
          stats.sum_int = 0;
        }
        if (!stats.has_min_max) {
          stats.min_int = stats.max_int = v;
        } else {
          stats.min_int = std::min(stats.min_int, v);
          stats.max_int = std::max(stats.max_int, v);
        }
        stats.has_min_max = true;
      });
      break;
    case ColumnType::kFloat64:
      for_valid_rows([&](size_t row) {
        double v = column.floats[row];
        stats.sum_float += v;
        if (std::isnan(v)) return;
        if (!stats.has_min_max) {
          stats.min_float = stats.max_float = v;
        } else {
          stats.min_float = std::min(stats.min_float, v);
          stats.max_float = std::max(stats.max_float, v);
        }
        stats.has_min_max = true;
      });
      break;
    case ColumnType::kString: {
      std::vector<uint8_t> is_used(column.dictionary.size(), 0);
      for_valid_rows([&](size_t row) { is_used[column.codes[row]] = 1; });
      const std::string* min = nullptr;
      const std::string* max = nullptr;
      for (size_t code = 0; code < is_used.size(); ++code) {
        if (is_used[code] == 0) continue;
        const std::string& v = column.dictionary[code];
        if (min == nullptr || v < *min) min = &v;
        if (max == nullptr || v > *max) max = &v;
      }
      if (min != nullptr) {
        stats.min_string = *min;
        stats.max_string = *max;
        stats.has_min_max = true;
      }
      break;
    }
  }
  return stats;
}

}  // namespace

ColumnStats stats_of(const Column& column, size_t begin, size_t end) {
  return stats_of_rows(column, [&](auto&& visit) {
    for (size_t row = begin; row < end; ++row) visit(row);
  });
}

ColumnStats stats_of_live(const Column& column, std::span<const uint8_t> live) {
  return stats_of_rows(column, [&](auto&& visit) {
    for (size_t row = 0; row < live.size(); ++row) {
      if (live[row] != 0) visit(row);
    }
  });
}

std::pair<int64_t, int64_t> min_max(std::span<const int64_t> values) {
  int64_t lo = values[0];
  int64_t hi = values[0];
  for (const int64_t v : values) {
    lo = v < lo ? v : lo;
    hi = v > hi ? v : hi;
  }
  return {lo, hi};
}

BlockStats compute_stats(const Block& block) {
  BlockStats stats;
  stats.row_count = block.row_count();
  if (!block.time_ns.empty()) {
    std::tie(stats.min_time_ns, stats.max_time_ns) = min_max(block.time_ns);
  }
  stats.column_names = block.column_names;
  for (const Column& column : block.columns) {
    stats.column_types.push_back(column.type);
    stats.columns.push_back(stats_of(column, 0, column.size()));
  }
  return stats;
}

void add_quantile_sketches(const Block& block, BlockStats* stats) {
  for (size_t c = 0; c < block.columns.size(); ++c) {
    const Column& column = block.columns[c];
    if (column.type != ColumnType::kFloat64) continue;
    QuantileSketch sketch;
    for (size_t row = 0; row < column.floats.size(); ++row) {
      if (column.is_valid(row)) sketch.add(column.floats[row]);
    }
    stats->columns[c].quantile_sketch = sketch.serialize();
  }
}

}  // namespace tessera::storage
