// Encoded vector (docs/format/codecs.md, "Encoded vector"):
//
//   encoded_vector := encoding_id u8 | payload of that encoding
#include "storage/codec/codec_registry.h"

#include "storage/base/little_endian.h"
#include "storage/codec/alp.h"
#include "storage/codec/delta.h"
#include "storage/codec/frame_of_reference.h"
#include "storage/codec/gorilla_xor.h"
#include "storage/codec/patched_delta.h"
#include "storage/codec/plain_vector.h"
#include "storage/codec/run_length.h"
#include "storage/codec/vector_header.h"

namespace tessera::storage {
namespace {

constexpr std::string_view kCodec = "encoded vector";

Error wrong_type(EncodingId id, std::string_view type) {
  return make_error(ErrorCode::kInvalidInput,
                    std::string(encoding_name(id)) + " does not encode " + std::string(type));
}

// Appends id + payload, or leaves `out` as it was on error.
template <typename T, typename Encode>
Status append_with_id(EncodingId id, std::span<const T> values, Encode encode, std::string* out) {
  const size_t start = out->size();
  append_u8(out, static_cast<uint8_t>(id));
  Status status = encode(values, out);
  if (!status.is_ok()) out->resize(start);
  return status;
}

// Keeps the smaller of `best` and `candidate`, earlier candidates winning ties.
void keep_smaller(std::string* best, std::string* candidate) {
  if (best->empty() || candidate->size() < best->size()) best->swap(*candidate);
  candidate->clear();
}

}  // namespace

std::string_view encoding_name(EncodingId id) {
  switch (id) {
    case EncodingId::kPlain:
      return "plain";
    case EncodingId::kFrameOfReference:
      return "frame_of_reference";
    case EncodingId::kDelta:
      return "delta";
    case EncodingId::kRunLength:
      return "run_length";
    case EncodingId::kAlp:
      return "alp";
    case EncodingId::kGorillaXor:
      return "gorilla_xor";
    case EncodingId::kPatchedDelta:
      return "patched_delta";
  }
  return "unknown";
}

Result<EncodingId> read_encoding_id(std::string_view in) {
  if (in.empty()) return codec_corruption(kCodec, "empty, no encoding id");
  const uint8_t id = static_cast<uint8_t>(in[0]);
  if (id < static_cast<uint8_t>(EncodingId::kPlain) ||
      id > static_cast<uint8_t>(EncodingId::kPatchedDelta)) {
    return codec_corruption(kCodec, "unknown encoding id " + std::to_string(id));
  }
  return static_cast<EncodingId>(id);
}

Status encode_int64_vector_as(EncodingId id, std::span<const int64_t> values, std::string* out) {
  switch (id) {
    case EncodingId::kPlain:
      return append_with_id(
          id, values,
          [](std::span<const int64_t> v, std::string* o) { return plain_vector_encode(v, o); },
          out);
    case EncodingId::kFrameOfReference:
      return append_with_id(id, values, frame_of_reference_encode, out);
    case EncodingId::kDelta:
      return append_with_id(
          id, values,
          [](std::span<const int64_t> v, std::string* o) {
            return delta_encode(v, DeltaOrder::kDelta, o);
          },
          out);
    case EncodingId::kRunLength:
      return append_with_id(id, values, run_length_encode, out);
    case EncodingId::kPatchedDelta:
      return append_with_id(id, values, patched_delta_encode, out);
    case EncodingId::kAlp:
    case EncodingId::kGorillaXor:
      break;
  }
  return wrong_type(id, "int64");
}

Status encode_double_vector_as(EncodingId id, std::span<const double> values, std::string* out) {
  switch (id) {
    case EncodingId::kPlain:
      return append_with_id(
          id, values,
          [](std::span<const double> v, std::string* o) { return plain_vector_encode(v, o); }, out);
    case EncodingId::kAlp:
      return append_with_id(id, values, alp_encode, out);
    case EncodingId::kGorillaXor:
      return append_with_id(id, values, gorilla_xor_encode, out);
    case EncodingId::kFrameOfReference:
    case EncodingId::kDelta:
    case EncodingId::kRunLength:
    case EncodingId::kPatchedDelta:
      break;
  }
  return wrong_type(id, "double");
}

Status encode_int64_vector(std::span<const int64_t> values, std::string* out) {
  TESSERA_RETURN_IF_ERROR(check_vector_size(kCodec, values.size()));
  std::string best;
  std::string candidate;
  for (EncodingId id : {EncodingId::kPlain, EncodingId::kFrameOfReference, EncodingId::kDelta,
                        EncodingId::kRunLength}) {
    TESSERA_RETURN_IF_ERROR(encode_int64_vector_as(id, values, &candidate));
    keep_smaller(&best, &candidate);
  }
  // The second delta order shares id kDelta; its order byte tells them apart.
  TESSERA_RETURN_IF_ERROR(append_with_id(
      EncodingId::kDelta, values,
      [](std::span<const int64_t> v, std::string* o) {
        return delta_encode(v, DeltaOrder::kDeltaOfDelta, o);
      },
      &candidate));
  keep_smaller(&best, &candidate);
  TESSERA_RETURN_IF_ERROR(encode_int64_vector_as(EncodingId::kPatchedDelta, values, &candidate));
  keep_smaller(&best, &candidate);
  out->append(best);
  return Status::ok();
}

Status encode_double_vector(std::span<const double> values, std::string* out) {
  TESSERA_RETURN_IF_ERROR(check_vector_size(kCodec, values.size()));
  std::string best;
  std::string candidate;
  for (EncodingId id : {EncodingId::kPlain, EncodingId::kAlp, EncodingId::kGorillaXor}) {
    TESSERA_RETURN_IF_ERROR(encode_double_vector_as(id, values, &candidate));
    keep_smaller(&best, &candidate);
  }
  out->append(best);
  return Status::ok();
}

Status decode_int64_vector(std::string_view in, std::span<int64_t> out) {
  TESSERA_ASSIGN_OR_RETURN(EncodingId id, read_encoding_id(in));
  const std::string_view payload = in.substr(1);
  switch (id) {
    case EncodingId::kPlain:
      return plain_vector_decode(payload, out);
    case EncodingId::kFrameOfReference:
      return frame_of_reference_decode(payload, out);
    case EncodingId::kDelta:
      return delta_decode(payload, out);
    case EncodingId::kRunLength:
      return run_length_decode(payload, out);
    case EncodingId::kPatchedDelta:
      return patched_delta_decode(payload, out);
    case EncodingId::kAlp:
    case EncodingId::kGorillaXor:
      break;
  }
  return codec_corruption(kCodec, std::string(encoding_name(id)) + " is not an int64 encoding");
}

Status decode_double_vector(std::string_view in, std::span<double> out) {
  TESSERA_ASSIGN_OR_RETURN(EncodingId id, read_encoding_id(in));
  const std::string_view payload = in.substr(1);
  switch (id) {
    case EncodingId::kPlain:
      return plain_vector_decode(payload, out);
    case EncodingId::kAlp:
      return alp_decode(payload, out);
    case EncodingId::kGorillaXor:
      return gorilla_xor_decode(payload, out);
    case EncodingId::kFrameOfReference:
    case EncodingId::kDelta:
    case EncodingId::kRunLength:
    case EncodingId::kPatchedDelta:
      break;
  }
  return codec_corruption(kCodec, std::string(encoding_name(id)) + " is not a double encoding");
}

}  // namespace tessera::storage
