// Wire error codes: the one place where tessera::ErrorCode becomes the `<code>` of
// a query-port `ERR <code> <message>` line (and of ingest `err` reasons).
// Every code and when it is sent: docs/protocol/errors.md.
#pragma once

#include <string>
#include <string_view>

#include "storage/base/status.h"

namespace tessera::server {

// The SPEC's wire code for `code`: syntax, unknown_table, unknown_column,
// unknown_function, type, invalid_argument, auth, permission, limit, unavailable;
// every other code (corruption, I/O, internal, ...) is `internal`.
std::string_view wire_error_code(ErrorCode code);

// `message` with CR and LF replaced by spaces, so that it fits on one protocol line.
std::string flatten_message(std::string_view message);

// "ERR <code> <message>\n".
std::string format_error_reply(const Error& error);

}  // namespace tessera::server
