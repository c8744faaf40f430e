// Column and Block: the in-memory columnar form of rows, shared by every layer.
// A Block holds the rows of one table and one partition: a time column plus named
// typed columns of equal length. Strings (tags and string fields) are dictionary
// codes into a per-column dictionary. A Block is immutable once published.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tessera::storage {

// Stable on-disk ids: never renumber.
enum class ColumnType : uint8_t {
  kInt64 = 1,
  kFloat64 = 2,
  kBool = 3,
  kString = 4,
};

std::string_view column_type_name(ColumnType type);

struct Column {
  ColumnType type = ColumnType::kInt64;
  // Exactly one of these holds the values, per `type`; a NULL row holds 0 / "" there.
  std::vector<int64_t> ints;            // kInt64
  std::vector<double> floats;           // kFloat64
  std::vector<uint8_t> bools;           // kBool: 0 or 1
  std::vector<uint32_t> codes;          // kString: index into `dictionary`
  std::vector<std::string> dictionary;  // kString: distinct values
  // valid[i] == 1 when row i has a value. Empty means every row has one.
  std::vector<uint8_t> valid;

  size_t size() const;
  bool is_valid(size_t row) const { return valid.empty() || valid[row] != 0; }
  bool has_nulls() const;
  std::string_view string_at(size_t row) const { return dictionary[codes[row]]; }
};

struct Block {
  std::vector<int64_t> time_ns;
  std::vector<std::string> column_names;  // parallel to `columns`
  std::vector<Column> columns;

  size_t row_count() const { return time_ns.size(); }
  // The column named `name`, or nullptr when this block has none (all NULL).
  const Column* find(std::string_view name) const;
};

// Summary of one column of one block, kept in segment footers so that queries can
// prune and answer some aggregates without decoding.
struct ColumnStats {
  uint64_t null_count = 0;
  bool has_min_max = false;             // false when every value is NULL
  int64_t min_int = 0, max_int = 0;     // kInt64, kBool
  double min_float = 0, max_float = 0;  // kFloat64 (NaN values are not counted)
  std::string min_string, max_string;   // kString, by bytes
  // The sum of the non-NULL values, which lets `sum` skip decoding. kInt64 and
  // kBool: sum_int, meaningful only when sum_int_exact (false after an int64
  // overflow). kFloat64: sum_float, added in row order (NaN and ±inf included).
  // has_sum is false when the sums are unknown (read from a version-1 segment
  // footer, which does not store them): callers must then decode the values.
  // compute_stats always knows them.
  bool has_sum = true;
  bool sum_int_exact = true;
  int64_t sum_int = 0;
  double sum_float = 0;
  // kFloat64 in segment footers: the serialized QuantileSketch of the non-NULL
  // values, which approx_percentile merges instead of decoding. Empty when not
  // stored (other types, in-memory blocks, files written before it existed). Read
  // from disk unchecked: QuantileSketch::deserialize validates it where it is used.
  std::string quantile_sketch;
};

struct BlockStats {
  uint64_t row_count = 0;
  int64_t min_time_ns = 0, max_time_ns = 0;
  std::vector<std::string> column_names;  // parallel to `columns`
  std::vector<ColumnType> column_types;
  std::vector<ColumnStats> columns;

  // Index of the column named `name`, or -1. `hint`: a position to try first
  // (callers pass the one found in the previous block; blocks of a table mostly
  // share a column layout), any value.
  int find(std::string_view name, int hint = -1) const;
};

BlockStats compute_stats(const Block& block);
// The statistics of rows [begin, end) of `column` (no quantile sketch), as
// compute_stats gives them for a whole column. Requires: end <= column.size().
ColumnStats stats_of(const Column& column, size_t begin, size_t end);
// The statistics of the rows of `column` where live[row] != 0 (read-time dedup's
// live rows), as stats_of gives them for those rows alone.
// Requires: live.size() == column.size().
ColumnStats stats_of_live(const Column& column, std::span<const uint8_t> live);
// The smallest and largest of `values`, in one pass the compiler vectorises
// (std::minmax_element's iterator bookkeeping keeps it scalar): a block's time
// range, computed at every flush and checked at every read. Requires: non-empty.
std::pair<int64_t, int64_t> min_max(std::span<const int64_t> values);
// Fills ColumnStats::quantile_sketch of every float column of `stats`, which
// compute_stats(block) returned. Kept apart because it costs a logarithm per value:
// segment files pay it once, in-memory blocks skip it.
void add_quantile_sketches(const Block& block, BlockStats* stats);

}  // namespace tessera::storage
