// Text form of query result cells on the query port (docs/protocol/query.md):
// integers in decimal, floats in the shortest round-trip form, NULL as \N,
// booleans true/false, timestamps as RFC 3339 UTC, strings escaped.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "query/value.h"

namespace tessera::server {

// Appends `s` with tab, newline, carriage return and backslash written as
// \t \n \r \\, so a cell never contains the row or column separator.
void append_escaped(std::string& out, std::string_view s);

// Shortest decimal that strtod reads back to the same double ("0.1", "1e+21", "-0").
// NaN prints as "NaN", infinities as "Infinity" / "-Infinity" (all accepted by strtod).
void append_double(std::string& out, double value);

// RFC 3339 UTC with a fraction only when non-zero, trailing zeros trimmed:
// "2026-01-02T00:15:00Z", "2026-01-02T00:15:00.25Z", "1969-12-31T23:59:59.999999999Z".
void append_timestamp(std::string& out, int64_t ns);

// One cell; NULL is "\N" (a string "\N" is escaped to "\\N", so they differ).
void append_value(std::string& out, const query::Value& value);

}  // namespace tessera::server
