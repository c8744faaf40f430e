// alp payload (docs/format/codecs.md, "alp"):
//
//   payload := count u16 | exponent u8 (0..18) | factor u8 (0..exponent)
//              | exception_count u16 (0..count)
//              | frame_of_reference body of the count encoded integers
//              | exception_count × position u16 (strictly increasing, < count)
//              | exception_count × value u64 (the double's bits)
//
// decode: value[i] = (double(n[i]) * 10^factor) / 10^exponent, IEEE-754 double
// arithmetic with round-to-nearest, then each exception overwrites its position.
// Every n must lie in [-2^51, 2^51] (the encoder never writes others).
// The encoder keeps n only when this exact formula reproduces the input bits,
// so correctness never depends on the choice of e and f, only the size does.
#include "storage/codec/alp.h"

#include <array>
#include <bit>
#include <cstdint>
#include <limits>
#include <span>
#include <xsimd/xsimd.hpp>

#include "storage/base/byte_reader.h"
#include "storage/base/little_endian.h"
#include "storage/codec/bitpack.h"
#include "storage/codec/codec_format.h"
#include "storage/codec/frame_of_reference.h"
#include "storage/codec/vector_header.h"

namespace tessera::storage {
namespace {

constexpr std::string_view kCodec = "alp";

// 10^0 .. 10^18, all exact doubles.
constexpr std::array<double, kAlpMaxExponent + 1> kPow10 = {
    1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8, 1e9,
    1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18};

// Adding and subtracting 1.5 * 2^52 rounds any |d| <= 2^51 to the nearest
// integer (ties to even) with plain double arithmetic, and keeps the later
// int64 conversion in range.
constexpr double kRoundMagic = 6755399441055744.0;
constexpr double kMaxEncodable = 2251799813685248.0;  // 2^51

// Bound on the number of sample values tried per (e, f) pair when choosing.
constexpr size_t kSampleValues = 32;
// Cost in bits of one exception: its u16 position and u64 value.
constexpr uint64_t kExceptionBits = 80;

double alp_decode_value(int64_t n, unsigned e, unsigned f) {
  return (static_cast<double>(n) * kPow10[f]) / kPow10[e];
}

// The integer for `v` under (e, f), or false when v does not round-trip.
bool alp_encode_value(double v, unsigned e, unsigned f, int64_t* n) {
  const double scaled = v * kPow10[e] / kPow10[f];
  // Written so that NaN fails the test too.
  if (!(scaled >= -kMaxEncodable && scaled <= kMaxEncodable)) return false;
  const int64_t candidate = static_cast<int64_t>(scaled + kRoundMagic - kRoundMagic);
  if (std::bit_cast<uint64_t>(alp_decode_value(candidate, e, f)) != std::bit_cast<uint64_t>(v)) {
    return false;
  }
  *n = candidate;
  return true;
}

// fma3<avx2>, not avx2: for a plain avx2 batch xsimd::fma is x * y + z, which
// is fused only if the compiler happens to contract it; the exact division
// below needs the single rounding.
using Arch = xsimd::fma3<xsimd::avx2>;
using DoubleBatch = xsimd::batch<double, Arch>;
using IntBatch = xsimd::batch<int64_t, Arch>;

// out[i] = alp_decode_value(n[i], e, f) for every i, bit for bit; false when
// some n lies outside [-2^51, 2^51] (out then holds garbage). kScaleUp and
// kScaleDown drop the multiply for f == 0 and the division for e == 0 (both by
// exactly 1); kScaleUp requires kScaleDown, as f <= e.
//
// The division a / b (b = 10^e) is done without vdivpd, as Markstein's
// correction: y = RN(1/b), q = RN(a*y), r = fma(-q, b, a), q' = fma(r, y, q).
// q' = RN(a/b) for a = RN(n * 10^f), 0 < |n| <= 2^51, 1 <= e <= 21. Let u be
// the ulp of a/b, so a/b in [2^52 u, 2^53 u):
// - b*y = 1 + eps with |eps| <= 2^-53, so |q - a/b| <= 2u, r = a - q*b is
//   exact (a multiple of 2^(e-1) u, at most 4 * 5^e < 2^53 of them) and the
//   fma rounds exactly q + r*y = a/b + (a/b - q) eps, within 2^-52 u of a/b.
// - a/b is never a midpoint between doubles (a midpoint's odd part has 54
//   bits, a's at most 53, b's is 5^e) and no closer to one than u / (4 * 5^e):
//   a and midpoint * b are multiples of 2^(e-2) u. As 4 * 5^e < 2^52, no
//   midpoint lies between a/b and the fma's exact result, so both round alike.
// n = 0 gives +0 both ways, the sign of n carries through both symmetrically,
// and 1e-18 <= |a/b|, |a| < 2^112 rule out underflow and overflow.
template <bool kScaleUp, bool kScaleDown>
bool scale_integers(std::span<const int64_t> n, unsigned e, unsigned f, std::span<double> out) {
  constexpr size_t kLanes = DoubleBatch::size;
  const DoubleBatch magic(kRoundMagic);
  const IntBatch magic_bits(std::bit_cast<int64_t>(kRoundMagic));
  // magic_bits + n is in [lo, lo + 2^52] for lo = magic_bits - 2^51 exactly
  // when n is in range; adding 2^63 - lo moves that window to the bottom of
  // int64, so one signed compare finds the rest.
  const uint64_t window_lo = std::bit_cast<uint64_t>(kRoundMagic) - (uint64_t{1} << 51);
  const IntBatch to_bottom(std::bit_cast<int64_t>((uint64_t{1} << 63) - window_lo));
  const IntBatch window_top(std::numeric_limits<int64_t>::min() + (int64_t{1} << 52));
  const DoubleBatch scale_up(kPow10[f]);
  const DoubleBatch scale_down(kPow10[e]);
  const DoubleBatch inverse(1.0 / kPow10[e]);
  xsimd::batch_bool<int64_t, Arch> is_out_of_range(false);
  size_t i = 0;
  for (; i + kLanes <= n.size(); i += kLanes) {
    const IntBatch bits = IntBatch::load_unaligned(n.data() + i) + magic_bits;
    is_out_of_range = is_out_of_range | (window_top < bits + to_bottom);
    // AVX2 has no int64 -> double conversion, so convert with the magic
    // number: for |n| <= 2^51, 1.5 * 2^52 + n lies in [2^52, 2^53), where
    // doubles are the integers and the bit pattern is the magic's bits plus n.
    DoubleBatch a = xsimd::bitwise_cast<DoubleBatch>(bits) - magic;
    if constexpr (kScaleUp) a *= scale_up;
    if constexpr (kScaleDown) {
      const DoubleBatch q = a * inverse;
      a = xsimd::fma(xsimd::fnma(q, scale_down, a), inverse, q);
    }
    a.store_unaligned(out.data() + i);
  }
  bool is_tail_out_of_range = false;
  for (; i < n.size(); ++i) {
    is_tail_out_of_range |= static_cast<uint64_t>(n[i]) + (uint64_t{1} << 51) > (uint64_t{1} << 52);
    out[i] = alp_decode_value(n[i], e, f);
  }
  return !xsimd::any(is_out_of_range) && !is_tail_out_of_range;
}

struct ExponentFactor {
  unsigned e = 0;
  unsigned f = 0;
};

// Tries every (e, f) on an evenly spaced sample and keeps the pair with the
// smallest estimated size (packed bits plus exception cost). Ties keep the
// first pair found, so the choice is deterministic.
ExponentFactor choose_exponent_factor(std::span<const double> values) {
  ExponentFactor best;
  if (values.empty()) return best;
  std::array<double, kSampleValues> sample;
  const size_t sample_count = std::min(values.size(), kSampleValues);
  for (size_t i = 0; i < sample_count; ++i) sample[i] = values[i * values.size() / sample_count];
  uint64_t best_cost = std::numeric_limits<uint64_t>::max();
  for (unsigned e = 0; e <= kAlpMaxExponent; ++e) {
    for (unsigned f = 0; f <= e; ++f) {
      uint64_t exceptions = 0;
      int64_t lo = std::numeric_limits<int64_t>::max();
      int64_t hi = std::numeric_limits<int64_t>::min();
      uint64_t cost = 0;
      for (size_t i = 0; i < sample_count && cost < best_cost; ++i) {
        int64_t n = 0;
        if (alp_encode_value(sample[i], e, f, &n)) {
          lo = std::min(lo, n);
          hi = std::max(hi, n);
        } else {
          ++exceptions;
        }
        // A bound that only grows: every sample not yet tried costs at least the width
        // so far (an exception's 80 bits are more than any width), so the pair is
        // dropped as soon as it cannot beat the best one; the choice is the same as
        // sampling every value. The last round's bound is the pair's exact cost.
        const unsigned width =
            lo > hi ? 0 : bitpack_width(static_cast<uint64_t>(hi) - static_cast<uint64_t>(lo));
        cost = exceptions * kExceptionBits + (sample_count - exceptions) * width;
      }
      if (cost < best_cost) {
        best_cost = cost;
        best = {e, f};
      }
    }
  }
  return best;
}

}  // namespace

Status alp_encode(std::span<const double> values, std::string* out) {
  TESSERA_RETURN_IF_ERROR(check_vector_size(kCodec, values.size()));
  const ExponentFactor ef = choose_exponent_factor(values);
  std::array<int64_t, kMaxVectorValues> ints;
  std::array<uint16_t, kMaxVectorValues> exception_positions;
  size_t exception_count = 0;
  bool has_filler = false;
  int64_t filler = 0;
  for (size_t i = 0; i < values.size(); ++i) {
    if (alp_encode_value(values[i], ef.e, ef.f, &ints[i])) {
      if (!has_filler) {
        has_filler = true;
        filler = ints[i];
      }
    } else {
      exception_positions[exception_count++] = static_cast<uint16_t>(i);
    }
  }
  // Exception slots get a value already in the range, so they widen nothing.
  for (size_t x = 0; x < exception_count; ++x) ints[exception_positions[x]] = filler;

  append_vector_count(out, values.size());
  append_u8(out, static_cast<uint8_t>(ef.e));
  append_u8(out, static_cast<uint8_t>(ef.f));
  append_u16(out, static_cast<uint16_t>(exception_count));
  append_frame_of_reference_body(std::span<const int64_t>(ints.data(), values.size()), out);
  for (size_t x = 0; x < exception_count; ++x) append_u16(out, exception_positions[x]);
  for (size_t x = 0; x < exception_count; ++x) {
    append_u64(out, std::bit_cast<uint64_t>(values[exception_positions[x]]));
  }
  return Status::ok();
}

Status alp_decode(std::string_view in, std::span<double> out) {
  ByteReader reader(in);
  TESSERA_RETURN_IF_ERROR(read_vector_count(&reader, kCodec, out.size()));
  uint8_t e = 0;
  uint8_t f = 0;
  uint16_t exception_count = 0;
  if (!reader.read_u8(&e) || !reader.read_u8(&f) || !read_u16(&reader, &exception_count)) {
    return codec_corruption(kCodec, "need a 4-byte exponent/factor/exception header at offset 2");
  }
  if (e > kAlpMaxExponent || f > e) {
    return codec_corruption(
        kCodec, "exponent " + std::to_string(e) + ", factor " + std::to_string(f) +
                    " outside 0 <= factor <= exponent <= " + std::to_string(kAlpMaxExponent));
  }
  if (exception_count > out.size()) {
    return codec_corruption(kCodec, std::to_string(exception_count) + " exceptions for " +
                                        std::to_string(out.size()) + " values");
  }
  std::array<int64_t, kMaxVectorValues> ints;
  TESSERA_RETURN_IF_ERROR(
      read_frame_of_reference_body(&reader, kCodec, std::span(ints.data(), out.size())));
  std::string_view positions;
  std::string_view exception_bits;
  if (!reader.read_bytes(size_t{2} * exception_count, &positions) ||
      !reader.read_bytes(size_t{8} * exception_count, &exception_bits)) {
    return codec_corruption(kCodec, std::to_string(exception_count) + " exceptions need " +
                                        std::to_string(10 * size_t{exception_count}) +
                                        " bytes, have " + std::to_string(reader.remaining()));
  }
  TESSERA_RETURN_IF_ERROR(expect_end(reader, kCodec));

  const std::span<const int64_t> encoded(ints.data(), out.size());
  const bool is_in_range = e == 0   ? scale_integers<false, false>(encoded, e, f, out)
                           : f == 0 ? scale_integers<false, true>(encoded, e, f, out)
                                    : scale_integers<true, true>(encoded, e, f, out);
  if (!is_in_range) {
    return codec_corruption(kCodec, "an encoded integer is outside the range +-2^51");
  }
  size_t next_allowed = 0;
  for (size_t x = 0; x < exception_count; ++x) {
    const size_t pos = static_cast<uint8_t>(positions[2 * x]) |
                       (static_cast<size_t>(static_cast<uint8_t>(positions[2 * x + 1])) << 8);
    if (pos < next_allowed || pos >= out.size()) {
      return codec_corruption(kCodec, "exception " + std::to_string(x) + " at position " +
                                          std::to_string(pos) +
                                          " is out of order or past the vector");
    }
    next_allowed = pos + 1;
    out[pos] = std::bit_cast<double>(load_u64(exception_bits.data() + 8 * x));
  }
  return Status::ok();
}

}  // namespace tessera::storage
