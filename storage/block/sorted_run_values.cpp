#include "storage/block/sorted_run_values.h"

#include <algorithm>
#include <cmath>

namespace tessera::storage {
namespace {

// PostgreSQL's order of doubles (query/float_order.h has the query layer's copy).
bool pg_less(double x, double y) { return !std::isnan(x) && (std::isnan(y) || x < y); }

}  // namespace

size_t SortedRunValues::memory_bytes() const {
  return sizeof(SortedRunValues) + run_starts.capacity() * sizeof(uint32_t) +
         value_starts.capacity() * sizeof(uint32_t) + values.capacity() * sizeof(double);
}

Result<std::optional<SortedRunValues>> compute_sorted_run_values(
    std::span<const Column* const> tags, const Column& value, size_t min_average_run) {
  const size_t n = value.size();
  if (value.type != ColumnType::kFloat64) {
    return make_error(ErrorCode::kInvalidInput, "sorted run values: not a float column");
  }
  if (!value.valid.empty() && value.valid.size() != n) {
    return make_error(ErrorCode::kCorruption, "sorted run values: columns do not match");
  }
  for (const Column* tag : tags) {
    if (tag->type != ColumnType::kString) {
      return make_error(ErrorCode::kInvalidInput, "sorted run values: a tag is not a string");
    }
    if (tag->codes.size() != n || (!tag->valid.empty() && tag->valid.size() != n)) {
      return make_error(ErrorCode::kCorruption, "sorted run values: columns do not match");
    }
  }
  auto same_as_previous = [&](size_t row) {
    for (const Column* tag : tags) {
      const bool valid = tag->is_valid(row);
      if (valid != tag->is_valid(row - 1) || (valid && tag->codes[row] != tag->codes[row - 1])) {
        return false;
      }
    }
    return true;
  };
  // Runs are counted before anything is copied: a block of short runs gives up early.
  const size_t max_runs = std::max<size_t>(1, n / std::max<size_t>(min_average_run, 1));
  SortedRunValues out;
  for (size_t row = 0; row < n; ++row) {
    if (row > 0 && same_as_previous(row)) continue;
    if (out.run_starts.size() == max_runs) return std::optional<SortedRunValues>();
    out.run_starts.push_back(static_cast<uint32_t>(row));
  }
  out.run_starts.push_back(static_cast<uint32_t>(n));
  const size_t null_count =
      static_cast<size_t>(std::count(value.valid.begin(), value.valid.end(), uint8_t{0}));
  out.values.reserve(n - null_count);
  out.value_starts.reserve(out.run_starts.size());
  for (size_t r = 0; r + 1 < out.run_starts.size(); ++r) {
    const size_t begin = out.values.size();
    out.value_starts.push_back(static_cast<uint32_t>(begin));
    for (size_t row = out.run_starts[r]; row < out.run_starts[r + 1]; ++row) {
      if (value.is_valid(row)) out.values.push_back(value.floats[row]);
    }
    std::sort(out.values.begin() + static_cast<std::ptrdiff_t>(begin), out.values.end(), pg_less);
  }
  out.value_starts.push_back(static_cast<uint32_t>(out.values.size()));
  return std::optional<SortedRunValues>(std::move(out));
}

}  // namespace tessera::storage
