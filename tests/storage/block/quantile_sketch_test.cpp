#include "storage/block/quantile_sketch.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <vector>

namespace tessera::storage {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kPs[] = {0.0, 0.01, 0.5, 0.95, 0.99, 1.0};

// The documented rank: the k-th smallest value, k = max(1, ceil(p * n)), 1-based.
double exact_nearest_rank(std::vector<double> sorted, double p) {
  const auto n = static_cast<double>(sorted.size());
  auto k = static_cast<size_t>(std::max(1.0, std::ceil(p * n)));
  k = std::min(k, sorted.size());
  return sorted[k - 1];
}

QuantileSketch sketch_of(const std::vector<double>& values) {
  QuantileSketch sketch;
  for (double v : values) sketch.add(v);
  return sketch;
}

std::string hex(std::string_view bytes) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    if (!out.empty()) out += ' ';
    out += digits[c >> 4];
    out += digits[c & 15];
  }
  return out;
}

void expect_within_one_percent(const std::vector<double>& values, const QuantileSketch& sketch) {
  std::vector<double> sorted = values;
  std::sort(sorted.begin(), sorted.end());
  for (double p : kPs) {
    const double exact = exact_nearest_rank(sorted, p);
    const std::optional<double> approx = sketch.quantile(p);
    ASSERT_TRUE(approx.has_value());
    ASSERT_LE(std::abs(*approx - exact), 0.01 * std::abs(exact))
        << "p " << p << " exact " << exact << " approx " << *approx;
  }
}

TEST(QuantileSketchTest, EmptySketchHasNoQuantile) {
  QuantileSketch sketch;
  EXPECT_EQ(sketch.count(), 0u);
  EXPECT_FALSE(sketch.quantile(0.5).has_value());
  EXPECT_EQ(hex(sketch.serialize()), "54 51 53 01 00 00 00 00 00");
}

TEST(QuantileSketchTest, SerializesOneValueToDocumentedBytes) {
  // 1.0 is bucket 0 (log_gamma(1) = 0); min = max = 1.0 = 0x3ff0000000000000.
  QuantileSketch sketch = sketch_of({1.0});
  EXPECT_EQ(hex(sketch.serialize()),
            "54 51 53 01 00 00 00 01 00 01 00 "
            "00 00 00 00 00 00 f0 3f 00 00 00 00 00 00 f0 3f");
}

TEST(QuantileSketchTest, PicksTheNearestRank) {
  QuantileSketch sketch = sketch_of({10000, 1, 100});
  // n = 3. p = 0.33: ceil(0.99) = 1 -> 1 (the exact minimum).
  EXPECT_EQ(sketch.quantile(0.33), 1.0);
  // p = 0.34: ceil(1.02) = 2 -> 100; p = 0.66: ceil(1.98) = 2 -> 100.
  EXPECT_NEAR(*sketch.quantile(0.34), 100.0, 0.5);
  EXPECT_NEAR(*sketch.quantile(0.66), 100.0, 0.5);
  // p = 0.67: ceil(2.01) = 3 -> 10000 (the exact maximum).
  EXPECT_EQ(sketch.quantile(0.67), 10000.0);
  EXPECT_EQ(sketch.quantile(0.0), 1.0);
  EXPECT_EQ(sketch.quantile(1.0), 10000.0);
}

TEST(QuantileSketchTest, IgnoresNaNAndCountsInfinitiesAndZeros) {
  QuantileSketch sketch = sketch_of({kNaN, -kInf, 0.0, -0.0, 5.0, kInf, kNaN});
  EXPECT_EQ(sketch.count(), 5u);
  // Sorted: -inf, 0, 0, 5, inf; k = ceil(p * 5).
  EXPECT_EQ(sketch.quantile(0.0), -kInf);
  EXPECT_EQ(sketch.quantile(0.3), 0.0);           // k = 2
  EXPECT_EQ(sketch.quantile(0.6), 0.0);           // k = 3
  EXPECT_NEAR(*sketch.quantile(0.8), 5.0, 0.05);  // k = 4
  EXPECT_EQ(sketch.quantile(1.0), kInf);
  EXPECT_FALSE(std::signbit(*sketch_of({-0.0}).quantile(0.5)));
}

TEST(QuantileSketchTest, StaysWithinOnePercentOfNearestRank) {
  const uint64_t seed = 7;
  SCOPED_TRACE(::testing::Message() << "seed " << seed);
  std::mt19937_64 rng(seed);
  std::lognormal_distribution<double> lognormal(3.0, 2.0);
  std::uniform_real_distribution<double> uniform(0.0, 1000.0);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  for (size_t n : {1, 2, 3, 10, 99, 1000, 10000, 100000}) {
    for (int kind = 0; kind < 4; ++kind) {
      SCOPED_TRACE(::testing::Message() << "n " << n << " kind " << kind);
      std::vector<double> values(n);
      for (double& v : values) {
        switch (kind) {
          case 0:
            v = lognormal(rng);
            break;
          case 1:
            v = uniform(rng);
            break;
          case 2: {  // mixed sign with zeros
            const double u = unit(rng);
            v = u < 0.45 ? -lognormal(rng) : u < 0.55 ? 0.0 : lognormal(rng);
            break;
          }
          default:
            v = -273.15;
            break;  // constant
        }
      }
      expect_within_one_percent(values, sketch_of(values));
    }
  }
}

TEST(QuantileSketchTest, MergeEqualsSketchOfTheUnion) {
  const uint64_t seed = 11;
  SCOPED_TRACE(::testing::Message() << "seed " << seed);
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> exponent(-300.0, 300.0);
  for (int round = 0; round < 20; ++round) {
    SCOPED_TRACE(::testing::Message() << "round " << round);
    // Magnitudes from 1e-300 to 1e300 force collapsing in both stores.
    std::vector<double> values(2000 + rng() % 3000);
    for (double& v : values) {
      v = std::pow(10.0, round % 2 == 0 ? exponent(rng) / 100 : exponent(rng));
      if (rng() % 3 == 0) v = -v;
      if (rng() % 50 == 0) v = 0.0;
    }
    const size_t parts = 1 + rng() % 5;
    std::vector<QuantileSketch> partials(parts);
    for (double v : values) partials[rng() % parts].add(v);
    QuantileSketch merged;
    for (const QuantileSketch& part : partials) merged.merge(part);

    const QuantileSketch whole = sketch_of(values);
    EXPECT_EQ(merged.count(), whole.count());
    EXPECT_EQ(hex(merged.serialize()), hex(whole.serialize()));
    for (double p : kPs) EXPECT_EQ(merged.quantile(p), whole.quantile(p)) << "p " << p;
  }
}

TEST(QuantileSketchTest, CollapsesSmallMagnitudesAndKeepsTopAccurate) {
  std::vector<double> values;
  for (int e = -3000; e <= 3000; ++e) values.push_back(std::pow(10.0, e / 10.0));
  const QuantileSketch sketch = sketch_of(values);
  // At most kQuantileSketchMaxBuckets one-byte counts plus headers.
  EXPECT_LE(sketch.serialize().size(), kQuantileSketchMaxBuckets + 64);
  std::sort(values.begin(), values.end());
  // The kept buckets span a ratio of ~7.8e8 below 1e300; p99 is ~1e294.
  for (double p : {0.99, 0.999, 1.0}) {
    const double exact = exact_nearest_rank(values, p);
    EXPECT_LE(std::abs(*sketch.quantile(p) - exact), 0.01 * exact) << "p " << p;
  }
  EXPECT_EQ(sketch.quantile(0.0), 1e-300);  // the exact minimum is tracked
}

std::vector<QuantileSketch> sample_sketches() {
  std::vector<QuantileSketch> out;
  out.push_back(QuantileSketch());
  out.push_back(sketch_of({1.0}));
  out.push_back(sketch_of({0.0, 0.0}));
  out.push_back(sketch_of({-kInf, kInf, 3.5}));
  std::vector<double> mixed;
  std::mt19937_64 rng(5);
  std::lognormal_distribution<double> lognormal(5.0, 0.3);
  for (int i = 0; i < 200; ++i) mixed.push_back(i % 3 == 0 ? -lognormal(rng) : lognormal(rng));
  out.push_back(sketch_of(mixed));
  return out;
}

TEST(QuantileSketchTest, RoundTripsThroughBytes) {
  for (const QuantileSketch& sketch : sample_sketches()) {
    const std::string bytes = sketch.serialize();
    Result<QuantileSketch> decoded = QuantileSketch::deserialize(bytes);
    ASSERT_TRUE(decoded.is_ok()) << decoded.status().to_string();
    EXPECT_EQ(hex(decoded->serialize()), hex(bytes));
    EXPECT_EQ(decoded->count(), sketch.count());
    for (double p : kPs) EXPECT_EQ(decoded->quantile(p), sketch.quantile(p));
  }
}

// A decoded sketch must be usable without crashing, whatever it holds.
void exercise(const QuantileSketch& sketch) {
  for (double p : kPs) (void)sketch.quantile(p);
  QuantileSketch copy = sketch_of({1.0, -2.0});
  copy.merge(sketch);
  (void)copy.quantile(0.5);
  Result<QuantileSketch> again = QuantileSketch::deserialize(sketch.serialize());
  ASSERT_TRUE(again.is_ok()) << again.status().to_string();
}

TEST(QuantileSketchTest, RejectsEveryTruncation) {
  for (const QuantileSketch& sketch : sample_sketches()) {
    const std::string bytes = sketch.serialize();
    for (size_t len = 0; len < bytes.size(); ++len) {
      Result<QuantileSketch> decoded = QuantileSketch::deserialize(bytes.substr(0, len));
      ASSERT_FALSE(decoded.is_ok()) << "length " << len << " of " << hex(bytes);
      EXPECT_EQ(decoded.error().code, ErrorCode::kCorruption);
    }
  }
}

TEST(QuantileSketchTest, SurvivesEveryBitFlip) {
  for (const QuantileSketch& sketch : sample_sketches()) {
    const std::string bytes = sketch.serialize();
    for (size_t i = 0; i < bytes.size(); ++i) {
      for (int bit = 0; bit <= 8; ++bit) {
        std::string damaged = bytes;
        damaged[i] = static_cast<char>(damaged[i] ^ (bit == 8 ? 0xff : 1 << bit));
        Result<QuantileSketch> decoded = QuantileSketch::deserialize(damaged);
        if (decoded.is_ok()) {
          exercise(*decoded);
        } else {
          EXPECT_EQ(decoded.error().code, ErrorCode::kCorruption);
        }
      }
    }
  }
}

TEST(QuantileSketchTest, RejectsAbsurdLengthsAndBadFields) {
  const std::string magic("TQS\x01", 4);
  const auto decode_error = [](const std::string& bytes) {
    Result<QuantileSketch> r = QuantileSketch::deserialize(bytes);
    return r.is_ok() ? std::string("ok") : r.error().message;
  };
  // Positive bucket count 2049 (varint 81 10).
  EXPECT_EQ(decode_error(magic + std::string("\x00\x00\x00\x81\x10", 5)),
            "quantile sketch @ 7: positive bucket count 2049 exceeds 2048");
  // Bucket count 2^63 written as a ten-byte varint.
  EXPECT_NE(decode_error(magic + std::string(3, '\0') + std::string(9, '\x80') + "\x01"), "ok");
  // An eleven-byte varint.
  EXPECT_NE(decode_error(magic + std::string(10, '\xff') + "\x01"), "ok");
  // 5 buckets promised, 1 byte present.
  EXPECT_NE(decode_error(magic + std::string("\x00\x00\x00\x05\x00\x01", 6)), "ok");
  // Index 100000 is beyond any double.
  EXPECT_NE(decode_error(magic + std::string("\x00\x00\x00\x01\xc0\x9a\x0c\x01\x00", 9) +
                         std::string(16, '\0')),
            "ok");
  EXPECT_EQ(decode_error("TQS\x02"), "quantile sketch @ 3: unsupported version 2");
  EXPECT_EQ(decode_error(magic + std::string(5, '\0') + "x"),
            "quantile sketch @ 9: 1 trailing bytes after the sketch");
  // Zero counts overflowing 64 bits when summed.
  const std::string max_varint = std::string(9, '\xff') + "\x01";
  EXPECT_NE(decode_error(magic + max_varint + max_varint), "ok");
  // A zero count of 1 with min = max = NaN.
  std::string nan_bytes = magic + std::string("\x01\x00\x00\x00\x00", 5);
  nan_bytes += std::string("\x00\x00\x00\x00\x00\x00\xf8\x7f", 8);
  nan_bytes += std::string("\x00\x00\x00\x00\x00\x00\xf8\x7f", 8);
  EXPECT_EQ(decode_error(nan_bytes), "quantile sketch @ 9: min/max are NaN or out of order");
}

}  // namespace
}  // namespace tessera::storage
