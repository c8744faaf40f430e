// Plain chunk layout (docs/format/segment.md, "Plain chunks"):
//   time_chunk   := rows × i64
//   column_chunk := has_nulls u8 | [bitmap] | values
#include "storage/segment/plain_chunk.h"

#include <cstring>

#include "storage/base/byte_reader.h"
#include "storage/base/little_endian.h"
#include "storage/segment/chunk_dictionary.h"

namespace tessera::storage {
namespace {

uint64_t bitmap_bytes(uint64_t row_count) { return (row_count + 7) / 8; }

template <typename T>
void append_array(std::string* out, const std::vector<T>& values) {
  out->append(reinterpret_cast<const char*>(values.data()), values.size() * sizeof(T));
}

Error corrupt(std::string message) {
  return make_error(ErrorCode::kCorruption, std::move(message));
}

// Reads `row_count` fixed-width values; the caller has bounded row_count.
template <typename T>
bool read_array(ByteReader* reader, uint64_t row_count, std::vector<T>* out) {
  std::string_view bytes;
  if (!reader->read_bytes(static_cast<size_t>(row_count) * sizeof(T), &bytes)) return false;
  out->resize(static_cast<size_t>(row_count));
  if (!bytes.empty()) std::memcpy(out->data(), bytes.data(), bytes.size());
  return true;
}

Status read_validity(ByteReader* reader, uint64_t row_count, Column* column) {
  uint8_t has_nulls = 0;
  if (!reader->read_u8(&has_nulls)) return corrupt("chunk too short for its has_nulls flag");
  if (has_nulls > 1)
    return corrupt("has_nulls flag is " + std::to_string(has_nulls) + ", not 0 or 1");
  if (has_nulls == 0) return Status::ok();
  std::string_view bitmap;
  if (!reader->read_bytes(static_cast<size_t>(bitmap_bytes(row_count)), &bitmap)) {
    return corrupt("chunk too short for its validity bitmap");
  }
  if (row_count % 8 != 0) {
    const auto last = static_cast<uint8_t>(bitmap.back());
    if ((last >> (row_count % 8)) != 0) return corrupt("validity bitmap padding bits are set");
  }
  column->valid.resize(static_cast<size_t>(row_count));
  for (size_t row = 0; row < column->valid.size(); ++row) {
    column->valid[row] = (static_cast<uint8_t>(bitmap[row / 8]) >> (row % 8)) & 1u;
  }
  return Status::ok();
}

Status read_strings(ByteReader* reader, uint64_t row_count, Column* column) {
  TESSERA_RETURN_IF_ERROR(read_dictionary(reader, &column->dictionary));
  const size_t dict_count = column->dictionary.size();
  if (!read_array(reader, row_count, &column->codes)) {
    return corrupt("chunk too short for " + std::to_string(row_count) + " string codes");
  }
  for (size_t row = 0; row < column->codes.size(); ++row) {
    if (column->codes[row] >= dict_count) {
      return corrupt("row " + std::to_string(row) + ": string code " +
                     std::to_string(column->codes[row]) + " >= dictionary size " +
                     std::to_string(dict_count));
    }
  }
  return Status::ok();
}

}  // namespace

std::string encode_time_chunk(std::span<const int64_t> time_ns) {
  std::string out;
  out.append(reinterpret_cast<const char*>(time_ns.data()), time_ns.size_bytes());
  return out;
}

std::string encode_column_chunk(const Column& column) {
  const size_t rows = column.size();
  std::string out;
  const bool has_nulls = column.has_nulls();
  append_u8(&out, has_nulls ? 1 : 0);
  if (has_nulls) {
    std::string bitmap(static_cast<size_t>(bitmap_bytes(rows)), '\0');
    for (size_t row = 0; row < rows; ++row) {
      if (column.valid[row] != 0)
        bitmap[row / 8] = static_cast<char>(bitmap[row / 8] | (1 << (row % 8)));
    }
    out += bitmap;
  }
  switch (column.type) {
    case ColumnType::kInt64:
      append_array(&out, column.ints);
      break;
    case ColumnType::kFloat64:
      append_array(&out, column.floats);
      break;
    case ColumnType::kBool:
      append_array(&out, column.bools);
      break;
    case ColumnType::kString:
      append_dictionary(column.dictionary, &out);
      append_array(&out, column.codes);
      break;
  }
  return out;
}

uint64_t fixed_column_chunk_bytes(ColumnType type, uint64_t row_count, bool has_nulls) {
  const uint64_t validity = 1 + (has_nulls ? bitmap_bytes(row_count) : 0);
  switch (type) {
    case ColumnType::kInt64:
    case ColumnType::kFloat64:
      return validity + 8 * row_count;
    case ColumnType::kBool:
      return validity + row_count;
    case ColumnType::kString:
      break;
  }
  return 0;
}

Result<std::vector<int64_t>> decode_time_chunk(std::string_view raw, uint64_t row_count) {
  if (row_count > raw.size() / 8 || raw.size() != row_count * 8) {
    return corrupt("time chunk of " + std::to_string(raw.size()) + " bytes, expected " +
                   std::to_string(row_count) + " × 8");
  }
  std::vector<int64_t> time_ns;
  ByteReader reader(raw);
  read_array(&reader, row_count, &time_ns);
  return time_ns;
}

Result<Column> decode_column_chunk(std::string_view raw, ColumnType type, uint64_t row_count) {
  // Every encoding spends at least one byte per row, so a larger count cannot be
  // honest; this also bounds the allocations below by the chunk size.
  if (row_count > raw.size()) {
    return corrupt(std::to_string(row_count) + " rows cannot fit in a " +
                   std::to_string(raw.size()) + "-byte chunk");
  }
  Column column;
  column.type = type;
  ByteReader reader(raw);
  TESSERA_RETURN_IF_ERROR(read_validity(&reader, row_count, &column));
  bool is_complete = true;
  switch (type) {
    case ColumnType::kInt64:
      is_complete = read_array(&reader, row_count, &column.ints);
      break;
    case ColumnType::kFloat64:
      is_complete = read_array(&reader, row_count, &column.floats);
      break;
    case ColumnType::kBool:
      is_complete = read_array(&reader, row_count, &column.bools);
      for (size_t row = 0; is_complete && row < column.bools.size(); ++row) {
        if (column.bools[row] > 1) {
          return corrupt("row " + std::to_string(row) + ": bool byte " +
                         std::to_string(column.bools[row]) + " is not 0 or 1");
        }
      }
      break;
    case ColumnType::kString:
      TESSERA_RETURN_IF_ERROR(read_strings(&reader, row_count, &column));
      break;
  }
  if (!is_complete) {
    return corrupt("chunk too short for " + std::to_string(row_count) + " " +
                   std::string(column_type_name(type)) + " values");
  }
  if (!reader.at_end()) {
    return corrupt(std::to_string(reader.remaining()) + " unexpected bytes after the values");
  }
  return column;
}

}  // namespace tessera::storage
