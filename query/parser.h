// Parser of one statement of Tessera's query language into the AST (query/ast.h).
// Grammar: docs/query-language.md.
#pragma once

#include <string_view>

#include "query/ast.h"
#include "storage/base/status.h"

namespace tessera::query {

// Named limits on untrusted statement text.
inline constexpr size_t kMaxStatementBytes = 1 << 20;
inline constexpr int kMaxExpressionDepth = 200;

// Parses one statement (a trailing ';' and surrounding whitespace are allowed).
// Errors are kSyntax with messages "at column 17: expected FROM" (1-based byte
// column), or kInvalidInput for bad values (e.g. an interval out of range), or
// kLimitExceeded past the limits above. Never crashes on any input. Thread-safe.
Result<Statement> parse_statement(std::string_view text);

}  // namespace tessera::query
