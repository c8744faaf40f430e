// Constants of the line-protocol syntax shared by the parser (line_parser.cpp)
// and the formatter (line_formatter.cpp). Grammar: docs/protocol/ingest.md,
// section "Line syntax".
#pragma once

#include <string_view>

namespace tessera::engine::line_format {

// Bytes that a backslash escapes, per element. A backslash before any other
// byte is a literal backslash (and the byte after it keeps its meaning).
// `\\` is an escape too, so that every name, including one ending in a
// backslash, can be written; the formatter always escapes backslashes.
inline constexpr std::string_view kMeasurementEscapable = ", \\";
inline constexpr std::string_view kKeyEscapable = ",= \\";    // tag keys/values, field keys
inline constexpr std::string_view kStringEscapable = "\"\\";  // inside "..." field values

// Neither a tag key nor a field key may be named this: it is the time column.
inline constexpr std::string_view kReservedKey = "time";

// Blank bytes trimmed from both ends of a line (a '\r' of a CRLF line ending,
// stray indentation); inside a line only spaces separate the sections.
inline constexpr std::string_view kTrimmedBlanks = " \t\r";

}  // namespace tessera::engine::line_format
