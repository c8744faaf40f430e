#include "bench/datagen/random.h"

#include <cmath>
#include <numbers>

namespace tessera::datagen {

uint64_t splitmix64(uint64_t& state) {
  state += 0x9e3779b97f4a7c15ULL;
  uint64_t z = state;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

uint64_t stream_seed(uint64_t seed, std::string_view name, uint64_t index) {
  // FNV-1a over the name, then splitmix64 to spread seed, name and index.
  uint64_t h = 0xcbf29ce484222325ULL;
  for (char c : name) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ULL;
  }
  uint64_t state = seed;
  uint64_t a = splitmix64(state);
  state ^= h;
  uint64_t b = splitmix64(state);
  state ^= index * 0xd6e8feb86659fd93ULL;
  uint64_t c = splitmix64(state);
  return a ^ (b << 1) ^ (c << 2) ^ c;
}

Rng::Rng(uint64_t seed) {
  uint64_t state = seed;
  for (uint64_t& word : s_) word = splitmix64(state);
}

static inline uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

uint64_t Rng::next_u64() {
  const uint64_t result = rotl(s_[1] * 5, 7) * 9;
  const uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = rotl(s_[3], 45);
  return result;
}

double Rng::uniform() { return static_cast<double>(next_u64() >> 11) * 0x1.0p-53; }

uint64_t Rng::below(uint64_t n) {
  // Scaling a 53-bit uniform: the bias is far below anything a workload shows.
  const auto v = static_cast<uint64_t>(uniform() * static_cast<double>(n));
  return v < n ? v : n - 1;
}

double Rng::normal(double mean, double stddev) {
  // 1 - uniform() lies in (0, 1], so the log is finite.
  const double u1 = 1.0 - uniform();
  const double u2 = uniform();
  const double z = std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
  return mean + stddev * z;
}

double Rng::lognormal(double median, double sigma) {
  return std::exp(normal(std::log(median), sigma));
}

}  // namespace tessera::datagen
