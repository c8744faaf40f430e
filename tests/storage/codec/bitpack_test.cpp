#include "storage/codec/bitpack.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <vector>

#include "tests/storage/codec/codec_test_support.h"

namespace tessera::storage {
namespace {

using codec_test::hex;

uint64_t mask_of(unsigned width) { return width == 64 ? ~uint64_t{0} : (uint64_t{1} << width) - 1; }

std::vector<uint64_t> random_values(std::mt19937_64* rng, size_t n, unsigned width) {
  std::vector<uint64_t> values(n);
  for (auto& v : values) v = (*rng)() & mask_of(width);
  return values;
}

TEST(BitpackTest, SizeIsWholeLaneWordRows) {
  EXPECT_EQ(bitpack_bytes(0, 17), 0u);
  EXPECT_EQ(bitpack_bytes(1024, 0), 0u);
  EXPECT_EQ(bitpack_bytes(1024, 1), 128u);    // 1024 bits
  EXPECT_EQ(bitpack_bytes(1024, 13), 1664u);  // 1024 * 13 / 8
  EXPECT_EQ(bitpack_bytes(1024, 64), 8192u);
  EXPECT_EQ(bitpack_bytes(1, 1), 32u);    // one row of 4 lane words
  EXPECT_EQ(bitpack_bytes(5, 64), 64u);   // 2 rows of 64-bit values
  EXPECT_EQ(bitpack_bytes(256, 1), 32u);  // 64 rows of 1 bit: one word per lane
  EXPECT_EQ(bitpack_bytes(257, 1), 64u);  // 65 rows: a second word per lane
}

TEST(BitpackTest, WidthIsBitsOfValue) {
  EXPECT_EQ(bitpack_width(0), 0u);
  EXPECT_EQ(bitpack_width(1), 1u);
  EXPECT_EQ(bitpack_width(255), 8u);
  EXPECT_EQ(bitpack_width(256), 9u);
  EXPECT_EQ(bitpack_width(~uint64_t{0}), 64u);
}

// docs/format/codecs.md, "Bit-packed array": {1, 2, 3, 4, 5} at width 3.
// Lane 0 holds values 0 and 4: 1 | 5 << 3 = 0x29; lanes 1..3 hold 2, 3, 4.
TEST(BitpackTest, PacksTheDocumentedExample) {
  std::string out;
  bitpack_pack(std::vector<uint64_t>{1, 2, 3, 4, 5}, 3, &out);
  EXPECT_EQ(hex(out),
            "29 00 00 00 00 00 00 00 02 00 00 00 00 00 00 00 "
            "03 00 00 00 00 00 00 00 04 00 00 00 00 00 00 00");
}

TEST(BitpackTest, VectorKernelMatchesScalarReferenceAtEveryWidth) {
  const uint64_t seed = 20261122;
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937_64 rng(seed);
  for (unsigned width = 0; width <= 64; ++width) {
    for (size_t n : {size_t{0}, size_t{1}, size_t{3}, size_t{4}, size_t{63}, size_t{255},
                     size_t{256}, size_t{257}, size_t{1000}, size_t{1024}}) {
      SCOPED_TRACE("width " + std::to_string(width) + ", n " + std::to_string(n));
      const std::vector<uint64_t> values = random_values(&rng, n, width);
      std::string packed;
      bitpack_pack(values, width, &packed);
      ASSERT_EQ(packed.size(), bitpack_bytes(n, width));
      const uint64_t base = rng();
      std::vector<uint64_t> simd(n, 0xdead);
      std::vector<uint64_t> scalar(n, 0xbeef);
      ASSERT_TRUE(bitpack_unpack(packed, width, base, simd).is_ok());
      ASSERT_TRUE(bitpack_unpack_scalar(packed, width, base, scalar).is_ok());
      for (size_t i = 0; i < n; ++i) {
        ASSERT_EQ(scalar[i], values[i] + base) << "value " << i;
        ASSERT_EQ(simd[i], scalar[i]) << "value " << i;
      }
    }
  }
}

TEST(BitpackTest, UnpacksFromAnUnalignedBuffer) {
  std::mt19937_64 rng(7);
  const std::vector<uint64_t> values = random_values(&rng, 1024, 29);
  std::string packed = "x";
  bitpack_pack(values, 29, &packed);
  std::vector<uint64_t> out(1024);
  ASSERT_TRUE(bitpack_unpack(std::string_view(packed).substr(1), 29, 0, out).is_ok());
  EXPECT_EQ(out, values);
}

TEST(BitpackTest, RejectsWrongSizeAndWidth) {
  std::string packed;
  bitpack_pack(std::vector<uint64_t>{1, 2, 3}, 2, &packed);
  std::vector<uint64_t> out(3);
  EXPECT_EQ(bitpack_unpack(packed.substr(1), 2, 0, out).code(), ErrorCode::kCorruption);
  EXPECT_EQ(bitpack_unpack(packed + "x", 2, 0, out).code(), ErrorCode::kCorruption);
  EXPECT_EQ(bitpack_unpack(packed, 65, 0, out).code(), ErrorCode::kCorruption);
  EXPECT_EQ(bitpack_unpack_scalar(packed, 200, 0, out).code(), ErrorCode::kCorruption);
  // A width whose array has another size is caught by the size check.
  std::vector<uint64_t> five(5);
  EXPECT_EQ(bitpack_unpack(packed, 64, 0, five).code(), ErrorCode::kCorruption);
}

}  // namespace
}  // namespace tessera::storage
