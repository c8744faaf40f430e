#include "query/percentile.h"

#include <algorithm>
#include <cassert>
#include <cmath>

namespace tessera::query {
namespace {

// PostgreSQL's float8 sort order: NaN is greater than everything and equal to itself.
bool pg_float8_less(double a, double b) {
  if (std::isnan(a)) return false;
  if (std::isnan(b)) return true;
  return a < b;
}

}  // namespace

std::optional<double> percentile_cont(std::span<double> values, double p) {
  assert(p >= 0.0 && p <= 1.0);
  if (values.empty()) return std::nullopt;

  // Same expressions as percentile_cont_float8_final: the row count minus one is
  // converted to double before the multiply, and floor/ceil pick the two rows.
  const double pos = p * static_cast<double>(values.size() - 1);
  const double first_pos = std::floor(pos);
  const double second_pos = std::ceil(pos);
  const auto first = static_cast<size_t>(first_pos);
  const auto second = static_cast<size_t>(second_pos);

  const auto first_it = values.begin() + static_cast<std::ptrdiff_t>(first);
  std::nth_element(values.begin(), first_it, values.end(), pg_float8_less);
  const double lo = *first_it;
  if (second == first) return lo;

  // After nth_element everything right of `first` is >= lo, so the next row in
  // sorted order is the minimum of that part.
  const double hi = *std::min_element(first_it + 1, values.end(), pg_float8_less);
  // float8_lerp: lo + (proportion * (hi - lo)), proportion = pos - first_row.
  const double proportion = pos - first_pos;
  return lo + (proportion * (hi - lo));
}

}  // namespace tessera::query
