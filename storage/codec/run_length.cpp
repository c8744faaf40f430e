// run_length payload (docs/format/codecs.md, "run_length"):
//
//   payload := count u16 | run_count u16 (0 iff count = 0, else 1..count)
//              | frame_of_reference body of the run_count run values
//              | frame_of_reference body of the run_count (length - 1)
//
// The run lengths must add up to count exactly.
#include "storage/codec/run_length.h"

#include <array>

#include "storage/base/byte_reader.h"
#include "storage/codec/codec_format.h"
#include "storage/codec/frame_of_reference.h"
#include "storage/codec/vector_header.h"

namespace tessera::storage {
namespace {
constexpr std::string_view kCodec = "run_length";
}  // namespace

Status run_length_encode(std::span<const int64_t> values, std::string* out) {
  TESSERA_RETURN_IF_ERROR(check_vector_size(kCodec, values.size()));
  std::array<int64_t, kMaxVectorValues> run_values;
  std::array<int64_t, kMaxVectorValues> run_lengths_minus_one;
  size_t runs = 0;
  for (size_t i = 0; i < values.size();) {
    size_t j = i + 1;
    while (j < values.size() && values[j] == values[i]) ++j;
    run_values[runs] = values[i];
    run_lengths_minus_one[runs] = static_cast<int64_t>(j - i - 1);
    ++runs;
    i = j;
  }
  append_vector_count(out, values.size());
  append_u16(out, static_cast<uint16_t>(runs));
  append_frame_of_reference_body(std::span<const int64_t>(run_values.data(), runs), out);
  append_frame_of_reference_body(std::span<const int64_t>(run_lengths_minus_one.data(), runs), out);
  return Status::ok();
}

Status run_length_decode(std::string_view in, std::span<int64_t> out) {
  ByteReader reader(in);
  TESSERA_RETURN_IF_ERROR(read_vector_count(&reader, kCodec, out.size()));
  uint16_t runs = 0;
  if (!read_u16(&reader, &runs)) return codec_corruption(kCodec, "missing run count at offset 2");
  if (runs > out.size() || (runs == 0) != out.empty()) {
    return codec_corruption(kCodec, "run count " + std::to_string(runs) + " for " +
                                        std::to_string(out.size()) + " values");
  }
  std::array<int64_t, kMaxVectorValues> run_values;
  std::array<int64_t, kMaxVectorValues> run_lengths_minus_one;
  TESSERA_RETURN_IF_ERROR(
      read_frame_of_reference_body(&reader, kCodec, std::span(run_values.data(), runs)));
  TESSERA_RETURN_IF_ERROR(
      read_frame_of_reference_body(&reader, kCodec, std::span(run_lengths_minus_one.data(), runs)));
  TESSERA_RETURN_IF_ERROR(expect_end(reader, kCodec));
  size_t pos = 0;
  for (size_t r = 0; r < runs; ++r) {
    const int64_t minus_one = run_lengths_minus_one[r];
    // Checked before writing: a damaged length must not run past `out`.
    if (minus_one < 0 || static_cast<uint64_t>(minus_one) >= out.size() - pos) {
      return codec_corruption(kCodec, "run " + std::to_string(r) + " of length " +
                                          std::to_string(minus_one) + "+1 overruns " +
                                          std::to_string(out.size()) + " values at position " +
                                          std::to_string(pos));
    }
    const size_t end = pos + static_cast<size_t>(minus_one) + 1;
    for (; pos < end; ++pos) out[pos] = run_values[r];
  }
  if (pos != out.size()) {
    return codec_corruption(kCodec, "runs cover " + std::to_string(pos) + " of " +
                                        std::to_string(out.size()) + " values");
  }
  return Status::ok();
}

}  // namespace tessera::storage
