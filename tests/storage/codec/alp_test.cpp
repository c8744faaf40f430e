#include "storage/codec/alp.h"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <vector>

#include "storage/codec/codec_format.h"
#include "storage/codec/frame_of_reference.h"
#include "storage/codec/vector_header.h"
#include "tests/storage/codec/codec_test_support.h"

namespace tessera::storage {
namespace {

using codec_test::hex;
using Limits = std::numeric_limits<double>;

std::string encode(const std::vector<double>& values) {
  std::string out;
  EXPECT_TRUE(alp_encode(values, &out).is_ok());
  return out;
}

uint16_t exception_count(const std::string& encoded) {
  return static_cast<uint16_t>(static_cast<uint8_t>(encoded[4]) |
                               (static_cast<uint8_t>(encoded[5]) << 8));
}

void expect_bit_exact_round_trip(const std::vector<double>& values) {
  const std::string encoded = encode(values);
  std::vector<double> out(values.size(), 0.25);
  const Status status = alp_decode(encoded, out);
  ASSERT_TRUE(status.is_ok()) << status.to_string();
  for (size_t i = 0; i < values.size(); ++i) {
    ASSERT_EQ(std::bit_cast<uint64_t>(out[i]), std::bit_cast<uint64_t>(values[i]))
        << "value " << i << ": " << values[i] << " decoded as " << out[i];
  }
}

// Money with two decimals: cents from a log-normal, as a parser would produce
// them (the nearest double to cents / 100).
std::vector<double> money(std::mt19937_64* rng, size_t n) {
  std::lognormal_distribution<double> dist(3.0, 1.5);
  std::vector<double> values(n);
  for (auto& v : values) v = std::round(dist(*rng) * 100.0) / 100.0;
  return values;
}

// docs/format/codecs.md, "alp": a payload with any (e, f) and integers, no
// exceptions, built field by field so that every (e, f) can be decoded.
std::string payload(unsigned e, unsigned f, const std::vector<int64_t>& ints) {
  std::string out;
  append_vector_count(&out, ints.size());
  append_u8(&out, static_cast<uint8_t>(e));
  append_u8(&out, static_cast<uint8_t>(f));
  append_u16(&out, 0);
  append_frame_of_reference_body(ints, &out);
  return out;
}

// The format's decoding formula, written out with a division.
double reference_value(int64_t n, unsigned e, unsigned f) {
  static constexpr double kPow10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8, 1e9,
                                      1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18};
  return (static_cast<double>(n) * kPow10[f]) / kPow10[e];
}

void expect_decodes_like_the_formula(unsigned e, unsigned f, const std::vector<int64_t>& ints) {
  std::vector<double> out(ints.size(), 0.25);
  const Status status = alp_decode(payload(e, f, ints), out);
  ASSERT_TRUE(status.is_ok()) << status.to_string();
  for (size_t i = 0; i < ints.size(); ++i) {
    const double want = reference_value(ints[i], e, f);
    ASSERT_EQ(std::bit_cast<uint64_t>(out[i]), std::bit_cast<uint64_t>(want))
        << "e " << e << ", f " << f << ", value " << i << " of " << ints.size() << ": n " << ints[i]
        << " decoded as " << out[i] << ", want " << want;
  }
}

// docs/format/codecs.md, "alp": {12.34, 0, 1523.07} -> e = 2, f = 0, integers
// 1234 (0x4d2), 0, 152307 (0x252f3); min 0, width 18; no exceptions.
TEST(AlpTest, EncodesTheDocumentedExample) {
  EXPECT_EQ(hex(encode({12.34, 0.0, 1523.07})),
            "03 00 02 00 00 00 "
            "12 00 00 00 00 00 00 00 00 "
            "d2 04 00 00 00 00 00 00 00 00 00 00 00 00 00 00 "
            "f3 52 02 00 00 00 00 00 00 00 00 00 00 00 00 00");
}

// -0.0 (the integer 0 decodes to +0.0) is an exception: position 1, bits
// 0x8000000000000000; its slot holds the first encoded integer, 15.
TEST(AlpTest, EncodesNegativeZeroAsAnException) {
  EXPECT_EQ(hex(encode({1.5, -0.0})),
            "02 00 01 00 01 00 "
            "00 0f 00 00 00 00 00 00 00 "
            "01 00 "
            "00 00 00 00 00 00 00 80");
}

TEST(AlpTest, MoneyWithTwoDecimalsHasNoExceptions) {
  const uint64_t seed = 12;
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937_64 rng(seed);
  for (int iteration = 0; iteration < 20; ++iteration) {
    const std::vector<double> values = money(&rng, kVectorValues);
    const std::string encoded = encode(values);
    EXPECT_EQ(exception_count(encoded), 0);
    EXPECT_EQ(static_cast<uint8_t>(encoded[2]), 2) << "exponent";
    EXPECT_LT(encoded.size(), values.size() * 4) << "under 4 bytes per value";
    expect_bit_exact_round_trip(values);
  }
}

TEST(AlpTest, RoundTripsSpecialValuesBitExactly) {
  const std::vector<double> values = {
      12.34,
      Limits::quiet_NaN(),
      -Limits::quiet_NaN(),
      std::bit_cast<double>(uint64_t{0x7ff0000000000001}),  // signalling NaN payload
      std::bit_cast<double>(uint64_t{0xfff8dead0000beef}),  // negative NaN with payload
      Limits::infinity(),
      -Limits::infinity(),
      -0.0,
      0.0,
      Limits::denorm_min(),
      -Limits::denorm_min(),
      Limits::min(),
      Limits::max(),
      Limits::lowest(),
      1e300,
      -1e-300,
      9007199254740993.0,  // 2^53 + 1 rounds to 2^53; still must round-trip as stored
      0.1,
      1523.07,
  };
  expect_bit_exact_round_trip(values);
}

TEST(AlpTest, RoundTripsAVectorOfOnlyExceptions) {
  const uint64_t seed = 99;
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937_64 rng(seed);
  std::vector<double> values(kVectorValues);
  for (auto& v : values) v = std::bit_cast<double>(rng());
  const std::string encoded = encode(values);
  EXPECT_GT(exception_count(encoded), 1000);
  expect_bit_exact_round_trip(values);
}

TEST(AlpTest, RoundTripsEdgeCases) {
  expect_bit_exact_round_trip({});
  expect_bit_exact_round_trip({3.0});
  expect_bit_exact_round_trip({-0.0});
  expect_bit_exact_round_trip(std::vector<double>(kVectorValues, 99.99));
  expect_bit_exact_round_trip(std::vector<double>(kVectorValues, Limits::quiet_NaN()));
  expect_bit_exact_round_trip({-2251799813685248.0, 2251799813685248.0, 1.0});  // +-2^51
}

TEST(AlpTest, RandomMixesMatchAPlainCopy) {
  const uint64_t seed = 2024;
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937_64 rng(seed);
  for (int iteration = 0; iteration < 100; ++iteration) {
    SCOPED_TRACE("iteration " + std::to_string(iteration));
    const size_t n = rng() % (kVectorValues + 1);
    std::vector<double> values = money(&rng, n);
    const int decimals = static_cast<int>(rng() % 6);
    for (auto& v : values) {
      switch (rng() % 8) {
        case 0:
          v = std::bit_cast<double>(rng());
          break;
        case 1:
          v = std::round(v * std::pow(10.0, decimals)) / std::pow(10.0, decimals);
          break;
        case 2:
          v = -v;
          break;
        default:
          break;
      }
    }
    expect_bit_exact_round_trip(values);
  }
}

// The documented choice (docs/format/codecs.md, "alp"): on 32 evenly spaced samples,
// every (e, f) costs 80 bits per exception plus the packed width of the others, and
// the cheapest pair, the first on ties, wins. The reference here tries every pair on
// every sample; the encoder may stop sampling a pair early, never choose otherwise.
TEST(AlpTest, ChoosesTheCheapestExponentAndFactorOnItsSample) {
  const uint64_t seed = 77;
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937_64 rng(seed);
  auto encodable = [](double v, unsigned e, unsigned f, int64_t* n) {
    const double scaled = v * std::pow(10.0, e) / std::pow(10.0, f);
    if (!(std::fabs(scaled) <= 2251799813685248.0)) return false;
    *n = static_cast<int64_t>(std::nearbyint(scaled));
    const double back = static_cast<double>(*n) * std::pow(10.0, f) / std::pow(10.0, e);
    return std::bit_cast<uint64_t>(back) == std::bit_cast<uint64_t>(v);
  };
  for (int iteration = 0; iteration < 300; ++iteration) {
    SCOPED_TRACE("iteration " + std::to_string(iteration));
    const size_t n = 1 + rng() % kVectorValues;
    std::vector<double> values = money(&rng, n);
    const int decimals = static_cast<int>(rng() % 8);
    const int mix = static_cast<int>(rng() % 4);
    for (auto& v : values) {
      if (mix == 0) v = std::round(v * std::pow(10.0, decimals)) / std::pow(10.0, decimals);
      if (mix == 1 && rng() % 4 == 0) v = std::bit_cast<double>(rng());
      if (mix == 2) v = static_cast<double>(static_cast<int64_t>(rng() % 100'000) - 50'000) / 1e3;
    }
    const size_t samples = std::min<size_t>(n, 32);
    uint64_t best_cost = UINT64_MAX;
    unsigned best_e = 0, best_f = 0;
    for (unsigned e = 0; e <= 18; ++e) {
      for (unsigned f = 0; f <= e; ++f) {
        uint64_t exceptions = 0;
        int64_t lo = INT64_MAX, hi = INT64_MIN;
        for (size_t i = 0; i < samples; ++i) {
          int64_t k = 0;
          if (encodable(values[i * n / samples], e, f, &k)) {
            lo = std::min(lo, k);
            hi = std::max(hi, k);
          } else {
            ++exceptions;
          }
        }
        const uint64_t range = lo > hi ? 0 : static_cast<uint64_t>(hi) - static_cast<uint64_t>(lo);
        const unsigned width = range == 0 ? 0 : 64 - static_cast<unsigned>(std::countl_zero(range));
        const uint64_t cost = exceptions * 80 + (samples - exceptions) * width;
        if (cost < best_cost) {
          best_cost = cost;
          best_e = e;
          best_f = f;
        }
      }
    }
    const std::string encoded = encode(values);
    ASSERT_EQ(static_cast<uint8_t>(encoded[2]), best_e) << "exponent";
    ASSERT_EQ(static_cast<uint8_t>(encoded[3]), best_f) << "factor";
    expect_bit_exact_round_trip(values);
  }
}

TEST(AlpTest, RejectsBadHeaders) {
  const std::string good = encode({1.5, -0.0, 2.25});
  std::vector<double> out(3);
  ASSERT_TRUE(alp_decode(good, out).is_ok());
  std::string bad = good;
  bad[2] = 19;  // exponent over 18
  EXPECT_EQ(alp_decode(bad, out).code(), ErrorCode::kCorruption);
  bad = good;
  bad[3] = static_cast<char>(good[2] + 1);  // factor over exponent
  EXPECT_EQ(alp_decode(bad, out).code(), ErrorCode::kCorruption);
  bad = good;
  bad[4] = 4;  // more exceptions than values
  EXPECT_EQ(alp_decode(bad, out).code(), ErrorCode::kCorruption);
}

TEST(AlpTest, RejectsIntegersOutsideTheEncodableRange) {
  // {1.5}: e 1, f 0, one integer 15 as a width-0 body whose min is at 7..14.
  std::string bad = encode({1.5});
  ASSERT_EQ(hex(bad), "01 00 01 00 00 00 00 0f 00 00 00 00 00 00 00");
  std::vector<double> out(1);
  for (uint64_t min :
       {uint64_t{1} << 52, (uint64_t{1} << 51) + 1, ~(uint64_t{1} << 51), uint64_t{1} << 63}) {
    for (int b = 0; b < 8; ++b) bad[7 + b] = static_cast<char>(min >> (8 * b));
    EXPECT_EQ(alp_decode(bad, out).code(), ErrorCode::kCorruption) << min;
  }
  // The limits themselves decode.
  for (uint64_t min : {uint64_t{1} << 51, ~(uint64_t{1} << 51) + 1}) {
    for (int b = 0; b < 8; ++b) bad[7 + b] = static_cast<char>(min >> (8 * b));
    EXPECT_TRUE(alp_decode(bad, out).is_ok()) << min;
    EXPECT_EQ(out[0], static_cast<double>(static_cast<int64_t>(min)) / 10.0);
  }
}

// The decoder divides without a division instruction; it must still give
// the formula's bits for every (e, f) and any n in range.
TEST(AlpTest, DecodesEveryExponentAndFactorLikeTheDivision) {
  const uint64_t seed = 1811;
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937_64 rng(seed);
  constexpr int64_t kMax = int64_t{1} << 51;
  const auto uniform = [&rng] {
    return static_cast<int64_t>(rng() % (2 * static_cast<uint64_t>(kMax) + 1)) - kMax;
  };
  const auto small = [&rng] { return static_cast<int64_t>(rng() % 2001) - 1000; };
  const auto near_power_of_ten = [&rng] {
    int64_t p = 1;
    for (uint64_t k = rng() % 16; k > 0; --k) p *= 10;
    const int64_t n = p + static_cast<int64_t>(rng() % 7) - 3;
    return rng() % 2 == 0 ? n : -n;
  };
  for (unsigned e = 0; e <= kAlpMaxExponent; ++e) {
    for (unsigned f = 0; f <= e; ++f) {
      std::vector<int64_t> mixed = {0, 1, -1, kMax, -kMax, kMax - 1, -kMax + 1};
      while (mixed.size() < kVectorValues) {
        switch (rng() % 3) {
          case 0:
            mixed.push_back(uniform());
            break;
          case 1:
            mixed.push_back(small());
            break;
          default:
            mixed.push_back(near_power_of_ten());
            break;
        }
      }
      expect_decodes_like_the_formula(e, f, mixed);
      // Narrow integers (a small packed width), and counts that leave a
      // partial batch of 1..3 values.
      std::vector<int64_t> narrow(kVectorValues - 1 - (e + f) % 4);
      for (auto& n : narrow) n = small();
      expect_decodes_like_the_formula(e, f, narrow);
      for (size_t count = 1; count <= 7; ++count) {
        std::vector<int64_t> few(count);
        for (auto& n : few) n = uniform();
        expect_decodes_like_the_formula(e, f, few);
      }
    }
  }
}

// An integer out of range is found at any position, in a full batch of four
// as well as in the partial one at the end.
TEST(AlpTest, RejectsAnOutOfRangeIntegerAtAnyPosition) {
  constexpr int64_t kMax = int64_t{1} << 51;
  for (size_t count : {size_t{1023}, kVectorValues}) {
    for (size_t pos : {size_t{0}, size_t{5}, count - 1}) {
      for (int64_t bad :
           {kMax + 1, -kMax - 1, int64_t{1} << 52, kMax * 4, std::numeric_limits<int64_t>::min(),
            std::numeric_limits<int64_t>::max()}) {
        std::vector<int64_t> ints(count, 7);
        ints[pos] = bad;
        std::vector<double> out(count);
        EXPECT_EQ(alp_decode(payload(2, 0, ints), out).code(), ErrorCode::kCorruption)
            << count << " values, " << bad << " at " << pos;
        ints[pos] = bad > 0 ? kMax : -kMax;
        EXPECT_TRUE(alp_decode(payload(2, 0, ints), out).is_ok()) << count << " values, " << pos;
      }
    }
  }
}

TEST(AlpTest, RejectsExceptionPositionsOutOfOrderOrRange) {
  // Two exceptions at positions 0 and 1.
  const std::string good = encode({-0.0, Limits::infinity(), 7.0});
  ASSERT_EQ(exception_count(good), 2);
  std::vector<double> out(3);
  ASSERT_TRUE(alp_decode(good, out).is_ok());
  const size_t positions = good.size() - 2 * 8 - 2 * 2;
  std::string bad = good;
  bad[positions] = 1;  // 1, 1: not strictly increasing
  EXPECT_EQ(alp_decode(bad, out).code(), ErrorCode::kCorruption);
  bad = good;
  bad[positions + 2] = 3;  // position 3 of 3 values
  EXPECT_EQ(alp_decode(bad, out).code(), ErrorCode::kCorruption);
}

TEST(AlpTest, SurvivesTruncationAndDamage) {
  for (const std::vector<double>& values :
       {std::vector<double>{}, {12.34, 0.0, 1523.07}, {1.5, -0.0, Limits::quiet_NaN(), 2.0}}) {
    SCOPED_TRACE(::testing::PrintToString(values));
    const std::string encoded = encode(values);
    const codec_test::Decode decode = [n = values.size()](std::string_view in) {
      std::vector<double> out(n);
      return alp_decode(in, out);
    };
    codec_test::expect_truncations_rejected(encoded, decode);
    codec_test::expect_damage_survived(encoded, decode);
  }
}

}  // namespace
}  // namespace tessera::storage
