// Tokens (docs/query-language.md, "Tokens"):
//   word        = (letter | "_") {letter | digit | "_"}
//   quoted_id   = '"' {char | '""'} '"'            (not empty)
//   string      = "'" {char | "''"} "'"
//   integer     = digit {digit}
//   decimal     = digit {digit} ("." digit {digit} [exponent] | exponent)
//   exponent    = ("e" | "E") ["+" | "-"] digit {digit}
//   interval    = digit {digit} ("s" | "m" | "h" | "d" | "w")
//   symbols     = ( ) , ; * + - / = != <> < <= > >=
// A number directly followed by a letter, digit or '_' that does not form one of the
// above is one malformed token ("15ms", "12abc", "1.5d"), never two tokens.
#include "query/lexer.h"

#include <cstdio>

namespace tessera::query {
namespace {

bool is_letter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_word_char(char c) { return is_letter(c) || is_digit(c); }
bool is_interval_unit(char c) { return c == 's' || c == 'm' || c == 'h' || c == 'd' || c == 'w'; }

// The byte or character at `offset` as shown in a message: printable ASCII as is,
// a valid multi-byte UTF-8 character as is, anything else as \xNN.
std::string describe_char(std::string_view text, size_t offset) {
  const auto byte = static_cast<unsigned char>(text[offset]);
  if (byte >= 0x20 && byte < 0x7f) return std::string(1, static_cast<char>(byte));
  if (byte >= 0x80) {
    const size_t length = utf8_sequence_length(text, offset);
    if (length > 1) return std::string(text.substr(offset, length));
  }
  char hex[8];
  std::snprintf(hex, sizeof(hex), "\\x%02X", byte);
  return hex;
}

}  // namespace

size_t utf8_sequence_length(std::string_view text, size_t offset) {
  const auto byte_at = [&](size_t i) { return static_cast<unsigned char>(text[i]); };
  const unsigned char lead = byte_at(offset);
  if (lead < 0x80) return 1;
  size_t length = 0;
  unsigned char min_second = 0x80, max_second = 0xBF;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    if (lead == 0xE0) min_second = 0xA0;  // overlong
    if (lead == 0xED) max_second = 0x9F;  // UTF-16 surrogates
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    if (lead == 0xF0) min_second = 0x90;  // overlong
    if (lead == 0xF4) max_second = 0x8F;  // above U+10FFFF
  } else {
    return 0;  // a continuation byte, C0/C1 (overlong) or F5..FF
  }
  if (text.size() - offset < length) return 0;
  const unsigned char second = byte_at(offset + 1);
  if (second < min_second || second > max_second) return 0;
  for (size_t i = 2; i < length; ++i) {
    const unsigned char next = byte_at(offset + i);
    if (next < 0x80 || next > 0xBF) return 0;
  }
  return length;
}

bool is_keyword(const Token& token, std::string_view keyword) {
  if (token.kind != TokenKind::kWord || token.text.size() != keyword.size()) return false;
  for (size_t i = 0; i < keyword.size(); ++i) {
    char c = token.text[i];
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if (c != keyword[i]) return false;
  }
  return true;
}

std::string describe_token(const Token& token) {
  if (token.kind == TokenKind::kEnd) return "end of statement";
  constexpr size_t kMaxShownBytes = 40;
  std::string shown;
  size_t i = 0;
  while (i < token.text.size() && shown.size() < kMaxShownBytes) {
    const auto byte = static_cast<unsigned char>(token.text[i]);
    if (byte >= 0x80) {
      const size_t length = utf8_sequence_length(token.text, i);
      if (length > 1) {
        shown.append(token.text.substr(i, length));
        i += length;
        continue;
      }
    }
    shown += describe_char(token.text, i);
    ++i;
  }
  if (i < token.text.size()) shown += "...";
  return shown;
}

Token Lexer::fail(size_t offset, std::string message) {
  has_failed_ = true;
  error_ = Error{ErrorCode::kSyntax,
                 "at column " + std::to_string(offset + 1) + ": " + std::move(message)};
  error_token_ = Token{TokenKind::kError, offset, statement_.substr(offset, 0), {}};
  return error_token_;
}

Token Lexer::next() {
  if (has_failed_) return error_token_;
  while (pos_ < statement_.size()) {
    const char c = statement_[pos_];
    if (c != ' ' && c != '\t' && c != '\n' && c != '\r') break;
    ++pos_;
  }
  const size_t start = pos_;
  if (start >= statement_.size()) return Token{TokenKind::kEnd, start, {}, {}};

  const char c = statement_[start];
  if (is_letter(c)) {
    size_t end = start + 1;
    while (end < statement_.size() && is_word_char(statement_[end])) ++end;
    pos_ = end;
    return Token{TokenKind::kWord, start, statement_.substr(start, end - start), {}};
  }
  if (is_digit(c)) return lex_number(start);
  if (c == '\'') return lex_quoted(start, '\'', TokenKind::kString);
  if (c == '"') return lex_quoted(start, '"', TokenKind::kQuotedIdentifier);

  const auto symbol = [&](TokenKind kind, size_t length) {
    pos_ = start + length;
    return Token{kind, start, statement_.substr(start, length), {}};
  };
  const char following = start + 1 < statement_.size() ? statement_[start + 1] : '\0';
  switch (c) {
    case '(':
      return symbol(TokenKind::kLeftParen, 1);
    case ')':
      return symbol(TokenKind::kRightParen, 1);
    case ',':
      return symbol(TokenKind::kComma, 1);
    case ';':
      return symbol(TokenKind::kSemicolon, 1);
    case '*':
      return symbol(TokenKind::kStar, 1);
    case '+':
      return symbol(TokenKind::kPlus, 1);
    case '-':
      return symbol(TokenKind::kMinus, 1);
    case '/':
      return symbol(TokenKind::kSlash, 1);
    case '=':
      return symbol(TokenKind::kEqual, 1);
    case '!':
      if (following == '=') return symbol(TokenKind::kNotEqual, 2);
      break;
    case '<':
      if (following == '=') return symbol(TokenKind::kLessEqual, 2);
      if (following == '>') return symbol(TokenKind::kNotEqual, 2);
      return symbol(TokenKind::kLess, 1);
    case '>':
      if (following == '=') return symbol(TokenKind::kGreaterEqual, 2);
      return symbol(TokenKind::kGreater, 1);
    default:
      break;
  }
  if (static_cast<unsigned char>(c) >= 0x80 && utf8_sequence_length(statement_, start) == 0) {
    return fail(start, "invalid UTF-8");
  }
  return fail(start, "unexpected character '" + describe_char(statement_, start) + "'");
}

Token Lexer::lex_number(size_t start) {
  const size_t size = statement_.size();
  size_t end = start;
  while (end < size && is_digit(statement_[end])) ++end;
  bool is_decimal = false;
  if (end + 1 < size && statement_[end] == '.' && is_digit(statement_[end + 1])) {
    is_decimal = true;
    ++end;
    while (end < size && is_digit(statement_[end])) ++end;
  } else if (end < size && statement_[end] == '.') {
    ++end;  // "1." or "1.x": swallowed into the malformed token below
    while (end < size && is_word_char(statement_[end])) ++end;
    return fail(start,
                "malformed number '" + std::string(statement_.substr(start, end - start)) + "'");
  }
  if (end < size && (statement_[end] == 'e' || statement_[end] == 'E')) {
    size_t exponent = end + 1;
    if (exponent < size && (statement_[exponent] == '+' || statement_[exponent] == '-')) {
      ++exponent;
    }
    if (exponent < size && is_digit(statement_[exponent])) {
      is_decimal = true;
      end = exponent;
      while (end < size && is_digit(statement_[end])) ++end;
    }
  }
  if (!is_decimal && end < size && is_interval_unit(statement_[end]) &&
      (end + 1 == size || !is_word_char(statement_[end + 1]))) {
    pos_ = end + 1;
    return Token{TokenKind::kInterval, start, statement_.substr(start, end + 1 - start), {}};
  }
  if (end < size && (is_word_char(statement_[end]) || statement_[end] == '.')) {
    while (end < size && (is_word_char(statement_[end]) || statement_[end] == '.')) ++end;
    return fail(start, "malformed number '" + std::string(statement_.substr(start, end - start)) +
                           "' (interval units are s, m, h, d, w)");
  }
  pos_ = end;
  return Token{is_decimal ? TokenKind::kDecimal : TokenKind::kInteger,
               start,
               statement_.substr(start, end - start),
               {}};
}

Token Lexer::lex_quoted(size_t start, char quote, TokenKind kind) {
  std::string value;
  size_t i = start + 1;
  while (true) {
    if (i >= statement_.size()) {
      return fail(start, kind == TokenKind::kString ? "unterminated string"
                                                    : "unterminated quoted identifier");
    }
    const char c = statement_[i];
    if (c == quote) {
      if (i + 1 < statement_.size() && statement_[i + 1] == quote) {
        value += quote;
        i += 2;
        continue;
      }
      break;
    }
    if (static_cast<unsigned char>(c) >= 0x80) {
      const size_t length = utf8_sequence_length(statement_, i);
      if (length == 0) return fail(i, "invalid UTF-8");
      value.append(statement_.substr(i, length));
      i += length;
      continue;
    }
    value += c;
    ++i;
  }
  if (kind == TokenKind::kQuotedIdentifier && value.empty()) {
    return fail(start, "empty quoted identifier");
  }
  pos_ = i + 1;
  return Token{kind, start, statement_.substr(start, i + 1 - start), std::move(value)};
}

}  // namespace tessera::query
