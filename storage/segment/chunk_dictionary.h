// The string dictionary of a column chunk, shared by the plain (version 1) and
// vector (version 2) chunk layouts (docs/format/segment.md):
//
//   dictionary := dict_count u32 | dict_count × (length u32 | bytes)
#pragma once

#include <string>
#include <vector>

#include "storage/base/byte_reader.h"
#include "storage/base/status.h"

namespace tessera::storage {

void append_dictionary(const std::vector<std::string>& dictionary, std::string* out);

// Reads one dictionary at the reader's position into `dictionary` (appended).
// kCorruption (without location, the caller adds it) when the count cannot fit
// in the bytes left or an entry runs past the end; nothing is reserved before
// the count is bounded by the bytes really there.
Status read_dictionary(ByteReader* reader, std::vector<std::string>* dictionary);

}  // namespace tessera::storage
