#include "query/token_stream.h"

#include <algorithm>
#include <array>
#include <utility>

namespace tessera::query::detail {
namespace {

// Words that cannot be bare identifiers (quote them: "from"). Everything else the
// grammar matches by word (TABLE, WITH, TAG, tenant, none, time, ...) depends on its
// position and stays usable as a name.
constexpr std::array<std::string_view, 21> kReservedWords = {
    "AND", "AS", "ASC",   "BY",  "DESC", "DISTINCT", "FALSE", "FILTER", "FROM", "GROUP", "HAVING",
    "IN",  "IS", "LIMIT", "NOT", "NULL", "OR",       "ORDER", "SELECT", "TRUE", "WHERE",
};

}  // namespace

bool is_reserved(const Token& token) {
  return std::any_of(kReservedWords.begin(), kReservedWords.end(),
                     [&](std::string_view word) { return is_keyword(token, word); });
}

std::string to_lower(std::string_view text) {
  std::string lower(text);
  for (char& c : lower) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return lower;
}

Error error_at(ErrorCode code, size_t offset, std::string_view message) {
  return make_error(code, "at column " + std::to_string(offset + 1) + ": " + std::string(message));
}

TokenStream::TokenStream(std::string_view statement) : statement_(statement), lexer_(statement) {
  current_ = lexer_.next();
}

const Token& TokenStream::peek() {
  if (!peeked_) peeked_ = lexer_.next();
  return *peeked_;
}

void TokenStream::advance() {
  previous_end_ = current_.end_offset();
  if (peeked_) {
    current_ = std::move(*peeked_);
    peeked_.reset();
  } else {
    current_ = lexer_.next();
  }
}

bool TokenStream::accept(TokenKind kind) {
  if (!at(kind)) return false;
  advance();
  return true;
}

bool TokenStream::accept_keyword(std::string_view keyword) {
  if (!at_keyword(keyword)) return false;
  advance();
  return true;
}

Status TokenStream::expect(TokenKind kind, std::string_view what) {
  if (accept(kind)) return Status::ok();
  return syntax_error(current_, "expected " + std::string(what));
}

Status TokenStream::expect_keyword(std::string_view keyword) {
  if (accept_keyword(keyword)) return Status::ok();
  return syntax_error(current_, "expected " + std::string(keyword));
}

Error TokenStream::syntax_error(const Token& token, std::string_view message) const {
  if (token.kind == TokenKind::kError) return lexer_.error();
  return error_at(ErrorCode::kSyntax, token.offset, message);
}

Error TokenStream::unexpected(const Token& token) const {
  return syntax_error(token, "unexpected '" + describe_token(token) + "'");
}

Result<std::string> TokenStream::parse_identifier(std::string_view what) {
  std::string name;
  if (at(TokenKind::kQuotedIdentifier)) {
    name = current_.value;
  } else if (at(TokenKind::kWord) && !is_reserved(current_)) {
    name = std::string(current_.text);
  } else {
    return syntax_error(current_, "expected " + std::string(what));
  }
  advance();
  return name;
}

}  // namespace tessera::query::detail
