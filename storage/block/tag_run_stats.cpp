#include "storage/block/tag_run_stats.h"

#include <algorithm>

namespace tessera::storage {

size_t TagRunStats::memory_bytes() const {
  size_t bytes = sizeof(TagRunStats) + run_starts.size() * sizeof(uint32_t) +
                 codes.size() * sizeof(uint32_t) + value_ids.size() * sizeof(uint32_t) +
                 value_counts.size() * sizeof(uint32_t) + float_sums.size() * sizeof(double) +
                 runs.size() * sizeof(ColumnStats);
  for (const std::string& s : dictionary) bytes += sizeof(std::string) + s.capacity();
  for (const ColumnStats& r : runs) {
    bytes += r.min_string.capacity() + r.max_string.capacity() + r.quantile_sketch.capacity();
  }
  return bytes;
}

Result<std::optional<TagRunStats>> compute_tag_run_stats(const Column& tag, const Column* value,
                                                         size_t min_average_run) {
  const size_t n = tag.codes.size();
  if (tag.type != ColumnType::kString || (!tag.valid.empty() && tag.valid.size() != n) ||
      (value != nullptr && value->size() != n) ||
      (value != nullptr && !value->valid.empty() && value->valid.size() != n)) {
    return make_error(ErrorCode::kCorruption, "tag run statistics: columns do not match");
  }
  const uint32_t dictionary_size = static_cast<uint32_t>(tag.dictionary.size());
  auto code_at = [&](size_t row) {
    return tag.is_valid(row) ? tag.codes[row] : TagRunStats::kNullCode;
  };
  // Runs are counted before anything is copied: a block of short runs gives up early.
  const size_t max_runs = std::max<size_t>(1, n / std::max<size_t>(min_average_run, 1));
  TagRunStats out;
  for (size_t row = 0; row < n; ++row) {
    const uint32_t code = code_at(row);
    if (code != TagRunStats::kNullCode && code >= dictionary_size) {
      return make_error(ErrorCode::kCorruption, "tag run statistics: code out of range");
    }
    if (row == 0 || code != out.codes.back()) {
      if (out.codes.size() == max_runs) return std::optional<TagRunStats>();
      out.run_starts.push_back(static_cast<uint32_t>(row));
      out.codes.push_back(code);
    }
  }
  out.run_starts.push_back(static_cast<uint32_t>(n));
  out.dictionary = tag.dictionary;
  if (value != nullptr) {
    const bool is_float = value->type == ColumnType::kFloat64;
    out.runs.reserve(out.codes.size());
    out.value_counts.reserve(out.codes.size());
    if (is_float) out.float_sums.reserve(out.codes.size());
    for (size_t r = 0; r < out.codes.size(); ++r) {
      const ColumnStats& run =
          out.runs.emplace_back(stats_of(*value, out.run_starts[r], out.run_starts[r + 1]));
      out.int_sums_exact = out.int_sums_exact && run.sum_int_exact;
      out.value_counts.push_back(out.run_starts[r + 1] - out.run_starts[r] -
                                 static_cast<uint32_t>(run.null_count));
      if (is_float) out.float_sums.push_back(run.sum_float);
    }
  }
  return std::optional<TagRunStats>(std::move(out));
}

}  // namespace tessera::storage
