// Bit-packed arrays: 4 interleaved lanes of little-endian 64-bit words.
//
//   packed := row_word[words_per_lane][4]      (u64 little-endian each)
//   rows = ceil(n / 4), words_per_lane = ceil(rows * width / 64)
//   value j = bits [k*width, (k+1)*width) of lane j % 4, k = j / 4
//
// See docs/format/codecs.md, "Bit-packed array".
#include "storage/codec/bitpack.h"

#include <array>
#include <bit>
#include <cstring>
#include <numeric>
#include <utility>
#include <vector>
#include <xsimd/xsimd.hpp>

#include "storage/base/little_endian.h"

namespace tessera::storage {
namespace {

constexpr uint64_t width_mask(unsigned width) {
  return width >= 64 ? ~uint64_t{0} : (uint64_t{1} << width) - 1;
}

size_t words_per_lane(size_t value_count, unsigned width) {
  const size_t rows = (value_count + kBitpackLanes - 1) / kBitpackLanes;
  return (rows * width + 63) / 64;
}

Status check_unpack_args(std::string_view in, unsigned width, size_t value_count) {
  if (width > 64) {
    return make_error(ErrorCode::kCorruption,
                      "bitpack: width " + std::to_string(width) + " over 64");
  }
  const size_t want = bitpack_bytes(value_count, width);
  if (in.size() != want) {
    return make_error(ErrorCode::kCorruption, "bitpack: " + std::to_string(value_count) +
                                                  " values at width " + std::to_string(width) +
                                                  " need " + std::to_string(want) +
                                                  " bytes, have " + std::to_string(in.size()));
  }
  return Status::ok();
}

// Lane word `word` of lane `lane`, read byte-wise safe from any alignment.
uint64_t lane_word(const char* data, size_t word, size_t lane) {
  return load_u64(data + (word * kBitpackLanes + lane) * 8);
}

uint64_t scalar_value(const char* data, unsigned width, size_t j) {
  if (width == 0) return 0;
  const size_t lane = j % kBitpackLanes;
  const size_t bit = (j / kBitpackLanes) * width;
  const size_t word = bit / 64;
  const unsigned shift = bit % 64;
  uint64_t v = lane_word(data, word, lane) >> shift;
  if (shift + width > 64) v |= lane_word(data, word + 1, lane) << (64 - shift);
  return v & width_mask(width);
}

using Batch = xsimd::batch<uint64_t, xsimd::avx2>;

// Row r of a run of rows that starts on a word boundary, unpacked into
// dst[4r .. 4r+4). R and W are constants, so the word offsets, the shifts and
// the spill test are too (shifts by an immediate, no branch).
template <unsigned W, unsigned R>
void unpack_row(const uint64_t* words, Batch mask, Batch add, uint64_t* dst) {
  constexpr unsigned kWord = R * W / 64;
  constexpr unsigned kShift = R * W % 64;
  Batch v = Batch::load_unaligned(words + kWord * kBitpackLanes) >> kShift;
  if constexpr (kShift + W > 64) {
    v |= Batch::load_unaligned(words + (kWord + 1) * kBitpackLanes) << (64 - kShift);
  }
  ((v & mask) + add).store_unaligned(dst + R * kBitpackLanes);
}

template <unsigned W, unsigned... R>
void unpack_period(const uint64_t* words, Batch mask, Batch add, uint64_t* dst,
                   std::integer_sequence<unsigned, R...>) {
  (unpack_row<W, R>(words, mask, add, dst), ...);
}

// Unpacks `rows` full rows (4 values each) into out[0 .. 4*rows). The shift
// pattern repeats every kPeriodRows = 64 / gcd(W, 64) rows, which span
// kPeriodWords whole words per lane; each period is unrolled at compile time.
template <unsigned W>
void unpack_rows(const char* data, size_t rows, uint64_t base, uint64_t* out) {
  constexpr unsigned kPeriodRows = 64 / std::gcd(W, 64u);
  constexpr unsigned kPeriodWords = kPeriodRows * W / 64;
  const Batch mask(width_mask(W));
  const Batch add(base);
  // The stream is not necessarily aligned; load_unaligned has no alignment need.
  const auto* words = reinterpret_cast<const uint64_t*>(data);
  size_t k = 0;
  for (; k + kPeriodRows <= rows; k += kPeriodRows) {
    unpack_period<W>(words + (k / kPeriodRows) * kPeriodWords * kBitpackLanes, mask, add,
                     out + k * kBitpackLanes, std::make_integer_sequence<unsigned, kPeriodRows>());
  }
  for (; k < rows; ++k) {
    const size_t bit = k * W;
    const size_t word = bit / 64;
    const unsigned shift = bit % 64;
    Batch v = Batch::load_unaligned(words + word * kBitpackLanes) >> shift;
    if (shift + W > 64) {
      v |= Batch::load_unaligned(words + (word + 1) * kBitpackLanes) << (64 - shift);
    }
    ((v & mask) + add).store_unaligned(out + k * kBitpackLanes);
  }
}

template <>
void unpack_rows<0>(const char*, size_t rows, uint64_t base, uint64_t* out) {
  const Batch add(base);
  for (size_t k = 0; k < rows; ++k) add.store_unaligned(out + k * kBitpackLanes);
}

using UnpackRowsFn = void (*)(const char*, size_t, uint64_t, uint64_t*);

template <size_t... W>
constexpr std::array<UnpackRowsFn, sizeof...(W)> make_unpack_table(std::index_sequence<W...>) {
  return {&unpack_rows<static_cast<unsigned>(W)>...};
}

constexpr auto kUnpackRows = make_unpack_table(std::make_index_sequence<65>());

}  // namespace

size_t bitpack_bytes(size_t value_count, unsigned width) {
  return words_per_lane(value_count, width) * kBitpackLanes * 8;
}

unsigned bitpack_width(uint64_t v) { return static_cast<unsigned>(std::bit_width(v)); }

void bitpack_pack(std::span<const uint64_t> values, unsigned width, std::string* out) {
  const size_t lane_words = words_per_lane(values.size(), width);
  std::vector<uint64_t> words(lane_words * kBitpackLanes, 0);
  if (width > 0) {
    for (size_t j = 0; j < values.size(); ++j) {
      const size_t lane = j % kBitpackLanes;
      const size_t bit = (j / kBitpackLanes) * width;
      const size_t word = bit / 64;
      const unsigned shift = bit % 64;
      const uint64_t v = values[j] & width_mask(width);
      words[word * kBitpackLanes + lane] |= v << shift;
      if (shift + width > 64) words[(word + 1) * kBitpackLanes + lane] |= v >> (64 - shift);
    }
  }
  for (uint64_t w : words) append_u64(out, w);
}

Status bitpack_unpack(std::string_view in, unsigned width, uint64_t base, std::span<uint64_t> out) {
  TESSERA_RETURN_IF_ERROR(check_unpack_args(in, width, out.size()));
  const size_t full_rows = out.size() / kBitpackLanes;
  kUnpackRows[width](in.data(), full_rows, base, out.data());
  // The last, partial row: the stream holds a full row (zero padded), so
  // decode it into a scratch row and copy what the caller asked for.
  const size_t tail = out.size() % kBitpackLanes;
  if (tail != 0) {
    for (size_t j = full_rows * kBitpackLanes; j < out.size(); ++j) {
      out[j] = scalar_value(in.data(), width, j) + base;
    }
  }
  return Status::ok();
}

Status bitpack_unpack_scalar(std::string_view in, unsigned width, uint64_t base,
                             std::span<uint64_t> out) {
  TESSERA_RETURN_IF_ERROR(check_unpack_args(in, width, out.size()));
  for (size_t j = 0; j < out.size(); ++j) out[j] = scalar_value(in.data(), width, j) + base;
  return Status::ok();
}

}  // namespace tessera::storage
