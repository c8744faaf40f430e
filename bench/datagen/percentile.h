// percentile_cont as PostgreSQL defines it: linear interpolation between the
// two sorted values around position p * (n - 1). Local to datagen because the
// generator must not depend on the query layer.
#pragma once

#include <cmath>
#include <cstddef>
#include <optional>
#include <span>

namespace tessera::datagen {

// Requires: `sorted` ascending, 0 <= p <= 1. Empty input has no percentile.
inline std::optional<double> percentile_cont(std::span<const double> sorted, double p) {
  if (sorted.empty()) return std::nullopt;
  const double pos = p * static_cast<double>(sorted.size() - 1);
  const auto lo = static_cast<size_t>(std::floor(pos));
  const size_t hi = lo + 1 < sorted.size() ? lo + 1 : sorted.size() - 1;
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - static_cast<double>(lo));
}

}  // namespace tessera::datagen
