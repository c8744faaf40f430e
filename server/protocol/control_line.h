// Ingest control lines (docs/protocol/ingest.md, "Control lines"): lines that begin
// with '#'. Other line-protocol servers ignore them as comments.
//   #auth <token>              authenticate the connection
//   #precision s|ms|us|ns      timestamp precision for the following lines
//   #sync [<id>]               acknowledge everything before it once durable
//   #<anything else>           a comment
#pragma once

#include <cstddef>
#include <string_view>

#include "engine/line_protocol/parsed_line.h"
#include "storage/base/status.h"

namespace tessera::server {

// Longest #sync id echoed back in `ok <id> ...`.
inline constexpr size_t kMaxSyncIdBytes = 128;

enum class ControlKind { kData, kComment, kAuth, kPrecision, kSync };

struct ControlLine {
  ControlKind kind = ControlKind::kData;
  // kAuth: the token. kSync: the id ("-" when the line gives none). Views `line`.
  std::string_view argument;
  engine::Precision precision = engine::Precision::kNanoseconds;  // kPrecision
};

// Classifies one framed line (without terminator). Data lines (no leading '#') and
// blank lines are kData. Errors (kInvalidInput, message without line number):
// "#auth needs a token", "#precision: expected s, ms, us or ns, got \"x\"",
// "#sync id longer than 128 bytes", a #sync id or #auth token containing spaces.
Result<ControlLine> parse_control_line(std::string_view line);

}  // namespace tessera::server
