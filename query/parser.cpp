// Statement-level part of the recursive-descent parser (grammar:
// docs/query-language.md): SELECT, EXPLAIN, SHOW TABLES and DESCRIBE here;
// expressions in query/expression_parser.cpp, CREATE TABLE in
// query/create_table_parser.cpp, the token cursor and error helpers in
// query/token_stream.cpp, number and interval values in query/literal_values.cpp.
#include "query/parser.h"

#include <string>
#include <utility>

#include "query/create_table_parser.h"
#include "query/expression_parser.h"
#include "query/lexer.h"
#include "query/literal_values.h"
#include "query/token_stream.h"

namespace tessera::query {
namespace {

using detail::ExpressionParser;
using detail::Parsed;
using detail::TokenStream;

class Parser {
 public:
  explicit Parser(std::string_view statement) : tokens_(statement), expressions_(tokens_) {}

  Result<Statement> parse() {
    if (tokens_.current().kind == TokenKind::kEnd)
      return tokens_.syntax_error(tokens_.current(), "empty statement");
    Result<Statement> statement = parse_statement_body();
    if (!statement.is_ok()) return statement;
    tokens_.accept(TokenKind::kSemicolon);
    if (tokens_.current().kind != TokenKind::kEnd) return tokens_.unexpected(tokens_.current());
    return statement;
  }

 private:
  Result<Statement> parse_statement_body() {
    if (tokens_.at_keyword("SELECT")) {
      TESSERA_ASSIGN_OR_RETURN(SelectStmt select, parse_select());
      return Statement{std::move(select)};
    }
    if (tokens_.accept_keyword("EXPLAIN")) {
      if (!tokens_.at_keyword("SELECT"))
        return tokens_.syntax_error(tokens_.current(), "expected SELECT");
      TESSERA_ASSIGN_OR_RETURN(SelectStmt select, parse_select());
      return Statement{ExplainStmt{std::move(select)}};
    }
    if (tokens_.accept_keyword("CREATE")) {
      TESSERA_RETURN_IF_ERROR(tokens_.expect_keyword("TABLE"));
      TESSERA_ASSIGN_OR_RETURN(CreateTableStmt create, detail::parse_create_table(tokens_));
      return Statement{std::move(create)};
    }
    if (tokens_.accept_keyword("SHOW")) {
      TESSERA_RETURN_IF_ERROR(tokens_.expect_keyword("TABLES"));
      return Statement{ShowTablesStmt{}};
    }
    if (tokens_.accept_keyword("DESCRIBE")) {
      TESSERA_ASSIGN_OR_RETURN(std::string table, tokens_.parse_identifier("table name"));
      return Statement{DescribeStmt{std::move(table)}};
    }
    return tokens_.syntax_error(tokens_.current(), "unknown statement");
  }

  Result<SelectStmt> parse_select() {
    tokens_.advance();  // SELECT
    SelectStmt select;
    do {
      SelectItem item;
      if (tokens_.accept(TokenKind::kStar)) {
        item.is_star = true;
        item.output_name = "*";
      } else {
        TESSERA_ASSIGN_OR_RETURN(Parsed expr, expressions_.parse_expression());
        item.expr = std::move(expr.expr);
        if (tokens_.accept_keyword("AS")) {
          TESSERA_ASSIGN_OR_RETURN(item.alias, tokens_.parse_identifier("name after AS"));
        }
        item.output_name = item.alias ? *item.alias : item.expr->text;
      }
      select.items.push_back(std::move(item));
    } while (tokens_.accept(TokenKind::kComma));

    TESSERA_RETURN_IF_ERROR(tokens_.expect_keyword("FROM"));
    select.table_column = tokens_.current().column();
    TESSERA_ASSIGN_OR_RETURN(select.table, tokens_.parse_identifier("table name"));

    if (tokens_.accept_keyword("WHERE")) {
      TESSERA_ASSIGN_OR_RETURN(Parsed where, expressions_.parse_expression());
      select.where = std::move(where.expr);
    }
    if (tokens_.accept_keyword("GROUP")) {
      TESSERA_RETURN_IF_ERROR(tokens_.expect_keyword("BY"));
      select.has_group_by = true;
      TESSERA_RETURN_IF_ERROR(parse_group_by(select.group_by));
    }
    if (tokens_.accept_keyword("HAVING")) {
      TESSERA_ASSIGN_OR_RETURN(Parsed having, expressions_.parse_expression());
      select.having = std::move(having.expr);
    }
    if (tokens_.accept_keyword("ORDER")) {
      TESSERA_RETURN_IF_ERROR(tokens_.expect_keyword("BY"));
      do {
        OrderItem item;
        TESSERA_ASSIGN_OR_RETURN(Parsed expr, expressions_.parse_expression());
        item.expr = std::move(expr.expr);
        if (tokens_.accept_keyword("DESC")) {
          item.is_descending = true;
        } else {
          tokens_.accept_keyword("ASC");
        }
        select.order_by.push_back(std::move(item));
      } while (tokens_.accept(TokenKind::kComma));
    }
    if (tokens_.accept_keyword("LIMIT")) {
      if (!tokens_.at(TokenKind::kInteger)) {
        return tokens_.syntax_error(tokens_.current(),
                                    "expected a non-negative integer after LIMIT");
      }
      TESSERA_ASSIGN_OR_RETURN(select.limit, detail::integer_value(tokens_.current(), false));
      tokens_.advance();
    }
    return select;
  }

  bool at_time_call() {
    return is_keyword(tokens_.current(), "TIME") && tokens_.peek().kind == TokenKind::kLeftParen;
  }

  // time(<interval>[, '<zone>']) [, tag ...] | tag {, tag}
  Status parse_group_by(GroupBy& group_by) {
    if (at_time_call()) {
      TimeGrouping time;
      time.column = tokens_.current().column();
      tokens_.advance();  // time
      tokens_.advance();  // (
      if (!tokens_.at(TokenKind::kInterval)) {
        return tokens_.syntax_error(tokens_.current(), "expected bucket interval (e.g. 1d)");
      }
      time.interval_text = std::string(tokens_.current().text);
      TESSERA_ASSIGN_OR_RETURN(time.interval_ns,
                               detail::parse_positive_interval(tokens_, "bucket"));
      if (tokens_.accept(TokenKind::kComma)) {
        if (!tokens_.at(TokenKind::kString)) {
          return tokens_.syntax_error(tokens_.current(),
                                      "expected time zone string (e.g. 'Europe/Paris')");
        }
        time.time_zone = tokens_.current().value;
        tokens_.advance();
      }
      TESSERA_RETURN_IF_ERROR(tokens_.expect(TokenKind::kRightParen, "')'"));
      group_by.time = std::move(time);
      if (!tokens_.accept(TokenKind::kComma)) return Status::ok();
    }
    do {
      if (at_time_call()) {
        return tokens_.syntax_error(tokens_.current(), "time(...) must come first in GROUP BY");
      }
      const int column = tokens_.current().column();
      TESSERA_ASSIGN_OR_RETURN(std::string tag, tokens_.parse_identifier("tag name"));
      group_by.tags.push_back(std::move(tag));
      group_by.tag_columns.push_back(column);
    } while (tokens_.accept(TokenKind::kComma));
    return Status::ok();
  }

  TokenStream tokens_;
  ExpressionParser expressions_;  // shares tokens_; declared after it
};

}  // namespace

Result<Statement> parse_statement(std::string_view text) {
  if (text.size() > kMaxStatementBytes) {
    return make_error(ErrorCode::kLimitExceeded, "statement is " + std::to_string(text.size()) +
                                                     " bytes; the limit is " +
                                                     std::to_string(kMaxStatementBytes));
  }
  return Parser(text).parse();
}

}  // namespace tessera::query
