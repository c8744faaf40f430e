// PostgreSQL's order of doubles, which the query layer's comparisons, min/max,
// sla_pct and percentiles share with the sorted run values of blocks
// (sorted_run_values.h): NaN equals NaN and sorts above every number. Written
// without branches so that loops using them vectorise.
#pragma once

#include <cmath>

namespace tessera::storage {

inline bool float_order_less(double x, double y) {
  return (!std::isnan(x)) & (std::isnan(y) | (x < y));
}

inline bool float_order_equal(double x, double y) {
  return (std::isnan(x) & std::isnan(y)) | (x == y);
}

inline bool float_order_at_most(double x, double y) {
  return float_order_less(x, y) | float_order_equal(x, y);
}

}  // namespace tessera::storage
