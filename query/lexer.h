// Lexer of Tessera's query language: splits one statement into tokens, on demand.
// Token grammar and error messages: docs/query-language.md ("Tokens").
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "storage/base/status.h"

namespace tessera::query {

enum class TokenKind : uint8_t {
  kEnd,               // end of the statement; offset is the statement's length
  kError,             // a lexical error; Lexer::error() says which
  kWord,              // a bare identifier or keyword: [A-Za-z_][A-Za-z0-9_]*
  kQuotedIdentifier,  // "..." with "" for a quote; `value` holds the unescaped name
  kInteger,           // decimal digits, e.g. 42 (range is checked by the parser)
  kDecimal,           // digits with a fraction and/or an exponent: 1.5, 100.0, 2e-3
  kInterval,          // digits immediately followed by s, m, h, d or w: 15m, 30d
  kString,            // '...' with '' for a quote; `value` holds the unescaped text
  kLeftParen,
  kRightParen,
  kComma,
  kSemicolon,
  kStar,
  kPlus,
  kMinus,
  kSlash,
  kEqual,
  kNotEqual,  // != or <>
  kLess,
  kLessEqual,
  kGreater,
  kGreaterEqual,
};

struct Token {
  TokenKind kind = TokenKind::kEnd;
  size_t offset = 0;      // byte offset of the token's first byte in the statement
  std::string_view text;  // the token as written; a view into the lexed statement
  std::string value;      // kString, kQuotedIdentifier: the unescaped contents

  size_t end_offset() const { return offset + text.size(); }
  // 1-based byte column, as used in error messages.
  int column() const { return static_cast<int>(offset) + 1; }
};

// Produces the tokens of `statement` one at a time, skipping white space (space, tab,
// CR, LF). Bytes outside string literals and quoted identifiers must be ASCII; inside
// them any valid UTF-8 is allowed. The lexer never reads past the end of the statement.
// Requires: statement.size() fits in an int (the parser bounds it by kMaxStatementBytes).
// The statement must outlive the lexer and every token's `text`. Not thread-safe;
// use one lexer per statement.
class Lexer {
 public:
  explicit Lexer(std::string_view statement) : statement_(statement) {}

  // The next token. After the end, keeps returning kEnd; after an error, keeps
  // returning the same kError token.
  Token next();

  // kSyntax: "at column N: unterminated string", "... unterminated quoted identifier",
  // "... empty quoted identifier", "... invalid UTF-8", "... unexpected character '!'",
  // "... malformed number '12abc'".
  // Requires: next() has returned a kError token.
  const Error& error() const { return error_; }

 private:
  Token fail(size_t offset, std::string message);
  Token lex_number(size_t start);
  Token lex_quoted(size_t start, char quote, TokenKind kind);

  std::string_view statement_;
  size_t pos_ = 0;
  bool has_failed_ = false;
  Token error_token_;
  Error error_{ErrorCode::kSyntax, ""};
};

// True when `token` is a bare word equal to `keyword` ignoring ASCII case.
// Requires: keyword is upper-case ASCII.
bool is_keyword(const Token& token, std::string_view keyword);

// The length of the valid UTF-8 sequence starting at text[offset] (1 to 4), or 0 when
// the bytes there are not valid UTF-8 (overlong forms, surrogates and code points above
// U+10FFFF are invalid). Requires: offset < text.size().
size_t utf8_sequence_length(std::string_view text, size_t offset);

// A token as quoted in an error message: its text with control bytes written as \xNN,
// cut at 40 bytes with "...", or "end of statement" for kEnd.
std::string describe_token(const Token& token);

}  // namespace tessera::query
