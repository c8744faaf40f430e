// Discrete sampling for the workload: Zipf-like weights and a picker that maps
// a uniform draw to an index by cumulative weight.
#pragma once

#include <cstddef>
#include <span>
#include <vector>

#include "bench/datagen/random.h"

namespace tessera::datagen {

// Normalized weights 1 / (i + 1)^exponent for i in [0, n): index 0 is largest.
std::vector<double> zipf_weights(size_t n, double exponent);

// Picks index i with probability weights[i] / sum(weights). Construction is
// O(n), each pick O(log n). Weights need not be normalized. Requires: at least
// one weight, all >= 0, a positive sum.
class WeightedChoice {
 public:
  explicit WeightedChoice(std::span<const double> weights);
  size_t pick(Rng& rng) const { return index_of(rng.uniform()); }
  // The index for a uniform value u in [0, 1).
  size_t index_of(double u) const;
  size_t size() const { return cumulative_.size(); }

 private:
  std::vector<double> cumulative_;  // normalized running sums; last is 1
};

}  // namespace tessera::datagen
