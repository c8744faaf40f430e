#include "bench/datagen/weighted_choice.h"

#include <algorithm>
#include <cassert>
#include <cmath>

namespace tessera::datagen {

std::vector<double> zipf_weights(size_t n, double exponent) {
  std::vector<double> weights(n);
  double total = 0;
  for (size_t i = 0; i < n; ++i) {
    weights[i] = 1.0 / std::pow(static_cast<double>(i + 1), exponent);
    total += weights[i];
  }
  for (double& w : weights) w /= total;
  return weights;
}

WeightedChoice::WeightedChoice(std::span<const double> weights) {
  assert(!weights.empty());
  double total = 0;
  for (double w : weights) total += w;
  assert(total > 0);
  cumulative_.reserve(weights.size());
  double running = 0;
  for (double w : weights) {
    running += w;
    cumulative_.push_back(running / total);
  }
  cumulative_.back() = 1.0;  // so rounding never lets u fall past the end
}

size_t WeightedChoice::index_of(double u) const {
  // First cumulative weight strictly above u.
  auto it = std::upper_bound(cumulative_.begin(), cumulative_.end(), u);
  if (it == cumulative_.end()) --it;
  return static_cast<size_t>(it - cumulative_.begin());
}

}  // namespace tessera::datagen
