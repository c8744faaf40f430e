#include "query/vector_kernels.h"

#include <xsimd/xsimd.hpp>

namespace tessera::query::detail {
namespace {

using DoubleBatch = xsimd::batch<double, xsimd::avx2>;

}  // namespace

double sum_doubles(std::span<const double> values) {
  constexpr size_t kLanes = DoubleBatch::size;
  // Two independent accumulators hide the latency of the vector add.
  DoubleBatch acc0(0.0), acc1(0.0);
  size_t i = 0;
  for (; i + 2 * kLanes <= values.size(); i += 2 * kLanes) {
    acc0 += DoubleBatch::load_unaligned(values.data() + i);
    acc1 += DoubleBatch::load_unaligned(values.data() + i + kLanes);
  }
  double sum = xsimd::hadd(acc0 + acc1);
  for (; i < values.size(); ++i) sum += values[i];
  return sum;
}

size_t count_nonzero(std::span<const uint8_t> bytes) {
  // Integer adds are associative, so the compiler vectorizes this loop itself.
  size_t count = 0;
  for (const uint8_t b : bytes) count += b != 0;
  return count;
}

}  // namespace tessera::query::detail
