// Internal to the parser (query/parser.cpp and its helpers); not a public API.
// The token cursor the recursive-descent parser walks: one token of lookahead
// over the lexer, the parser's error helpers (every message is "at column N: ..."),
// and identifiers, whose reserved words are listed here.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "query/lexer.h"
#include "storage/base/status.h"

namespace tessera::query::detail {

// True when `token` is a word that cannot be a bare identifier (quote it: "from").
bool is_reserved(const Token& token);

// `text` with ASCII upper-case letters lowered; other bytes are kept.
std::string to_lower(std::string_view text);

// An error of `code` whose message is "at column <offset + 1>: <message>".
Error error_at(ErrorCode code, size_t offset, std::string_view message);

// The tokens of one statement, with the current token and one of lookahead.
// The statement must outlive the stream. Not thread-safe; one per statement.
class TokenStream {
 public:
  // Lexes the first token.
  explicit TokenStream(std::string_view statement);

  TokenStream(const TokenStream&) = delete;
  TokenStream& operator=(const TokenStream&) = delete;

  std::string_view statement() const { return statement_; }

  // The current token; mutable so that a caller may move its `value` out just
  // before advancing past it.
  const Token& current() const { return current_; }
  Token& current() { return current_; }

  // The token after the current one, lexed on first use.
  const Token& peek();

  // Moves to the next token.
  void advance();

  // End offset of the last consumed token (0 before any).
  size_t previous_end() const { return previous_end_; }

  bool at(TokenKind kind) const { return current_.kind == kind; }
  bool at_keyword(std::string_view keyword) const { return is_keyword(current_, keyword); }

  // Consume the current token when it matches; false (and no move) otherwise.
  bool accept(TokenKind kind);
  bool accept_keyword(std::string_view keyword);

  // Like accept, but a mismatch is the syntax error "expected <what>".
  Status expect(TokenKind kind, std::string_view what);
  Status expect_keyword(std::string_view keyword);

  // kSyntax at `token`, except that a lexical error token yields the lexer's own
  // error: it explains more than any "expected ..." would.
  Error syntax_error(const Token& token, std::string_view message) const;
  // syntax_error "unexpected '<token>'".
  Error unexpected(const Token& token) const;

  // A bare (non-reserved) word or a "quoted" identifier; `what` names it in the
  // error "expected <what>".
  Result<std::string> parse_identifier(std::string_view what);

 private:
  std::string_view statement_;
  Lexer lexer_;
  Token current_;
  std::optional<Token> peeked_;
  size_t previous_end_ = 0;  // end offset of the last consumed token
};

}  // namespace tessera::query::detail
