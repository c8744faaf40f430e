// Run-length coding for int64 columns (and dictionary codes widened to int64)
// where long runs of one value dominate: the run values and the run lengths,
// each as a frame-of-reference body. docs/format/codecs.md, "run_length".
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "storage/base/status.h"

namespace tessera::storage {

// Appends one payload; kInvalidInput when values.size() > kMaxVectorValues.
Status run_length_encode(std::span<const int64_t> values, std::string* out);

// Decodes exactly `in` into `out`; kCorruption unless `in` is one well-formed
// payload whose runs add up to exactly out.size() values.
Status run_length_decode(std::string_view in, std::span<int64_t> out);

}  // namespace tessera::storage
