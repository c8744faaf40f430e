// Client side of the query protocol (docs/protocol/query.md): parses the status
// line of a reply and splits/unescapes row lines. Used by `tessera sql`, `demo`
// and the tests. Pure: no sockets.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "storage/base/status.h"

namespace tessera::server {

// Most columns or rows a client accepts in one reply (guards against absurd counts).
inline constexpr uint64_t kMaxReplyColumns = 100'000;
inline constexpr uint64_t kMaxReplyRows = 100'000'000;

struct ReplyStatus {
  bool is_ok = false;
  uint64_t columns = 0, rows = 0, elapsed_us = 0;  // when is_ok
  std::string error_code, error_message;           // when !is_ok
};

// Parses "OK <ncols> <nrows> <elapsed_us>" or "ERR <code> <message>".
// kInvalidInput for anything else.
Result<ReplyStatus> parse_reply_status(std::string_view line);

// Splits a header or row line at tabs and unescapes each cell; "\N" is nullopt.
// A line of zero columns is the empty line; splitting it yields one empty cell,
// so callers pass the expected count: kInvalidInput when it differs or an escape
// is unknown.
Result<std::vector<std::optional<std::string>>> split_row(std::string_view line,
                                                          size_t expected_columns);

}  // namespace tessera::server
