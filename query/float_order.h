// Internal to query/. PostgreSQL's order of doubles, which comparisons, min/max
// and sla_pct share: NaN equals NaN and sorts above every number. Written without
// branches so that loops using them vectorise.
#pragma once

#include <cmath>

namespace tessera::query::detail {

inline bool float_order_less(double x, double y) {
  return (!std::isnan(x)) & (std::isnan(y) | (x < y));
}

inline bool float_order_equal(double x, double y) {
  return (std::isnan(x) & std::isnan(y)) | (x == y);
}

inline bool float_order_at_most(double x, double y) {
  return float_order_less(x, y) | float_order_equal(x, y);
}

}  // namespace tessera::query::detail
