// Parser of single InfluxDB line-protocol lines: the engine's write format,
// used by the server's ingest sessions and by embedded callers alike.
// Grammar and error messages: docs/protocol/ingest.md.
#pragma once

#include <string>
#include <string_view>

#include "engine/line_protocol/parsed_line.h"
#include "storage/base/status.h"

namespace tessera::engine {

// Parses one line (without its trailing '\n'; a trailing '\r' is tolerated).
// Timestamps are scaled from `precision` to nanoseconds; a result outside int64
// nanoseconds is an error. Returns kSyntax / kInvalidInput errors whose message
// starts with the 1-based byte column: "col 17: field \"spend\": ...".
// Thread-safe; keeps no state between calls.
Result<ParsedLine> parse_line(std::string_view line, Precision precision);

// As above, into `out`, whose vectors and strings are reused (their capacity kept),
// so that a caller parsing many lines into the same objects allocates little. On
// success `out` equals what the other form returns; on error its contents are
// unspecified.
Status parse_line(std::string_view line, Precision precision, ParsedLine& out);

// Writes `line` back as canonical line protocol with escapes and a nanosecond
// timestamp (omitted when `line.timestamp_ns` is empty), so that
// parse_line(format_line(x), kNanoseconds) == x (floats bit for bit) for every
// x that parse_line can return. No trailing newline.
// Requires: float values are finite (parse_line never returns NaN or +-inf).
std::string format_line(const ParsedLine& line);

}  // namespace tessera::engine
