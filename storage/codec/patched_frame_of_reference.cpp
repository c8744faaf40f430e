// Patched frame-of-reference body (docs/format/codecs.md, "patched_delta"):
//
//   body := width u8 (0..64) | min i64 | exception_count u16 (<= 64, <= count)
//           | exception_count × position u16 (strictly increasing, < count)
//           | exception_count × value u64
//           | bitpacked[bitpack_bytes(count, width)] of (value - min), 0 at exceptions
//
// The encoder sorts the values' two ends and tries every split of up to 64 outliers
// between the low and the high end, keeping the one with the fewest bits
// (count × width + 80 per exception).
#include "storage/codec/patched_frame_of_reference.h"

#include <algorithm>
#include <array>

#include "storage/base/little_endian.h"
#include "storage/codec/bitpack.h"
#include "storage/codec/codec_format.h"
#include "storage/codec/vector_header.h"

namespace tessera::storage {
namespace {

constexpr uint64_t kExceptionBits = 16 + 64;  // position u16 + value u64

uint64_t u(int64_t v) { return static_cast<uint64_t>(v); }

}  // namespace

void append_patched_body(std::span<const int64_t> values, std::string* out) {
  const size_t n = values.size();
  // Only the kMaxPatchExceptions + 1 lowest and highest values are ever read: those
  // ends are sorted, the middle is left in any order (nth_element is linear).
  std::array<int64_t, kMaxVectorValues> sorted;
  std::copy(values.begin(), values.end(), sorted.begin());
  const auto begin = sorted.begin();
  const auto end = sorted.begin() + static_cast<std::ptrdiff_t>(n);
  constexpr std::ptrdiff_t kEnd = kMaxPatchExceptions + 1;
  if (end - begin <= 2 * kEnd) {
    std::sort(begin, end);
  } else {
    std::nth_element(begin, begin + kEnd, end);
    std::sort(begin, begin + kEnd);
    std::nth_element(begin + kEnd, end - kEnd, end);
    std::sort(end - kEnd, end);
  }
  size_t best_lo = 0, best_hi = 0;
  uint64_t best_bits = UINT64_MAX;
  for (size_t lo = 0; lo <= kMaxPatchExceptions && lo < n; ++lo) {
    // No split with `lo` low outliers is narrower than the one with the most high
    // ones, so n times that width bounds every split from below: splits that cannot
    // beat the best are skipped, and the choice is the one trying all of them made.
    const size_t most_hi = std::min(kMaxPatchExceptions - lo, n - 1 - lo);
    const uint64_t narrowest = n * bitpack_width(u(sorted[n - 1 - most_hi]) - u(sorted[lo]));
    for (size_t hi = 0; hi <= most_hi; ++hi) {
      if (narrowest + (lo + hi) * kExceptionBits >= best_bits) break;
      const unsigned width = bitpack_width(u(sorted[n - 1 - hi]) - u(sorted[lo]));
      const uint64_t bits = n * width + (lo + hi) * kExceptionBits;
      if (bits < best_bits) {
        best_bits = bits;
        best_lo = lo;
        best_hi = hi;
      }
    }
  }
  const int64_t min = n == 0 ? 0 : sorted[best_lo];
  const int64_t max = n == 0 ? 0 : sorted[n - 1 - best_hi];
  // Values equal to the bounds are inliers, so there may be fewer exceptions
  // than lo + hi; never more.
  std::array<uint64_t, kMaxVectorValues> diffs;
  std::array<uint16_t, kMaxPatchExceptions> positions;
  size_t exceptions = 0;
  for (size_t i = 0; i < n; ++i) {
    if (values[i] < min || values[i] > max) {
      positions[exceptions++] = static_cast<uint16_t>(i);
      diffs[i] = 0;
    } else {
      diffs[i] = u(values[i]) - u(min);
    }
  }
  const unsigned width = bitpack_width(u(max) - u(min));
  append_u8(out, static_cast<uint8_t>(width));
  append_u64(out, u(min));
  append_u16(out, static_cast<uint16_t>(exceptions));
  for (size_t x = 0; x < exceptions; ++x) append_u16(out, positions[x]);
  for (size_t x = 0; x < exceptions; ++x) append_u64(out, u(values[positions[x]]));
  bitpack_pack(std::span<const uint64_t>(diffs.data(), n), width, out);
}

Status read_patched_body(ByteReader* reader, std::string_view codec, std::span<int64_t> out) {
  uint8_t width = 0;
  uint64_t min = 0;
  uint16_t exceptions = 0;
  if (!reader->read_u8(&width) || !reader->read_u64(&min) || !read_u16(reader, &exceptions)) {
    return codec_corruption(
        codec, "need an 11-byte patched header at offset " + std::to_string(reader->offset()));
  }
  if (width > kMaxBitWidth) {
    return codec_corruption(codec, "bit width " + std::to_string(width) + " over 64");
  }
  if (exceptions > kMaxPatchExceptions || exceptions > out.size()) {
    return codec_corruption(codec, std::to_string(exceptions) + " exceptions for " +
                                       std::to_string(out.size()) + " values (limit " +
                                       std::to_string(kMaxPatchExceptions) + ")");
  }
  std::string_view positions, values, packed;
  if (!reader->read_bytes(size_t{2} * exceptions, &positions) ||
      !reader->read_bytes(size_t{8} * exceptions, &values) ||
      !reader->read_bytes(bitpack_bytes(out.size(), width), &packed)) {
    return codec_corruption(codec, "exceptions or packed values run past the end at offset " +
                                       std::to_string(reader->offset()));
  }
  TESSERA_RETURN_IF_ERROR(
      bitpack_unpack(packed, width, min,
                     std::span<uint64_t>(reinterpret_cast<uint64_t*>(out.data()), out.size())));
  size_t previous = 0;
  for (size_t x = 0; x < exceptions; ++x) {
    const size_t position = static_cast<uint8_t>(positions[2 * x]) |
                            (size_t{static_cast<uint8_t>(positions[2 * x + 1])} << 8);
    if (position >= out.size() || (x > 0 && position <= previous)) {
      return codec_corruption(
          codec, "exception position " + std::to_string(position) + " out of order or range");
    }
    previous = position;
    out[position] = static_cast<int64_t>(load_u64(values.data() + 8 * x));
  }
  return Status::ok();
}

}  // namespace tessera::storage
