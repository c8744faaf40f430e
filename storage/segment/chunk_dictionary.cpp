#include "storage/segment/chunk_dictionary.h"

#include "storage/base/little_endian.h"

namespace tessera::storage {

void append_dictionary(const std::vector<std::string>& dictionary, std::string* out) {
  append_u32(out, static_cast<uint32_t>(dictionary.size()));
  for (const std::string& entry : dictionary) {
    append_u32(out, static_cast<uint32_t>(entry.size()));
    *out += entry;
  }
}

Status read_dictionary(ByteReader* reader, std::vector<std::string>* dictionary) {
  uint32_t dict_count = 0;
  if (!reader->read_u32(&dict_count)) {
    return make_error(ErrorCode::kCorruption, "chunk too short for its dictionary size");
  }
  // Each entry takes at least its 4-byte length: bound the count before reserving.
  if (dict_count > reader->remaining() / 4) {
    return make_error(ErrorCode::kCorruption, "dictionary of " + std::to_string(dict_count) +
                                                  " entries cannot fit in " +
                                                  std::to_string(reader->remaining()) + " bytes");
  }
  dictionary->reserve(dictionary->size() + dict_count);
  for (uint32_t i = 0; i < dict_count; ++i) {
    uint32_t length = 0;
    std::string_view bytes;
    if (!reader->read_u32(&length) || !reader->read_bytes(length, &bytes)) {
      return make_error(ErrorCode::kCorruption,
                        "dictionary entry " + std::to_string(i) + " runs past the chunk end");
    }
    dictionary->emplace_back(bytes);
  }
  return Status::ok();
}

}  // namespace tessera::storage
