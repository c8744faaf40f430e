// Vector chunk layout (docs/format/segment.md, "Vector chunks"):
//   time_chunk   := vector_seq
//   column_chunk := null_kind u8 | [bitmap | vector_seq] | values
//   vector_seq   := ceil(rows / 1024) × (vector_bytes u16 | encoded_vector)
// Encoded vectors are codec_registry's (docs/format/codecs.md, "Encoded vector").
#include "storage/segment/vector_chunk.h"

#include <algorithm>
#include <array>

#include "storage/base/byte_reader.h"
#include "storage/base/little_endian.h"
#include "storage/codec/codec_format.h"
#include "storage/codec/codec_registry.h"
#include "storage/codec/vector_header.h"
#include "storage/segment/chunk_dictionary.h"

namespace tessera::storage {
namespace {

// The smallest framed vector: a u16 length, an id byte and a u16 value count.
// Bounding the row count by it before allocating keeps a tiny chunk from
// claiming millions of rows.
constexpr size_t kMinFramedVectorBytes = 5;

Error corrupt(std::string message) {
  return make_error(ErrorCode::kCorruption, std::move(message));
}

uint64_t bitmap_bytes(uint64_t rows) { return (rows + 7) / 8; }
uint64_t vector_count(uint64_t rows) { return (rows + kVectorValues - 1) / kVectorValues; }

// Appends the vector's encoding prefixed by its u16 length. Encode-by-trying
// never picks anything larger than plain (3 + 8 × 1024 bytes), so it fits.
template <typename T, typename Encode>
void append_vector_seq(std::span<const T> values, Encode encode, std::string* out) {
  std::string vector;
  for (size_t start = 0; start < values.size(); start += kVectorValues) {
    const size_t n = std::min(kVectorValues, values.size() - start);
    vector.clear();
    // Cannot fail: n <= kMaxVectorValues.
    (void)encode(values.subspan(start, n), &vector);
    append_u16(out, static_cast<uint16_t>(vector.size()));
    out->append(vector);
  }
}

void append_int_vectors(std::span<const int64_t> values, std::string* out) {
  append_vector_seq(
      values, [](std::span<const int64_t> v, std::string* o) { return encode_int64_vector(v, o); },
      out);
}

void append_bitmap(const std::vector<uint8_t>& bits, std::string* out) {
  std::string bitmap(static_cast<size_t>(bitmap_bytes(bits.size())), '\0');
  for (size_t row = 0; row < bits.size(); ++row) {
    if (bits[row] != 0) bitmap[row / 8] = static_cast<char>(bitmap[row / 8] | (1 << (row % 8)));
  }
  out->append(bitmap);
}

// The null section: whichever of the bitmap and run-friendly vectors is smaller.
void append_null_section(const Column& column, std::string* out) {
  if (!column.has_nulls()) {
    append_u8(out, kNullsAbsent);
    return;
  }
  std::string bitmap;
  append_bitmap(column.valid, &bitmap);
  std::vector<int64_t> valid(column.valid.begin(), column.valid.end());
  std::string vectors;
  append_int_vectors(valid, &vectors);
  if (vectors.size() < bitmap.size()) {
    append_u8(out, kNullsVectors);
    out->append(vectors);
  } else {
    append_u8(out, kNullsBitmap);
    out->append(bitmap);
  }
}

// Checks that `rows` vectors of at least kMinFramedVectorBytes can fit in what is left.
Status check_room(const ByteReader& reader, uint64_t rows, std::string_view what) {
  if (vector_count(rows) > reader.remaining() / kMinFramedVectorBytes) {
    return corrupt(std::string(what) + ": " + std::to_string(rows) + " rows cannot fit in " +
                   std::to_string(reader.remaining()) + " bytes");
  }
  return Status::ok();
}

// Reads one framed vector and hands its bytes and value range to `decode`.
template <typename Decode>
Status read_vector_seq(ByteReader* reader, uint64_t rows, std::string_view what, Decode decode) {
  TESSERA_RETURN_IF_ERROR(check_room(*reader, rows, what));
  for (uint64_t start = 0; start < rows; start += kVectorValues) {
    const size_t n = static_cast<size_t>(std::min<uint64_t>(kVectorValues, rows - start));
    uint16_t length = 0;
    std::string_view bytes;
    if (!read_u16(reader, &length) || !reader->read_bytes(length, &bytes)) {
      return corrupt(std::string(what) + ": vector at row " + std::to_string(start) +
                     " runs past the chunk end");
    }
    Status status = decode(bytes, static_cast<size_t>(start), n);
    if (!status.is_ok()) {
      return corrupt(std::string(what) + ": vector at row " + std::to_string(start) + ": " +
                     status.error().message);
    }
  }
  return Status::ok();
}

Status read_int_vectors(ByteReader* reader, uint64_t rows, std::string_view what,
                        std::vector<int64_t>* out) {
  TESSERA_RETURN_IF_ERROR(check_room(*reader, rows, what));  // before allocating
  out->resize(static_cast<size_t>(rows));
  return read_vector_seq(
      reader, rows, what, [&](std::string_view bytes, size_t start, size_t n) -> Status {
        return decode_int64_vector(bytes, std::span<int64_t>(out->data() + start, n));
      });
}

Status read_bitmap(ByteReader* reader, uint64_t rows, std::string_view what,
                   std::vector<uint8_t>* out) {
  std::string_view bitmap;
  if (!reader->read_bytes(static_cast<size_t>(bitmap_bytes(rows)), &bitmap)) {
    return corrupt(std::string(what) + ": chunk too short for its bitmap");
  }
  if (rows % 8 != 0 && (static_cast<uint8_t>(bitmap.back()) >> (rows % 8)) != 0) {
    return corrupt(std::string(what) + ": bitmap padding bits are set");
  }
  out->resize(static_cast<size_t>(rows));
  for (size_t row = 0; row < out->size(); ++row) {
    (*out)[row] = (static_cast<uint8_t>(bitmap[row / 8]) >> (row % 8)) & 1u;
  }
  return Status::ok();
}

Status read_null_section(ByteReader* reader, uint64_t rows, Column* column) {
  uint8_t kind = 0;
  if (!reader->read_u8(&kind)) return corrupt("chunk too short for its null kind");
  switch (kind) {
    case kNullsAbsent:
      return Status::ok();
    case kNullsBitmap:
      return read_bitmap(reader, rows, "validity", &column->valid);
    case kNullsVectors: {
      std::vector<int64_t> valid;
      TESSERA_RETURN_IF_ERROR(read_int_vectors(reader, rows, "validity", &valid));
      column->valid.resize(valid.size());
      for (size_t row = 0; row < valid.size(); ++row) {
        if (valid[row] != 0 && valid[row] != 1) {
          return corrupt("validity row " + std::to_string(row) + " is " +
                         std::to_string(valid[row]) + ", not 0 or 1");
        }
        column->valid[row] = static_cast<uint8_t>(valid[row]);
      }
      return Status::ok();
    }
    default:
      return corrupt("unknown null kind " + std::to_string(kind));
  }
}

Status read_codes(ByteReader* reader, uint64_t rows, Column* column) {
  TESSERA_RETURN_IF_ERROR(check_room(*reader, rows, "codes"));  // before allocating
  column->codes.resize(static_cast<size_t>(rows));
  const uint64_t dict_count = column->dictionary.size();
  std::array<int64_t, kVectorValues> wide;
  return read_vector_seq(
      reader, rows, "codes", [&](std::string_view bytes, size_t start, size_t n) -> Status {
        TESSERA_RETURN_IF_ERROR(decode_int64_vector(bytes, std::span<int64_t>(wide.data(), n)));
        for (size_t i = 0; i < n; ++i) {
          if (wide[i] < 0 || static_cast<uint64_t>(wide[i]) >= dict_count) {
            return corrupt("row " + std::to_string(start + i) + ": string code " +
                           std::to_string(wide[i]) + " not below dictionary size " +
                           std::to_string(dict_count));
          }
          column->codes[start + i] = static_cast<uint32_t>(wide[i]);
        }
        return Status::ok();
      });
}

Status expect_end(const ByteReader& reader) {
  if (!reader.at_end()) {
    return corrupt(std::to_string(reader.remaining()) + " unexpected bytes after the values");
  }
  return Status::ok();
}

// Walks a vector_seq collecting each vector's id byte without decoding it.
Status list_seq(ByteReader* reader, uint64_t rows, std::vector<uint8_t>* ids) {
  return read_vector_seq(reader, rows, "values",
                         [&](std::string_view bytes, size_t, size_t) -> Status {
                           TESSERA_ASSIGN_OR_RETURN(EncodingId id, read_encoding_id(bytes));
                           ids->push_back(static_cast<uint8_t>(id));
                           return Status::ok();
                         });
}

}  // namespace

std::string encode_time_vectors(std::span<const int64_t> time_ns) {
  std::string out;
  append_int_vectors(time_ns, &out);
  return out;
}

std::string encode_column_vectors(const Column& column) {
  std::string out;
  append_null_section(column, &out);
  switch (column.type) {
    case ColumnType::kInt64:
      append_int_vectors(column.ints, &out);
      break;
    case ColumnType::kFloat64:
      append_vector_seq(
          std::span<const double>(column.floats),
          [](std::span<const double> v, std::string* o) { return encode_double_vector(v, o); },
          &out);
      break;
    case ColumnType::kBool:
      append_bitmap(column.bools, &out);
      break;
    case ColumnType::kString: {
      append_dictionary(column.dictionary, &out);
      std::vector<int64_t> codes(column.codes.begin(), column.codes.end());
      append_int_vectors(codes, &out);
      break;
    }
  }
  return out;
}

Result<std::vector<int64_t>> decode_time_vectors(std::string_view raw, uint64_t row_count) {
  ByteReader reader(raw);
  std::vector<int64_t> time_ns;
  TESSERA_RETURN_IF_ERROR(read_int_vectors(&reader, row_count, "time", &time_ns));
  TESSERA_RETURN_IF_ERROR(expect_end(reader));
  return time_ns;
}

Result<Column> decode_column_vectors(std::string_view raw, ColumnType type, uint64_t row_count) {
  Column column;
  column.type = type;
  ByteReader reader(raw);
  TESSERA_RETURN_IF_ERROR(read_null_section(&reader, row_count, &column));
  switch (type) {
    case ColumnType::kInt64:
      TESSERA_RETURN_IF_ERROR(read_int_vectors(&reader, row_count, "values", &column.ints));
      break;
    case ColumnType::kFloat64: {
      TESSERA_RETURN_IF_ERROR(check_room(reader, row_count, "values"));  // before allocating
      column.floats.resize(static_cast<size_t>(row_count));
      TESSERA_RETURN_IF_ERROR(read_vector_seq(
          &reader, row_count, "values",
          [&](std::string_view bytes, size_t start, size_t n) -> Status {
            return decode_double_vector(bytes, std::span<double>(column.floats.data() + start, n));
          }));
      break;
    }
    case ColumnType::kBool:
      TESSERA_RETURN_IF_ERROR(read_bitmap(&reader, row_count, "values", &column.bools));
      break;
    case ColumnType::kString:
      TESSERA_RETURN_IF_ERROR(read_dictionary(&reader, &column.dictionary));
      TESSERA_RETURN_IF_ERROR(read_codes(&reader, row_count, &column));
      break;
  }
  TESSERA_RETURN_IF_ERROR(expect_end(reader));
  return column;
}

Result<std::vector<uint8_t>> list_vector_encodings(std::string_view raw, ColumnType type,
                                                   uint64_t row_count, bool is_time) {
  ByteReader reader(raw);
  std::vector<uint8_t> ids;
  if (is_time) {
    TESSERA_RETURN_IF_ERROR(list_seq(&reader, row_count, &ids));
    return ids;
  }
  Column scratch;
  TESSERA_RETURN_IF_ERROR(read_null_section(&reader, row_count, &scratch));
  if (type == ColumnType::kString)
    TESSERA_RETURN_IF_ERROR(read_dictionary(&reader, &scratch.dictionary));
  if (type != ColumnType::kBool) TESSERA_RETURN_IF_ERROR(list_seq(&reader, row_count, &ids));
  return ids;
}

}  // namespace tessera::storage
