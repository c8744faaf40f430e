// Exact percentiles with PostgreSQL `percentile_cont` semantics, for the
// `percentile(f, p)` and `median(f)` aggregates.
#pragma once

#include <optional>
#include <span>

namespace tessera::query {

// PostgreSQL `percentile_cont(p) WITHIN GROUP (ORDER BY x)`: linear interpolation
// between the sorted values at rows floor(p*(n-1)) and ceil(p*(n-1)), computed
// with PostgreSQL's formula and operation order (orderedsetaggs.c), so results
// match it bit for bit:
//   pos = p * (n - 1); first = floor(pos); second = ceil(pos)
//   result = first == second ? lo : lo + (pos - first) * (hi - lo)
//
// NaN sorts above every number, +inf included, as in PostgreSQL's float8 order;
// so a NaN at row `first` or `second` makes the result NaN. -0.0 and 0.0 compare
// equal, so which of them is returned when both are present is unspecified.
//
// Overwrites `values`, its working space (a radix selection, O(n), no sort and no
// second buffer): the caller discards them afterwards.
// Returns nullopt when `values` is empty.
// Requires: 0 <= p <= 1 (callers validate the SQL argument and report kInvalidInput).
std::optional<double> percentile_cont(std::span<double> values, double p);

// The same for each of `fractions` over one set of values (median and p95 of one
// column): the values are turned into sortable keys once, and each fraction but
// the last selects in a copy of them. out[i] is percentile_cont(values, fractions[i]).
// Requires: `out` has fractions.size() entries.
void percentile_cont(std::span<double> values, std::span<const double> fractions,
                     std::span<std::optional<double>> out);

namespace detail {

// The two rows of n sorted values that percentile_cont(p) reads, and the weight of
// the second, computed as PostgreSQL's percentile_cont_float8_final computes them.
struct PercentileRows {
  size_t first = 0;
  size_t second = 0;
  double proportion = 0;
};
// Requires: n > 0, 0 <= p <= 1.
PercentileRows percentile_rows(size_t n, double p);
// float8_lerp: lo + (proportion * (hi - lo)), or lo alone when the rows are one.
double interpolate(const PercentileRows& rows, double lo, double hi);

}  // namespace detail

}  // namespace tessera::query
