// gorilla_xor payload (docs/format/codecs.md, "gorilla_xor"):
//
//   payload   := count u16 | bitstream, zero-padded to a whole byte
//   bitstream := [first: 64 bits] item{count - 1}
//   item      := '0'                                   xor = 0: same value
//              | '10' meaningful bits                  reuse the previous window
//              | '11' leading:6 (length-1):6 bits      new window
//
// Bits are written most significant first within each byte; multi-bit fields
// are written most significant bit first. `xor` = bits(v[i]) ^ bits(v[i-1]);
// the window is `leading` zero bits on top and `length` meaningful bits, the
// rest are zeros. '10' is only valid after a window was set.
#include "storage/codec/gorilla_xor.h"

#include <bit>
#include <cstdint>
#include <cstring>

#include "storage/base/byte_reader.h"
#include "storage/codec/vector_header.h"

namespace tessera::storage {
namespace {

constexpr std::string_view kCodec = "gorilla_xor";

// Bits most significant first, gathered in a 64-bit accumulator and flushed
// as 8 big-endian bytes at a time.
class BitWriter {
 public:
  explicit BitWriter(std::string* out) : out_(out) {}
  // Requires: 1 <= bits <= 64; `value` fits in `bits`.
  void write(uint64_t value, unsigned bits) {
    const unsigned free = 64 - used_;
    if (bits < free) {
      acc_ = (acc_ << bits) | value;
      used_ += bits;
      return;
    }
    const unsigned carry = bits - free;  // bits that go to the next word, < 64
    acc_ = (free == 64 ? 0 : acc_ << free) | (value >> carry);
    flush_word();
    acc_ = carry == 0 ? 0 : value & ((uint64_t{1} << carry) - 1);
    used_ = carry;
  }
  // Writes the partial last word, zero-padded to a whole byte.
  void finish() {
    if (used_ == 0) return;
    const uint64_t word = acc_ << (64 - used_);
    for (unsigned i = 0; i < (used_ + 7) / 8; ++i) {
      out_->push_back(static_cast<char>(word >> (56 - 8 * i)));
    }
    used_ = 0;
  }

 private:
  void flush_word() {
    for (int i = 0; i < 8; ++i) out_->push_back(static_cast<char>(acc_ >> (56 - 8 * i)));
  }
  std::string* out_;
  uint64_t acc_ = 0;
  unsigned used_ = 0;
};

class BitReader {
 public:
  explicit BitReader(std::string_view bytes) : bytes_(bytes) {}
  // Requires: bits <= 64. False, leaving *value unspecified, when fewer than
  // `bits` bits remain.
  bool read(unsigned bits, uint64_t* value) {
    if (bits > size_bits() - position_) return false;
    if (bits == 0) {
      *value = 0;
      return true;
    }
    if (uint64_t word = 0; peek64(&word)) {
      *value = word >> (64 - bits);
      position_ += bits;
      return true;
    }
    // The last bytes of the stream, bit by bit.
    uint64_t v = 0;
    for (unsigned need = bits; need > 0;) {
      const unsigned avail = 8 - position_ % 8;
      const unsigned take = need < avail ? need : avail;
      const uint8_t b = static_cast<uint8_t>(bytes_[position_ / 8]);
      v = (v << take) | ((b >> (avail - take)) & ((1u << take) - 1));
      need -= take;
      position_ += take;
    }
    *value = v;
    return true;
  }
  // The next 64 bits, most significant first, without consuming them; false
  // when fewer than 9 bytes remain from the current one.
  bool peek64(uint64_t* word) const {
    const size_t byte = position_ / 8;
    if (byte + 9 > bytes_.size()) return false;
    uint64_t w;
    std::memcpy(&w, bytes_.data() + byte, 8);
    const unsigned skip = position_ % 8;
    const auto next = static_cast<uint8_t>(bytes_[byte + 8]);
    *word = (__builtin_bswap64(w) << skip) | (skip == 0 ? 0 : next >> (8 - skip));
    return true;
  }
  // Requires: `bits` were just seen by peek64().
  void skip(unsigned bits) { position_ += bits; }
  size_t position() const { return position_; }
  size_t size_bits() const { return bytes_.size() * 8; }

 private:
  std::string_view bytes_;
  size_t position_ = 0;
};

}  // namespace

Status gorilla_xor_encode(std::span<const double> values, std::string* out) {
  TESSERA_RETURN_IF_ERROR(check_vector_size(kCodec, values.size()));
  append_vector_count(out, values.size());
  if (values.empty()) return Status::ok();
  BitWriter writer(out);
  uint64_t prev = std::bit_cast<uint64_t>(values[0]);
  writer.write(prev, 64);
  bool has_window = false;
  unsigned window_leading = 0;
  unsigned window_length = 0;
  for (size_t i = 1; i < values.size(); ++i) {
    const uint64_t bits = std::bit_cast<uint64_t>(values[i]);
    const uint64_t x = bits ^ prev;
    prev = bits;
    if (x == 0) {
      writer.write(0, 1);
      continue;
    }
    const unsigned leading = static_cast<unsigned>(std::countl_zero(x));
    const unsigned trailing = static_cast<unsigned>(std::countr_zero(x));
    if (has_window && leading >= window_leading &&
        trailing >= 64 - window_leading - window_length) {
      writer.write(0b10, 2);
      writer.write(x >> (64 - window_leading - window_length), window_length);
      continue;
    }
    has_window = true;
    window_leading = leading;
    window_length = 64 - leading - trailing;
    writer.write(0b11, 2);
    writer.write(leading, 6);
    writer.write(window_length - 1, 6);
    writer.write(x >> trailing, window_length);
  }
  writer.finish();
  return Status::ok();
}

Status gorilla_xor_decode(std::string_view in, std::span<double> out) {
  ByteReader header(in);
  TESSERA_RETURN_IF_ERROR(read_vector_count(&header, kCodec, out.size()));
  BitReader reader(in.substr(2));
  auto truncated = [&](size_t i) {
    return codec_corruption(kCodec, "bitstream ends inside value " + std::to_string(i) +
                                        " at bit " + std::to_string(reader.position()));
  };
  if (!out.empty()) {
    uint64_t prev = 0;
    if (!reader.read(64, &prev)) return truncated(0);
    out[0] = std::bit_cast<double>(prev);
    bool has_window = false;
    unsigned window_leading = 0;
    unsigned window_length = 0;
    for (size_t i = 1; i < out.size(); ++i) {
      // Fast path: the whole item inside one peeked word and well formed. Anything
      // else (the stream's last bytes, a window too wide to peek, a malformed
      // item) takes the bit-by-bit path below, which names the error.
      if (uint64_t w = 0; reader.peek64(&w)) {
        if ((w >> 63) == 0) {  // '0'
          reader.skip(1);
          out[i] = std::bit_cast<double>(prev);
          continue;
        }
        if ((w >> 62) == 0b10) {
          if (has_window && window_length <= 62) {
            prev ^= ((w << 2) >> (64 - window_length)) << (64 - window_leading - window_length);
            reader.skip(2 + window_length);
            out[i] = std::bit_cast<double>(prev);
            continue;
          }
        } else {  // '11'
          const auto leading = static_cast<unsigned>((w >> 56) & 63);
          const auto length = static_cast<unsigned>((w >> 50) & 63) + 1;
          if (leading + length <= 64 && length <= 50) {
            has_window = true;
            window_leading = leading;
            window_length = length;
            prev ^= ((w << 14) >> (64 - length)) << (64 - leading - length);
            reader.skip(14 + length);
            out[i] = std::bit_cast<double>(prev);
            continue;
          }
        }
      }
      uint64_t control = 0;
      if (!reader.read(1, &control)) return truncated(i);
      if (control == 1) {
        if (!reader.read(1, &control)) return truncated(i);
        if (control == 1) {
          uint64_t leading = 0;
          uint64_t length_minus_one = 0;
          if (!reader.read(6, &leading) || !reader.read(6, &length_minus_one)) {
            return truncated(i);
          }
          if (leading + length_minus_one + 1 > 64) {
            return codec_corruption(kCodec, "value " + std::to_string(i) + ": window of " +
                                                std::to_string(leading) + " leading and " +
                                                std::to_string(length_minus_one + 1) +
                                                " meaningful bits exceeds 64");
          }
          has_window = true;
          window_leading = static_cast<unsigned>(leading);
          window_length = static_cast<unsigned>(length_minus_one + 1);
        } else if (!has_window) {
          return codec_corruption(
              kCodec, "value " + std::to_string(i) + " reuses a window before any was set");
        }
        uint64_t meaningful = 0;
        if (!reader.read(window_length, &meaningful)) return truncated(i);
        prev ^= meaningful << (64 - window_leading - window_length);
      }
      out[i] = std::bit_cast<double>(prev);
    }
  }
  // Only the zero bits that pad the last byte may follow.
  const size_t padding = reader.size_bits() - reader.position();
  uint64_t pad_bits = 0;
  if (padding >= 8 || !reader.read(static_cast<unsigned>(padding), &pad_bits) || pad_bits != 0) {
    return codec_corruption(kCodec, std::to_string(padding) +
                                        " bits after the last value; only zero padding of "
                                        "under 8 bits is allowed");
  }
  return Status::ok();
}

}  // namespace tessera::storage
