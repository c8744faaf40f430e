#include "storage/codec/patched_frame_of_reference.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cstring>
#include <random>
#include <vector>

#include "storage/codec/codec_format.h"

namespace tessera::storage {
namespace {

struct Split {
  unsigned width;
  int64_t min;
  uint16_t exceptions;
};

Split header_of(const std::string& body) {
  Split split{};
  split.width = static_cast<uint8_t>(body[0]);
  uint64_t min = 0;
  std::memcpy(&min, body.data() + 1, 8);  // little-endian, as the machine
  split.min = static_cast<int64_t>(min);
  split.exceptions =
      static_cast<uint16_t>(static_cast<uint8_t>(body[9]) | static_cast<uint8_t>(body[10]) << 8);
  return split;
}

// The documented rule (docs/format/codecs.md, "patched_delta"), by trying every split
// of up to 64 outliers between the low and the high end of the fully sorted values:
// the fewest bits (count x width + 80 per outlier), the first split on ties.
Split reference_split(std::vector<int64_t> values) {
  const size_t n = values.size();
  std::sort(values.begin(), values.end());
  uint64_t best_bits = UINT64_MAX;
  size_t best_lo = 0, best_hi = 0;
  for (size_t lo = 0; lo <= kMaxPatchExceptions && lo < n; ++lo) {
    for (size_t hi = 0; lo + hi <= kMaxPatchExceptions && lo + hi < n; ++hi) {
      const uint64_t range =
          static_cast<uint64_t>(values[n - 1 - hi]) - static_cast<uint64_t>(values[lo]);
      const uint64_t bits = n * static_cast<unsigned>(std::bit_width(range)) + (lo + hi) * 80;
      if (bits < best_bits) {
        best_bits = bits;
        best_lo = lo;
        best_hi = hi;
      }
    }
  }
  const int64_t min = values[best_lo], max = values[n - 1 - best_hi];
  const auto outside =
      std::count_if(values.begin(), values.end(), [&](int64_t v) { return v < min || v > max; });
  return {static_cast<unsigned>(
              std::bit_width(static_cast<uint64_t>(max) - static_cast<uint64_t>(min))),
          min, static_cast<uint16_t>(outside)};
}

// Vectors with outliers at either end or both, in numbers around the limit of 64,
// and none: the encoder's split (it skips splits that cannot win) is the reference's.
TEST(PatchedFrameOfReferenceTest, ChoosesTheSplitTryingEverySplitWould) {
  const uint64_t seed = 5;
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937_64 rng(seed);
  for (int iteration = 0; iteration < 400; ++iteration) {
    SCOPED_TRACE("iteration " + std::to_string(iteration));
    std::vector<int64_t> values(1 + rng() % kMaxVectorValues);
    const uint64_t spread = uint64_t{1} << (rng() % 40);
    const size_t low_outliers = rng() % 90, high_outliers = rng() % 90;
    for (int64_t& v : values) v = static_cast<int64_t>(rng() % spread);
    for (size_t i = 0; i < low_outliers; ++i) {
      values[rng() % values.size()] = -static_cast<int64_t>(rng() % (spread << (rng() % 20)));
    }
    for (size_t i = 0; i < high_outliers; ++i) {
      values[rng() % values.size()] = static_cast<int64_t>(rng() >> (rng() % 64));
    }
    std::string body;
    append_patched_body(values, &body);
    const Split got = header_of(body), expected = reference_split(values);
    ASSERT_EQ(got.width, expected.width);
    ASSERT_EQ(got.min, expected.min);
    ASSERT_EQ(got.exceptions, expected.exceptions);
    std::vector<int64_t> decoded(values.size(), 7);
    ByteReader reader(body);
    ASSERT_TRUE(read_patched_body(&reader, "patched", decoded).is_ok());
    ASSERT_EQ(decoded, values);
  }
}

}  // namespace
}  // namespace tessera::storage
