// Rng: the generator's own pseudo-random source and continuous samplers.
// Everything here is defined bit for bit by this code (xoshiro256** seeded by
// splitmix64, Box-Muller normals), unlike std::*_distribution whose output is
// implementation-defined; so a seed gives the same workload on every platform
// whose libm computes exp/log/cos identically (glibc does).
#pragma once

#include <cstdint>
#include <string_view>

namespace tessera::datagen {

// One step of splitmix64 on `state`: advances it and returns the mixed output.
uint64_t splitmix64(uint64_t& state);

// A seed for an independent stream named by (seed, name, index), e.g.
// (42, "ad", day 3). Streams per (table, day) keep each day's rows a function
// of the options alone, whatever order or thread generates them.
uint64_t stream_seed(uint64_t seed, std::string_view name, uint64_t index);

class Rng {
 public:
  explicit Rng(uint64_t seed);

  uint64_t next_u64();
  // Uniform in [0, 1) with 53 random bits.
  double uniform();
  // Uniform integer in [0, n). Requires: n > 0.
  uint64_t below(uint64_t n);
  // Standard normal scaled: mean + stddev * N(0, 1) (Box-Muller, one draw per call).
  double normal(double mean, double stddev);
  // exp(normal(log(median), sigma)): log-normal with the given median.
  double lognormal(double median, double sigma);

 private:
  uint64_t s_[4];
};

}  // namespace tessera::datagen
