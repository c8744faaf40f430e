#include "storage/block/sorted_run_values.h"

#include <algorithm>

#include "storage/block/float_order.h"

namespace tessera::storage {

size_t SortedRunValues::memory_bytes() const {
  return sizeof(SortedRunValues) +
         (run_starts.capacity() + value_starts.capacity() + fence_starts.capacity()) *
             sizeof(uint32_t) +
         (values.capacity() + fences.capacity() + run_sums.capacity()) * sizeof(double);
}

size_t SortedRunValues::count_at_most(size_t r, double target) const {
  const double* fence = fences.data() + fence_starts[r];
  const size_t fence_count = fence_starts[r + 1] - fence_starts[r];
  // Fences [0, f) are at most the target: the last value that is lies in the
  // stride after fence f - 1.
  const size_t f = static_cast<size_t>(
      std::upper_bound(fence, fence + fence_count, target, float_order_less) - fence);
  if (f == 0) return 0;
  const std::span<const double> run = run_values(r);
  const size_t begin = (f - 1) * kFenceStride;
  const size_t end = std::min(begin + kFenceStride, run.size());
  return static_cast<size_t>(std::upper_bound(run.begin() + static_cast<std::ptrdiff_t>(begin),
                                              run.begin() + static_cast<std::ptrdiff_t>(end),
                                              target, float_order_less) -
                             run.begin());
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
  out.run_sums.reserve(out.run_starts.size() - 1);
  out.fence_starts.reserve(out.run_starts.size());
  out.fences.reserve((n - null_count) / SortedRunValues::kFenceStride + out.run_starts.size());
  for (size_t r = 0; r + 1 < out.run_starts.size(); ++r) {
    const size_t begin = out.values.size();
    out.value_starts.push_back(static_cast<uint32_t>(begin));
    double sum = 0;
    for (size_t row = out.run_starts[r]; row < out.run_starts[r + 1]; ++row) {
      if (value.is_valid(row)) {
        out.values.push_back(value.floats[row]);
        sum += value.floats[row];
      }
    }
    out.run_sums.push_back(sum);
    std::sort(out.values.begin() + static_cast<std::ptrdiff_t>(begin), out.values.end(),
              float_order_less);
    out.fence_starts.push_back(static_cast<uint32_t>(out.fences.size()));
    for (size_t v = begin; v < out.values.size(); v += SortedRunValues::kFenceStride) {
      out.fences.push_back(out.values[v]);
    }
  }
  out.value_starts.push_back(static_cast<uint32_t>(out.values.size()));
  out.fence_starts.push_back(static_cast<uint32_t>(out.fences.size()));
  return std::optional<SortedRunValues>(std::move(out));
}

}  // namespace tessera::storage
