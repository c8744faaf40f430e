// Internal to query/ (aggregation). Reductions over a whole vector of one group,
// the common case once blocks are sorted by series and partitioned by day: every
// selected row of a block falls in the same group, so sum/count/min/max reduce the
// vector with AVX2 lanes instead of scattering row by row into per-group slots.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace tessera::query::detail {

// The sum of `values` in lane order (four partial sums, then added), which can
// differ from row order in the last bits, as PostgreSQL's parallel sums do.
double sum_doubles(std::span<const double> values);

// sum_doubles over the rows where valid[i] and keep[i] are non-zero (a null
// array: every row), and how many rows those are. With every row kept it
// returns exactly sum_doubles' sum.
struct SumCount {
  double sum = 0;
  int64_t count = 0;
};
SumCount sum_doubles_where(const double* values, const uint8_t* valid, const uint8_t* keep,
                           size_t n);

// An exact integer sum as add_with_carry keeps one (aggregate.cpp): `sum` wrapped
// modulo 2^64 as an int64, and `carry` the multiples of 2^64 it wrapped by, so
// that the true total is sum + carry * 2^64.
struct WrappedSum {
  int64_t sum = 0;
  int64_t carry = 0;
};
// The exact sum of `values`, in loops the compiler vectorises (no overflow test
// per value). Requires: values.size() < 2^32.
WrappedSum sum_int64(std::span<const int64_t> values);

// The number of non-zero bytes.
size_t count_nonzero(std::span<const uint8_t> bytes);

// sla_pct over a run of rows of one group: how many have a value (valid[i] != 0;
// all when `valid` is null) and how many of those are at most `target`, in
// PostgreSQL's order (NaN above every number). The int-column, float-target form
// compares each value as a double, as comparisons of mixed types do.
struct AtMostCounts {
  int64_t with_value = 0;
  int64_t at_most = 0;
};
AtMostCounts count_at_most(const double* values, const uint8_t* valid, size_t n, double target);
AtMostCounts count_at_most(const int64_t* values, const uint8_t* valid, size_t n, double target);
AtMostCounts count_at_most(const int64_t* values, const uint8_t* valid, size_t n, int64_t target);

// The rows where keep[i] != 0 as ranges, flattened: begin0, end0, begin1, end1, ...
// in row order, each range as long as it runs. Nullopt when there are more than
// `max_ranges` (a FILTER too scattered to be read range by range).
std::optional<std::vector<uint32_t>> kept_ranges(std::span<const uint8_t> keep, size_t max_ranges);

// True when every byte is non-zero (every row has a value).
inline bool all_nonzero(std::span<const uint8_t> bytes) {
  return count_nonzero(bytes) == bytes.size();
}

}  // namespace tessera::query::detail
