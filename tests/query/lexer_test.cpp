#include "query/lexer.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

namespace tessera::query {
namespace {

std::string_view kind_name(TokenKind kind) {
  switch (kind) {
    case TokenKind::kEnd:
      return "end";
    case TokenKind::kError:
      return "error";
    case TokenKind::kWord:
      return "word";
    case TokenKind::kQuotedIdentifier:
      return "qid";
    case TokenKind::kInteger:
      return "int";
    case TokenKind::kDecimal:
      return "dec";
    case TokenKind::kInterval:
      return "ivl";
    case TokenKind::kString:
      return "str";
    default:
      return "sym";
  }
}

// "kind:text@column ..." up to and including the end or error token; the error's
// message is appended for kError, and unescaped values for strings and quoted names.
std::string lex_all(std::string_view statement) {
  Lexer lexer(statement);
  std::string out;
  for (int guard = 0; guard < 1000; ++guard) {
    const Token token = lexer.next();
    if (!out.empty()) out += ' ';
    // Appended piece by piece: GCC 12 -O3 misreports -Wrestrict on chained string +.
    out.append(kind_name(token.kind)).append(":").append(token.text);
    if (token.kind == TokenKind::kString || token.kind == TokenKind::kQuotedIdentifier) {
      out.append("=").append(token.value);
    }
    out.append("@").append(std::to_string(token.column()));
    if (token.kind == TokenKind::kError) return out.append(" ").append(lexer.error().message);
    if (token.kind == TokenKind::kEnd) return out;
  }
  return out + " (no end)";
}

TEST(LexerTest, SplitsWordsNumbersAndSymbols) {
  EXPECT_EQ(lex_all("SELECT a,b FROM t;"),
            "word:SELECT@1 word:a@8 sym:,@9 word:b@10 word:FROM@12 word:t@17 sym:;@18 end:@19");
  EXPECT_EQ(lex_all("( ) * + - / = != <> < <= > >="),
            "sym:(@1 sym:)@3 sym:*@5 sym:+@7 sym:-@9 sym:/@11 sym:=@13 sym:!=@15 sym:<>@18 "
            "sym:<@21 sym:<=@23 sym:>@26 sym:>=@28 end:@30");
  EXPECT_EQ(lex_all("a<=b<>c"), "word:a@1 sym:<=@2 word:b@4 sym:<>@5 word:c@7 end:@8");
}

TEST(LexerTest, DistinguishesIntegersDecimalsAndIntervals) {
  EXPECT_EQ(lex_all("42 100.0 0.95 2e3 1.5E-2 15m 30d 1w 10s 2h"),
            "int:42@1 dec:100.0@4 dec:0.95@10 dec:2e3@15 dec:1.5E-2@19 ivl:15m@26 ivl:30d@30 "
            "ivl:1w@34 ivl:10s@37 ivl:2h@41 end:@43");
  EXPECT_EQ(lex_all("now()-30d"), "word:now@1 sym:(@4 sym:)@5 sym:-@6 ivl:30d@7 end:@10");
}

TEST(LexerTest, RejectsMalformedNumbers) {
  EXPECT_EQ(lex_all("x 15ms"),
            "word:x@1 error:@3 at column 3: malformed number '15ms' (interval units are s, m, h, "
            "d, w)");
  EXPECT_EQ(lex_all("12abc"),
            "error:@1 at column 1: malformed number '12abc' (interval units are s, m, h, d, w)");
  EXPECT_EQ(lex_all("1.5d"),
            "error:@1 at column 1: malformed number '1.5d' (interval units are s, m, h, d, w)");
  EXPECT_EQ(lex_all("1. "), "error:@1 at column 1: malformed number '1.'");
  EXPECT_EQ(lex_all("1e"),
            "error:@1 at column 1: malformed number '1e' (interval units are s, m, h, d, w)");
  EXPECT_EQ(lex_all("15D"),
            "error:@1 at column 1: malformed number '15D' (interval units are s, m, h, d, w)");
}

TEST(LexerTest, UnescapesStringsAndQuotedIdentifiers) {
  EXPECT_EQ(lex_all("'it''s' \"a \"\"b\"\"\" ''"),
            "str:'it''s'=it's@1 qid:\"a \"\"b\"\"\"=a \"b\"@9 str:''=@19 end:@21");
  EXPECT_EQ(lex_all("'caf\xC3\xA9'"), "str:'caf\xC3\xA9'=caf\xC3\xA9@1 end:@8");
}

TEST(LexerTest, ReportsUnterminatedQuotesAtTheirStart) {
  EXPECT_EQ(lex_all("a = 'abc"), "word:a@1 sym:=@3 error:@5 at column 5: unterminated string");
  EXPECT_EQ(lex_all("'it''"), "error:@1 at column 1: unterminated string");
  EXPECT_EQ(lex_all("'it'''"), "str:'it'''=it'@1 end:@7");
  EXPECT_EQ(lex_all("\"abc"), "error:@1 at column 1: unterminated quoted identifier");
  EXPECT_EQ(lex_all("x \"\""), "word:x@1 error:@3 at column 3: empty quoted identifier");
}

TEST(LexerTest, RejectsStrayCharacters) {
  EXPECT_EQ(lex_all("a ! b"), "word:a@1 error:@3 at column 3: unexpected character '!'");
  EXPECT_EQ(lex_all("a.b"), "word:a@1 error:@2 at column 2: unexpected character '.'");
  EXPECT_EQ(lex_all(std::string_view("a\0b", 3)),
            "word:a@1 error:@2 at column 2: unexpected character '\\x00'");
  EXPECT_EQ(lex_all("\xC3\xA9"), "error:@1 at column 1: unexpected character '\xC3\xA9'");
}

TEST(LexerTest, RejectsInvalidUtf8InsideAndOutsideQuotes) {
  EXPECT_EQ(lex_all("a \xFF"), "word:a@1 error:@3 at column 3: invalid UTF-8");
  EXPECT_EQ(lex_all("'ab\xC3'"), "error:@4 at column 4: invalid UTF-8");
  EXPECT_EQ(lex_all("'\xC0\x80'"), "error:@2 at column 2: invalid UTF-8");          // overlong
  EXPECT_EQ(lex_all("'\xED\xA0\x80'"), "error:@2 at column 2: invalid UTF-8");      // surrogate
  EXPECT_EQ(lex_all("'\xF4\x90\x80\x80'"), "error:@2 at column 2: invalid UTF-8");  // > U+10FFFF
  EXPECT_EQ(lex_all("'\xE2\x82'"), "error:@2 at column 2: invalid UTF-8");          // truncated
  EXPECT_EQ(lex_all("\"\xF0\x9F\x98\x80\""), "qid:\"\xF0\x9F\x98\x80\"=\xF0\x9F\x98\x80@1 end:@7");
}

TEST(LexerTest, KeepsReturningEndAndError) {
  Lexer at_end("a");
  EXPECT_EQ(at_end.next().kind, TokenKind::kWord);
  EXPECT_EQ(at_end.next().kind, TokenKind::kEnd);
  EXPECT_EQ(at_end.next().kind, TokenKind::kEnd);
  Lexer failed("! a");
  EXPECT_EQ(failed.next().kind, TokenKind::kError);
  EXPECT_EQ(failed.next().kind, TokenKind::kError);
}

TEST(LexerTest, MatchesKeywordsIgnoringCase) {
  Lexer lexer("select SeLeCt selects \"SELECT\"");
  EXPECT_TRUE(is_keyword(lexer.next(), "SELECT"));
  EXPECT_TRUE(is_keyword(lexer.next(), "SELECT"));
  EXPECT_FALSE(is_keyword(lexer.next(), "SELECT"));
  EXPECT_FALSE(is_keyword(lexer.next(), "SELECT"));
}

TEST(LexerTest, DescribesTokensSafelyForMessages) {
  const std::string statement = "'a\tb' '" + std::string(48, 'a') + "'";
  Lexer lexer(statement);
  EXPECT_EQ(describe_token(lexer.next()), "'a\\x09b'");
  EXPECT_EQ(describe_token(lexer.next()), "'" + std::string(39, 'a') + "...");
  EXPECT_EQ(describe_token(lexer.next()), "end of statement");
}

TEST(LexerTest, ValidatesUtf8SequenceLengths) {
  EXPECT_EQ(utf8_sequence_length("a", 0), 1u);
  EXPECT_EQ(utf8_sequence_length("\xC3\xA9", 0), 2u);
  EXPECT_EQ(utf8_sequence_length("\xE2\x82\xAC", 0), 3u);
  EXPECT_EQ(utf8_sequence_length("\xF0\x9F\x98\x80", 0), 4u);
  EXPECT_EQ(utf8_sequence_length("\x80", 0), 0u);
  EXPECT_EQ(utf8_sequence_length("\xC1\xBF", 0), 0u);
  EXPECT_EQ(utf8_sequence_length("\xE0\x9F\xBF", 0), 0u);
  EXPECT_EQ(utf8_sequence_length("\xF5\x80\x80\x80", 0), 0u);
  EXPECT_EQ(utf8_sequence_length("\xC3", 0), 0u);
}

}  // namespace
}  // namespace tessera::query
