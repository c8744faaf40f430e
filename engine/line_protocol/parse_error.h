// Internal to the line-protocol parser (line_parser.cpp, field_value_parser.cpp);
// not an engine API. How its error messages name the column and quote user text,
// so that every message has the form "col 17: field \"spend\": ...".
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "storage/base/status.h"

namespace tessera::engine::detail {

// User text quoted in an error message is cut after this many bytes.
inline constexpr size_t kMaxQuotedBytes = 64;

// Renders user text for an error message: quoted, with quotes, backslashes,
// control bytes and invalid UTF-8 escaped (the message itself stays valid
// UTF-8), cut after kMaxQuotedBytes.
std::string quote(std::string_view text);

// An error whose message is "col N: `what`", N being the 1-based column of the
// 0-based byte offset `pos` in the line.
Error error_at(ErrorCode code, size_t pos, std::string_view what);

}  // namespace tessera::engine::detail
