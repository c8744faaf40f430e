// QuantileSketch: logarithmic buckets, exact merge, and its byte layout.
//
// Serialized layout (little-endian; varint = unsigned LEB128 of at most 10 bytes,
// zigzag = signed value zigzag-mapped to unsigned, then varint):
//
//   magic     4 bytes  "TQS" followed by version byte 0x01; the version fixes the
//                      relative accuracy (0.005) and the bucket limit (2048)
//   zero      varint   count of zeros (including -0.0)
//   neg_inf   varint   count of -infinity
//   pos_inf   varint   count of +infinity
//   positive  store    buckets of values > 0
//   negative  store    buckets of values < 0, by magnitude
//   min, max  2 x 8    IEEE-754 doubles, present only when the total count > 0
//
//   store := n varint (0..2048) [offset zigzag, n x count varint] (only when n > 0)
//            bucket offset + k has count k; the first and last counts are non-zero;
//            every index lies within +-80,000.
//
// Checks on read, each a kCorruption naming the byte offset: magic and version,
// truncation, over-long varints, bucket count limit, index range, zero end
// buckets, total count overflow, NaN or misordered min/max, min/max that disagree
// with the lowest/highest non-empty class, trailing bytes.
//
// Example: an empty sketch is 54 51 53 01 00 00 00 00 00 (9 bytes). The sketch of
// the single value 1.0 is 54 51 53 01 00 00 00 | 01 00 01 | 00 | then min and max
// 00 00 00 00 00 00 f0 3f twice (log_gamma(1) = 0, so bucket 0, zigzag 0).
#include "storage/block/quantile_sketch.h"

#include <algorithm>
#include <bit>
#include <cassert>
#include <cmath>
#include <limits>

#include "storage/base/byte_reader.h"
#include "storage/base/little_endian.h"

namespace tessera::storage {
namespace {

constexpr char kMagic[4] = {'T', 'Q', 'S', '\x01'};
constexpr double kInfinity = std::numeric_limits<double>::infinity();

const double kGamma = (1 + kQuantileSketchRelativeAccuracy) / (1 - kQuantileSketchRelativeAccuracy);
const double kLogGamma = std::log(kGamma);
const double kInverseLogGamma = 1 / kLogGamma;
// log of the factor 2 / (gamma + 1) that maps a bucket's upper bound to the point
// of equal relative distance from both of its bounds.
const double kLogRepresentativeFactor = std::log(2 / (kGamma + 1));

// Requires: 0 < magnitude < infinity.
int32_t bucket_index(double magnitude) {
  return static_cast<int32_t>(std::ceil(std::log(magnitude) * kInverseLogGamma));
}

double bucket_value(int32_t index) {
  return std::exp(index * kLogGamma + kLogRepresentativeFactor);
}

void append_varint(std::string* out, uint64_t v) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

uint64_t zigzag(int64_t v) {
  return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
}

int64_t unzigzag(uint64_t v) { return static_cast<int64_t>(v >> 1) ^ -static_cast<int64_t>(v & 1); }

Error corruption(size_t offset, std::string_view what) {
  return make_error(ErrorCode::kCorruption,
                    "quantile sketch @ " + std::to_string(offset) + ": " + std::string(what));
}

Status read_varint(ByteReader& reader, std::string_view field, uint64_t* out) {
  const size_t start = reader.offset();
  uint64_t value = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    uint8_t byte;
    if (!reader.read_u8(&byte)) return corruption(start, std::string(field) + ": truncated");
    // The tenth byte may only carry the 64th bit.
    if (shift == 63 && byte > 1) {
      return corruption(start, std::string(field) + ": varint overflows 64 bits");
    }
    value |= static_cast<uint64_t>(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) {
      *out = value;
      return Status::ok();
    }
  }
  return corruption(start, std::string(field) + ": varint longer than 10 bytes");
}

Status add_count(size_t offset, uint64_t n, uint64_t* total) {
  if (n > std::numeric_limits<uint64_t>::max() - *total) {
    return corruption(offset, "total count overflows 64 bits");
  }
  *total += n;
  return Status::ok();
}

}  // namespace

std::pair<int32_t, int32_t> QuantileSketch::Store::span_with(int32_t other_lo,
                                                             int32_t other_hi) const {
  int32_t lo = other_lo;
  int32_t hi = other_hi;
  if (!empty()) {
    lo = std::min(lo, offset);
    hi = std::max(hi, max_index());
  }
  // Collapse the lowest buckets: keep the top kQuantileSketchMaxBuckets.
  lo = std::max(lo, hi - static_cast<int32_t>(kQuantileSketchMaxBuckets) + 1);
  return {lo, hi};
}

void QuantileSketch::Store::resize_to(int32_t lo, int32_t hi) {
  assert(hi >= lo && hi - lo < static_cast<int32_t>(kQuantileSketchMaxBuckets));
  if (!empty() && lo == offset && hi == max_index()) return;
  std::vector<uint64_t> resized(static_cast<size_t>(hi - lo) + 1, 0);
  for (size_t k = 0; k < counts.size(); ++k) {
    const int32_t index = std::max(offset + static_cast<int32_t>(k), lo);
    resized[static_cast<size_t>(index - lo)] += counts[k];
  }
  counts = std::move(resized);
  offset = lo;
}

void QuantileSketch::Store::add(int32_t index, uint64_t n) {
  assert(n > 0);
  if (empty() || index < offset || index > max_index()) {
    const auto [lo, hi] = span_with(index, index);
    resize_to(lo, hi);
  }
  counts[static_cast<size_t>(std::max(index, offset) - offset)] += n;
}

void QuantileSketch::Store::merge(const Store& other) {
  if (other.empty()) return;
  const auto [lo, hi] = span_with(other.offset, other.max_index());
  resize_to(lo, hi);
  for (size_t k = 0; k < other.counts.size(); ++k) {
    const int32_t index = std::max(other.offset + static_cast<int32_t>(k), offset);
    counts[static_cast<size_t>(index - offset)] += other.counts[k];
  }
}

QuantileSketch::QuantileSketch() = default;

void QuantileSketch::add(double value) {
  if (std::isnan(value)) return;
  if (value > 0) {
    if (value == kInfinity) {
      ++positive_infinity_count_;
    } else {
      positive_.add(bucket_index(value), 1);
    }
  } else if (value < 0) {
    if (value == -kInfinity) {
      ++negative_infinity_count_;
    } else {
      negative_.add(bucket_index(-value), 1);
    }
  } else {
    ++zero_count_;
    value = 0.0;  // -0.0 is stored as zero, so min/max never hold -0.0
  }
  if (count_ == 0) {
    min_ = max_ = value;
  } else {
    min_ = std::min(min_, value);
    max_ = std::max(max_, value);
  }
  ++count_;
}

void QuantileSketch::merge(const QuantileSketch& other) {
  if (other.count_ == 0) return;
  positive_.merge(other.positive_);
  negative_.merge(other.negative_);
  zero_count_ += other.zero_count_;
  positive_infinity_count_ += other.positive_infinity_count_;
  negative_infinity_count_ += other.negative_infinity_count_;
  if (count_ == 0) {
    min_ = other.min_;
    max_ = other.max_;
  } else {
    min_ = std::min(min_, other.min_);
    max_ = std::max(max_, other.max_);
  }
  count_ += other.count_;
}

uint64_t QuantileSketch::count() const { return count_; }

std::optional<double> QuantileSketch::quantile(double p) const {
  assert(p >= 0.0 && p <= 1.0);
  if (count_ == 0) return std::nullopt;
  // Nearest rank: the k-th smallest value, k = max(1, ceil(p * n)), 1-based.
  const double rank = std::ceil(p * static_cast<double>(count_));
  uint64_t k = rank < 1 ? 1 : static_cast<uint64_t>(rank);
  k = std::min(k, count_);
  if (k == 1) return min_;
  if (k == count_) return max_;

  const auto estimate = [&](double v) { return std::clamp(v, min_, max_); };
  uint64_t seen = negative_infinity_count_;
  if (seen >= k) return -kInfinity;
  for (size_t j = negative_.counts.size(); j-- > 0;) {
    seen += negative_.counts[j];
    if (seen >= k) return estimate(-bucket_value(negative_.offset + static_cast<int32_t>(j)));
  }
  seen += zero_count_;
  if (seen >= k) return estimate(0.0);
  for (size_t j = 0; j < positive_.counts.size(); ++j) {
    seen += positive_.counts[j];
    if (seen >= k) return estimate(bucket_value(positive_.offset + static_cast<int32_t>(j)));
  }
  // Only +infinity is left (or counts that wrapped after merging absurd sketches).
  return max_;
}

std::string QuantileSketch::serialize() const {
  std::string out(kMagic, sizeof kMagic);
  append_varint(&out, zero_count_);
  append_varint(&out, negative_infinity_count_);
  append_varint(&out, positive_infinity_count_);
  for (const Store* store : {&positive_, &negative_}) {
    append_varint(&out, store->counts.size());
    if (store->empty()) continue;
    append_varint(&out, zigzag(store->offset));
    for (uint64_t c : store->counts) append_varint(&out, c);
  }
  if (count_ > 0) {
    append_u64(&out, std::bit_cast<uint64_t>(min_));
    append_u64(&out, std::bit_cast<uint64_t>(max_));
  }
  return out;
}

Result<QuantileSketch> QuantileSketch::deserialize(std::string_view bytes) {
  ByteReader reader(bytes);
  std::string_view magic;
  if (!reader.read_bytes(sizeof kMagic, &magic)) return corruption(0, "truncated magic");
  if (magic.substr(0, 3) != std::string_view(kMagic, 3)) return corruption(0, "bad magic");
  if (magic[3] != kMagic[3]) {
    return corruption(3, "unsupported version " + std::to_string(static_cast<uint8_t>(magic[3])));
  }

  QuantileSketch sketch;
  uint64_t total = 0;
  TESSERA_RETURN_IF_ERROR(read_varint(reader, "zero count", &sketch.zero_count_));
  TESSERA_RETURN_IF_ERROR(add_count(reader.offset(), sketch.zero_count_, &total));
  TESSERA_RETURN_IF_ERROR(read_varint(reader, "-infinity count", &sketch.negative_infinity_count_));
  TESSERA_RETURN_IF_ERROR(add_count(reader.offset(), sketch.negative_infinity_count_, &total));
  TESSERA_RETURN_IF_ERROR(read_varint(reader, "+infinity count", &sketch.positive_infinity_count_));
  TESSERA_RETURN_IF_ERROR(add_count(reader.offset(), sketch.positive_infinity_count_, &total));

  for (Store* store : {&sketch.positive_, &sketch.negative_}) {
    const std::string name = store == &sketch.positive_ ? "positive" : "negative";
    const size_t store_offset = reader.offset();
    uint64_t n;
    TESSERA_RETURN_IF_ERROR(read_varint(reader, name + " bucket count", &n));
    if (n == 0) continue;
    if (n > kQuantileSketchMaxBuckets) {
      return corruption(store_offset, name + " bucket count " + std::to_string(n) + " exceeds " +
                                          std::to_string(kQuantileSketchMaxBuckets));
    }
    const size_t index_offset = reader.offset();
    uint64_t zigzag_index;
    TESSERA_RETURN_IF_ERROR(read_varint(reader, name + " first index", &zigzag_index));
    const int64_t first = unzigzag(zigzag_index);
    const int64_t last = first + static_cast<int64_t>(n) - 1;
    if (first < -kQuantileSketchMaxIndex || last > kQuantileSketchMaxIndex) {
      return corruption(index_offset, name + " bucket indexes [" + std::to_string(first) + ", " +
                                          std::to_string(last) + "] out of range");
    }
    // Every count takes at least one byte: refuse before allocating.
    if (n > reader.remaining()) {
      return corruption(reader.offset(), name + " buckets: " + std::to_string(n) +
                                             " counts need more than the " +
                                             std::to_string(reader.remaining()) + " bytes left");
    }
    store->offset = static_cast<int32_t>(first);
    store->counts.resize(n);
    for (uint64_t& c : store->counts) {
      TESSERA_RETURN_IF_ERROR(read_varint(reader, name + " bucket", &c));
      TESSERA_RETURN_IF_ERROR(add_count(reader.offset(), c, &total));
    }
    if (store->counts.front() == 0 || store->counts.back() == 0) {
      return corruption(store_offset, name + " store has an empty end bucket");
    }
  }
  sketch.count_ = total;

  if (total > 0) {
    const size_t min_offset = reader.offset();
    uint64_t min_bits;
    uint64_t max_bits;
    if (!reader.read_u64(&min_bits) || !reader.read_u64(&max_bits)) {
      return corruption(min_offset, "truncated min/max");
    }
    sketch.min_ = std::bit_cast<double>(min_bits);
    sketch.max_ = std::bit_cast<double>(max_bits);
    if (std::isnan(sketch.min_) || std::isnan(sketch.max_) || sketch.min_ > sketch.max_) {
      return corruption(min_offset, "min/max are NaN or out of order");
    }
    // The extremes must fall in the lowest and highest non-empty classes.
    const auto lowest_class_ok = [&](double v) {
      if (sketch.negative_infinity_count_ > 0) return v == -kInfinity;
      if (!sketch.negative_.empty()) return v < 0 && v > -kInfinity;
      if (sketch.zero_count_ > 0) return v == 0 && !std::signbit(v);
      if (!sketch.positive_.empty()) return v > 0 && v < kInfinity;
      return v == kInfinity;
    };
    const auto highest_class_ok = [&](double v) {
      if (sketch.positive_infinity_count_ > 0) return v == kInfinity;
      if (!sketch.positive_.empty()) return v > 0 && v < kInfinity;
      if (sketch.zero_count_ > 0) return v == 0 && !std::signbit(v);
      if (!sketch.negative_.empty()) return v < 0 && v > -kInfinity;
      return v == -kInfinity;
    };
    if (!lowest_class_ok(sketch.min_)) return corruption(min_offset, "min disagrees with buckets");
    if (!highest_class_ok(sketch.max_)) {
      return corruption(min_offset + 8, "max disagrees with buckets");
    }
  }
  if (!reader.at_end()) {
    return corruption(reader.offset(),
                      std::to_string(reader.remaining()) + " trailing bytes after the sketch");
  }
  return sketch;
}

}  // namespace tessera::storage
