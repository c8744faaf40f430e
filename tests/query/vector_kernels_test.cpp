#include "query/vector_kernels.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

namespace tessera::query::detail {
namespace {

TEST(VectorKernelsTest, SumsEqualAScalarSumAtEveryLengthAroundTheLaneWidth) {
  std::mt19937_64 rng(7);
  for (size_t n = 0; n <= 70; ++n) {
    SCOPED_TRACE("n = " + std::to_string(n));
    std::vector<double> values(n);
    // Multiples of 1/4 below 2^20: every partial sum is exact, so order cannot matter.
    double expected = 0;
    for (double& v : values) {
      v = static_cast<double>(static_cast<int64_t>(rng() % (1 << 22)) - (1 << 21)) / 4.0;
      expected += v;
    }
    EXPECT_EQ(sum_doubles(values), expected);
  }
}

TEST(VectorKernelsTest, SumPropagatesNaNAndInfinity) {
  std::vector<double> values(13, 1.0);
  values[11] = INFINITY;
  EXPECT_EQ(sum_doubles(values), INFINITY);
  values[3] = -INFINITY;
  EXPECT_TRUE(std::isnan(sum_doubles(values)));
  values.assign(9, 2.0);
  values[8] = std::nan("");
  EXPECT_TRUE(std::isnan(sum_doubles(values)));
}

TEST(VectorKernelsTest, CountsNonZeroBytes) {
  std::vector<uint8_t> bytes(77, 0);
  EXPECT_EQ(count_nonzero(bytes), 0u);
  EXPECT_FALSE(all_nonzero(bytes));
  size_t expected = 0;
  for (size_t i = 0; i < bytes.size(); i += 3) {
    bytes[i] = static_cast<uint8_t>(i + 1);  // 1..76, never 0
    ++expected;
  }
  EXPECT_EQ(count_nonzero(bytes), expected);
  bytes.assign(40, 1);
  EXPECT_TRUE(all_nonzero(bytes));
  EXPECT_TRUE(all_nonzero({}));
}

}  // namespace
}  // namespace tessera::query::detail
