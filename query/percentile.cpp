#include "query/percentile.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <limits>

namespace tessera::query {
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

  // PostgreSQL's float8 order puts NaN above every number: one pass moves the NaNs
  // to the end, so that the selection among the numbers can use the plain
  // comparison (branch-free, and -0.0 equal to 0.0 as in PostgreSQL).
  const auto numbers_end =
      std::partition(values.begin(), values.end(), [](double v) { return !std::isnan(v); });
  const auto numbers = static_cast<size_t>(numbers_end - values.begin());
  if (first >= numbers) return std::numeric_limits<double>::quiet_NaN();
  const auto first_it = values.begin() + static_cast<std::ptrdiff_t>(first);
  std::nth_element(values.begin(), first_it, numbers_end);
  const double lo = *first_it;
  if (second == first) return lo;

  // After nth_element every number right of `first` is >= lo, so the next row in
  // sorted order is the least of them, or a NaN when there is none.
  const double hi = second >= numbers ? std::numeric_limits<double>::quiet_NaN()
                                      : *std::min_element(first_it + 1, numbers_end);
  // float8_lerp: lo + (proportion * (hi - lo)), proportion = pos - first_row.
  const double proportion = pos - first_pos;
  return lo + (proportion * (hi - lo));
}

}  // namespace tessera::query
