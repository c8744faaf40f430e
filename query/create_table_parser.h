// Internal to the parser (query/parser.cpp and its helpers); not a public API.
// Parser of the CREATE TABLE statement (grammar: docs/query-language.md).
#pragma once

#include "query/ast.h"
#include "query/token_stream.h"
#include "storage/base/status.h"

namespace tessera::query::detail {

// Parses the rest of a CREATE TABLE statement, from the table name on:
//   name [(column type {, column type})] [WITH (option = value {, ...})]
// `tokens` must stand just after the words CREATE TABLE; on success it stands
// after the statement (before any ';'). The implicit `time` column comes first in
// the schema. Errors: kSyntax for malformed text, kInvalidInput for a duplicate or
// reserved column, a duplicate option, a bad interval, a non-TAG tenant or dedup
// column, or a dedup key without a tag.
Result<CreateTableStmt> parse_create_table(TokenStream& tokens);

}  // namespace tessera::query::detail
