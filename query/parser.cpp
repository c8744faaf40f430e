// Recursive-descent parser of one statement (grammar: docs/query-language.md).
// Each expression level is one function, lowest precedence first:
//   OR < AND < NOT < comparison / IN / IS NULL < + - < * / < unary - < primary.
// Two guards keep hostile input from exhausting the stack: the recursion depth
// (nested parentheses, calls, NOT, unary minus) and the depth of the built tree
// (long operator chains such as a + a + ... + a) are both bounded by
// kMaxExpressionDepth, so the AST's recursive destructor is bounded too.
#include "query/parser.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <system_error>
#include <utility>

#include "query/lexer.h"

namespace tessera::query {
namespace {

// Words that cannot be bare identifiers (quote them: "from"). Everything else the
// grammar matches by word (TABLE, WITH, TAG, tenant, none, time, ...) depends on its
// position and stays usable as a name.
constexpr std::array<std::string_view, 21> kReservedWords = {
    "AND", "AS", "ASC",   "BY",  "DESC", "DISTINCT", "FALSE", "FILTER", "FROM", "GROUP", "HAVING",
    "IN",  "IS", "LIMIT", "NOT", "NULL", "OR",       "ORDER", "SELECT", "TRUE", "WHERE",
};

// Expr::text copies the source of every node, so a deep tree over a long statement
// could copy the statement once per level. Bounding the total keeps memory linear.
constexpr size_t kMaxExpressionTextBytes = 16 * kMaxStatementBytes;

constexpr int64_t kNanosPerMinute = 60 * engine::kNanosPerSecond;
constexpr int64_t kNanosPerHour = 60 * kNanosPerMinute;
constexpr int64_t kNanosPerWeek = 7 * engine::kNanosPerDay;

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

bool is_comparison(TokenKind kind) {
  switch (kind) {
    case TokenKind::kEqual:
    case TokenKind::kNotEqual:
    case TokenKind::kLess:
    case TokenKind::kLessEqual:
    case TokenKind::kGreater:
    case TokenKind::kGreaterEqual:
      return true;
    default:
      return false;
  }
}

BinaryOp comparison_op(TokenKind kind) {
  switch (kind) {
    case TokenKind::kEqual:
      return BinaryOp::kEqual;
    case TokenKind::kNotEqual:
      return BinaryOp::kNotEqual;
    case TokenKind::kLess:
      return BinaryOp::kLess;
    case TokenKind::kLessEqual:
      return BinaryOp::kLessEqual;
    case TokenKind::kGreater:
      return BinaryOp::kGreater;
    default:
      return BinaryOp::kGreaterEqual;
  }
}

// Decimal digits to int64, with an optional minus applied before the range check so
// that -9223372036854775808 is representable. nullopt when out of range.
std::optional<int64_t> parse_integer(std::string_view digits, bool is_negative) {
  uint64_t magnitude = 0;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), magnitude);
  if (ec != std::errc() || end != digits.data() + digits.size()) return std::nullopt;
  constexpr auto kMax = static_cast<uint64_t>(std::numeric_limits<int64_t>::max());
  if (!is_negative) {
    if (magnitude > kMax) return std::nullopt;
    return static_cast<int64_t>(magnitude);
  }
  if (magnitude > kMax + 1) return std::nullopt;
  if (magnitude == kMax + 1) return std::numeric_limits<int64_t>::min();
  return -static_cast<int64_t>(magnitude);
}

// A parsed expression and the depth of its tree (a leaf is 1).
struct Parsed {
  ExprPtr expr;
  int depth = 1;
};

class Parser {
 public:
  explicit Parser(std::string_view statement) : statement_(statement), lexer_(statement) {
    current_ = lexer_.next();
  }

  Result<Statement> parse() {
    if (current_.kind == TokenKind::kEnd) return syntax_error(current_, "empty statement");
    Result<Statement> statement = parse_statement_body();
    if (!statement.is_ok()) return statement;
    accept(TokenKind::kSemicolon);
    if (current_.kind != TokenKind::kEnd) return unexpected(current_);
    return statement;
  }

 private:
  // Keeps the recursion depth counter balanced on every return path.
  class DepthScope {
   public:
    explicit DepthScope(int& depth) : depth_(depth) { ++depth_; }
    ~DepthScope() { --depth_; }
    DepthScope(const DepthScope&) = delete;
    DepthScope& operator=(const DepthScope&) = delete;

   private:
    int& depth_;
  };

  // ---- token stream -------------------------------------------------------------

  const Token& peek() {
    if (!peeked_) peeked_ = lexer_.next();
    return *peeked_;
  }

  void advance() {
    previous_end_ = current_.end_offset();
    if (peeked_) {
      current_ = std::move(*peeked_);
      peeked_.reset();
    } else {
      current_ = lexer_.next();
    }
  }

  bool at(TokenKind kind) const { return current_.kind == kind; }
  bool at_keyword(std::string_view keyword) const { return is_keyword(current_, keyword); }

  bool accept(TokenKind kind) {
    if (!at(kind)) return false;
    advance();
    return true;
  }
  bool accept_keyword(std::string_view keyword) {
    if (!at_keyword(keyword)) return false;
    advance();
    return true;
  }

  Status expect(TokenKind kind, std::string_view what) {
    if (accept(kind)) return Status::ok();
    return syntax_error(current_, "expected " + std::string(what));
  }
  Status expect_keyword(std::string_view keyword) {
    if (accept_keyword(keyword)) return Status::ok();
    return syntax_error(current_, "expected " + std::string(keyword));
  }

  // ---- errors -------------------------------------------------------------------

  // A lexical error at the token where parsing stopped explains more than any
  // "expected ..." would, so it wins.
  Error syntax_error(const Token& token, std::string_view message) const {
    if (token.kind == TokenKind::kError) return lexer_.error();
    return error_at(ErrorCode::kSyntax, token.offset, message);
  }
  Error unexpected(const Token& token) const {
    return syntax_error(token, "unexpected '" + describe_token(token) + "'");
  }
  static Error error_at(ErrorCode code, size_t offset, std::string_view message) {
    return make_error(code,
                      "at column " + std::to_string(offset + 1) + ": " + std::string(message));
  }

  // ---- names --------------------------------------------------------------------

  // A bare (non-reserved) word or a "quoted" identifier; `what` names it in the error.
  Result<std::string> parse_identifier(std::string_view what) {
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

  // ---- literals -----------------------------------------------------------------

  Result<int64_t> integer_value(const Token& token, bool is_negative) const {
    const std::optional<int64_t> value = parse_integer(token.text, is_negative);
    if (!value) {
      return error_at(ErrorCode::kInvalidInput, token.offset,
                      "integer " + std::string(is_negative ? "-" : "") + std::string(token.text) +
                          " out of range");
    }
    return *value;
  }

  Result<double> decimal_value(const Token& token, bool is_negative) const {
    double value = 0;
    const char* first = token.text.data();
    const char* last = first + token.text.size();
    const auto [end, ec] = std::from_chars(first, last, value);
    if (ec != std::errc() || end != last) {
      return error_at(ErrorCode::kInvalidInput, token.offset,
                      "number " + std::string(token.text) + " out of range");
    }
    return is_negative ? -value : value;
  }

  Result<int64_t> interval_value(const Token& token) const {
    const std::string_view digits = token.text.substr(0, token.text.size() - 1);
    int64_t unit_ns = engine::kNanosPerSecond;
    switch (token.text.back()) {
      case 'm':
        unit_ns = kNanosPerMinute;
        break;
      case 'h':
        unit_ns = kNanosPerHour;
        break;
      case 'd':
        unit_ns = engine::kNanosPerDay;
        break;
      case 'w':
        unit_ns = kNanosPerWeek;
        break;
      default:
        break;
    }
    const std::optional<int64_t> count = parse_integer(digits, false);
    if (!count || *count > std::numeric_limits<int64_t>::max() / unit_ns) {
      return error_at(ErrorCode::kInvalidInput, token.offset,
                      "interval " + std::string(token.text) + " out of range");
    }
    return *count * unit_ns;
  }

  // An interval where a positive duration is required (bucket width, partition,
  // retention); `what` names it in the error.
  Result<int64_t> parse_positive_interval(std::string_view what) {
    if (!at(TokenKind::kInterval)) {
      return syntax_error(current_, "expected " + std::string(what) + " interval (e.g. 1d)");
    }
    TESSERA_ASSIGN_OR_RETURN(const int64_t ns, interval_value(current_));
    if (ns <= 0) {
      return error_at(ErrorCode::kInvalidInput, current_.offset,
                      std::string(what) + " interval must be greater than zero");
    }
    advance();
    return ns;
  }

  // ---- expression nodes ---------------------------------------------------------

  // Wraps `node`, spanning from `start` to the end of the last consumed token.
  Result<Parsed> finish(decltype(Expr::node) node, size_t start, int depth) {
    if (depth > kMaxExpressionDepth) return depth_error(start);
    const size_t length = previous_end_ - start;
    expression_text_bytes_ += length;
    if (expression_text_bytes_ > kMaxExpressionTextBytes) {
      return error_at(
          ErrorCode::kLimitExceeded, start,
          "expression text exceeds " + std::to_string(kMaxExpressionTextBytes) + " bytes in total");
    }
    auto expr = std::make_unique<Expr>();
    expr->node = std::move(node);
    expr->column = static_cast<int>(start) + 1;
    expr->text = std::string(statement_.substr(start, length));
    return Parsed{std::move(expr), depth};
  }

  Error depth_error(size_t offset) const {
    return error_at(ErrorCode::kLimitExceeded, offset,
                    "expression nested deeper than " + std::to_string(kMaxExpressionDepth));
  }

  Result<Parsed> binary(BinaryOp op, Parsed left, Parsed right, size_t start) {
    const int depth = std::max(left.depth, right.depth) + 1;
    return finish(BinaryExpr{op, std::move(left.expr), std::move(right.expr)}, start, depth);
  }

  // ---- expressions --------------------------------------------------------------

  Result<Parsed> parse_expression() {
    DepthScope scope(recursion_depth_);
    if (recursion_depth_ > kMaxExpressionDepth) return depth_error(current_.offset);
    return parse_or();
  }

  Result<Parsed> parse_or() {
    const size_t start = current_.offset;
    TESSERA_ASSIGN_OR_RETURN(Parsed left, parse_and());
    while (accept_keyword("OR")) {
      TESSERA_ASSIGN_OR_RETURN(Parsed right, parse_and());
      TESSERA_ASSIGN_OR_RETURN(left,
                               binary(BinaryOp::kOr, std::move(left), std::move(right), start));
    }
    return left;
  }

  Result<Parsed> parse_and() {
    const size_t start = current_.offset;
    TESSERA_ASSIGN_OR_RETURN(Parsed left, parse_not());
    while (accept_keyword("AND")) {
      TESSERA_ASSIGN_OR_RETURN(Parsed right, parse_not());
      TESSERA_ASSIGN_OR_RETURN(left,
                               binary(BinaryOp::kAnd, std::move(left), std::move(right), start));
    }
    return left;
  }

  Result<Parsed> parse_not() {
    if (!at_keyword("NOT")) return parse_comparison();
    DepthScope scope(recursion_depth_);
    const size_t start = current_.offset;
    if (recursion_depth_ > kMaxExpressionDepth) return depth_error(start);
    advance();
    TESSERA_ASSIGN_OR_RETURN(Parsed operand, parse_not());
    return finish(UnaryExpr{UnaryOp::kNot, std::move(operand.expr)}, start, operand.depth + 1);
  }

  // At most one comparison, IN or IS per level: `a < b < c` is an error, as in SQL.
  Result<Parsed> parse_comparison() {
    const size_t start = current_.offset;
    TESSERA_ASSIGN_OR_RETURN(Parsed left, parse_additive());
    if (is_comparison(current_.kind)) {
      const BinaryOp op = comparison_op(current_.kind);
      advance();
      TESSERA_ASSIGN_OR_RETURN(Parsed right, parse_additive());
      if (is_comparison(current_.kind)) {
        return syntax_error(current_, "comparisons do not chain; join them with AND");
      }
      return binary(op, std::move(left), std::move(right), start);
    }
    if (at_keyword("IN")) {
      advance();
      return parse_in_list(std::move(left), start, /*is_negated=*/false);
    }
    if (at_keyword("NOT") && is_keyword(peek(), "IN")) {
      advance();
      advance();
      return parse_in_list(std::move(left), start, /*is_negated=*/true);
    }
    if (accept_keyword("IS")) {
      const bool is_negated = accept_keyword("NOT");
      TESSERA_RETURN_IF_ERROR(expect_keyword("NULL"));
      return finish(IsNullExpr{std::move(left.expr), is_negated}, start, left.depth + 1);
    }
    return left;
  }

  Result<Parsed> parse_in_list(Parsed operand, size_t start, bool is_negated) {
    TESSERA_RETURN_IF_ERROR(expect(TokenKind::kLeftParen, "'(' after IN"));
    InExpr in;
    in.is_negated = is_negated;
    int depth = operand.depth;
    in.operand = std::move(operand.expr);
    do {
      TESSERA_ASSIGN_OR_RETURN(Parsed element, parse_expression());
      depth = std::max(depth, element.depth);
      in.list.push_back(std::move(element.expr));
    } while (accept(TokenKind::kComma));
    TESSERA_RETURN_IF_ERROR(expect(TokenKind::kRightParen, "',' or ')'"));
    return finish(std::move(in), start, depth + 1);
  }

  Result<Parsed> parse_additive() {
    const size_t start = current_.offset;
    TESSERA_ASSIGN_OR_RETURN(Parsed left, parse_multiplicative());
    while (at(TokenKind::kPlus) || at(TokenKind::kMinus)) {
      const BinaryOp op = at(TokenKind::kPlus) ? BinaryOp::kAdd : BinaryOp::kSubtract;
      advance();
      TESSERA_ASSIGN_OR_RETURN(Parsed right, parse_multiplicative());
      TESSERA_ASSIGN_OR_RETURN(left, binary(op, std::move(left), std::move(right), start));
    }
    return left;
  }

  Result<Parsed> parse_multiplicative() {
    const size_t start = current_.offset;
    TESSERA_ASSIGN_OR_RETURN(Parsed left, parse_unary());
    while (at(TokenKind::kStar) || at(TokenKind::kSlash)) {
      const BinaryOp op = at(TokenKind::kStar) ? BinaryOp::kMultiply : BinaryOp::kDivide;
      advance();
      TESSERA_ASSIGN_OR_RETURN(Parsed right, parse_unary());
      TESSERA_ASSIGN_OR_RETURN(left, binary(op, std::move(left), std::move(right), start));
    }
    return left;
  }

  // A minus directly before a number is folded into the literal (-5 is the int64 -5,
  // which also makes -9223372036854775808 expressible); otherwise it is kNegate.
  Result<Parsed> parse_unary() {
    if (!at(TokenKind::kMinus)) return parse_primary();
    DepthScope scope(recursion_depth_);
    const size_t start = current_.offset;
    if (recursion_depth_ > kMaxExpressionDepth) return depth_error(start);
    const TokenKind next_kind = peek().kind;
    if (next_kind == TokenKind::kInteger || next_kind == TokenKind::kDecimal) {
      advance();
      const Token number = current_;
      advance();
      Value value;
      if (next_kind == TokenKind::kInteger) {
        TESSERA_ASSIGN_OR_RETURN(value, integer_value(number, /*is_negative=*/true));
      } else {
        TESSERA_ASSIGN_OR_RETURN(value, decimal_value(number, /*is_negative=*/true));
      }
      return finish(LiteralExpr{std::move(value)}, start, 1);
    }
    advance();
    TESSERA_ASSIGN_OR_RETURN(Parsed operand, parse_unary());
    return finish(UnaryExpr{UnaryOp::kNegate, std::move(operand.expr)}, start, operand.depth + 1);
  }

  Result<Parsed> parse_primary() {
    const size_t start = current_.offset;
    switch (current_.kind) {
      case TokenKind::kInteger: {
        TESSERA_ASSIGN_OR_RETURN(const int64_t value, integer_value(current_, false));
        advance();
        return finish(LiteralExpr{value}, start, 1);
      }
      case TokenKind::kDecimal: {
        TESSERA_ASSIGN_OR_RETURN(const double value, decimal_value(current_, false));
        advance();
        return finish(LiteralExpr{value}, start, 1);
      }
      case TokenKind::kString: {
        std::string value = std::move(current_.value);
        advance();
        return finish(LiteralExpr{std::move(value)}, start, 1);
      }
      case TokenKind::kInterval: {
        TESSERA_ASSIGN_OR_RETURN(const int64_t ns, interval_value(current_));
        std::string text(current_.text);
        advance();
        return finish(IntervalExpr{ns, std::move(text)}, start, 1);
      }
      case TokenKind::kQuotedIdentifier: {
        std::string name = std::move(current_.value);
        advance();
        return finish(ColumnRefExpr{std::move(name)}, start, 1);
      }
      case TokenKind::kLeftParen: {
        advance();
        TESSERA_ASSIGN_OR_RETURN(Parsed inner, parse_expression());
        TESSERA_RETURN_IF_ERROR(expect(TokenKind::kRightParen, "')'"));
        // The parenthesised expression is written with its parentheses.
        inner.expr->column = static_cast<int>(start) + 1;
        inner.expr->text = std::string(statement_.substr(start, previous_end_ - start));
        return inner;
      }
      case TokenKind::kWord:
        return parse_word();
      case TokenKind::kEnd:
        return syntax_error(current_, "expected expression");
      default:
        return unexpected(current_);
    }
  }

  Result<Parsed> parse_word() {
    const size_t start = current_.offset;
    if (accept_keyword("NULL")) return finish(LiteralExpr{Value{}}, start, 1);
    if (accept_keyword("TRUE")) return finish(LiteralExpr{true}, start, 1);
    if (accept_keyword("FALSE")) return finish(LiteralExpr{false}, start, 1);
    if (is_reserved(current_)) return unexpected(current_);
    if (peek().kind == TokenKind::kLeftParen) return parse_call();
    std::string name(current_.text);
    advance();
    return finish(ColumnRefExpr{std::move(name)}, start, 1);
  }

  // name ( [* | [DISTINCT] expr {, expr}] ) [FILTER (WHERE expr)]
  Result<Parsed> parse_call() {
    const size_t start = current_.offset;
    CallExpr call;
    call.name = to_lower(current_.text);
    advance();  // name
    advance();  // (
    int depth = 0;
    if (accept(TokenKind::kStar)) {
      call.is_star = true;
    } else if (!at(TokenKind::kRightParen)) {
      call.is_distinct = accept_keyword("DISTINCT");
      do {
        TESSERA_ASSIGN_OR_RETURN(Parsed arg, parse_expression());
        depth = std::max(depth, arg.depth);
        call.args.push_back(std::move(arg.expr));
      } while (accept(TokenKind::kComma));
    }
    TESSERA_RETURN_IF_ERROR(expect(TokenKind::kRightParen, "')'"));
    if (accept_keyword("FILTER")) {
      TESSERA_RETURN_IF_ERROR(expect(TokenKind::kLeftParen, "'(' after FILTER"));
      TESSERA_RETURN_IF_ERROR(expect_keyword("WHERE"));
      TESSERA_ASSIGN_OR_RETURN(Parsed filter, parse_expression());
      depth = std::max(depth, filter.depth);
      call.filter = std::move(filter.expr);
      TESSERA_RETURN_IF_ERROR(expect(TokenKind::kRightParen, "')'"));
    }
    return finish(std::move(call), start, depth + 1);
  }

  // ---- statements ---------------------------------------------------------------

  Result<Statement> parse_statement_body() {
    if (at_keyword("SELECT")) {
      TESSERA_ASSIGN_OR_RETURN(SelectStmt select, parse_select());
      return Statement{std::move(select)};
    }
    if (accept_keyword("EXPLAIN")) {
      if (!at_keyword("SELECT")) return syntax_error(current_, "expected SELECT");
      TESSERA_ASSIGN_OR_RETURN(SelectStmt select, parse_select());
      return Statement{ExplainStmt{std::move(select)}};
    }
    if (accept_keyword("CREATE")) {
      TESSERA_RETURN_IF_ERROR(expect_keyword("TABLE"));
      TESSERA_ASSIGN_OR_RETURN(CreateTableStmt create, parse_create_table());
      return Statement{std::move(create)};
    }
    if (accept_keyword("SHOW")) {
      TESSERA_RETURN_IF_ERROR(expect_keyword("TABLES"));
      return Statement{ShowTablesStmt{}};
    }
    if (accept_keyword("DESCRIBE")) {
      TESSERA_ASSIGN_OR_RETURN(std::string table, parse_identifier("table name"));
      return Statement{DescribeStmt{std::move(table)}};
    }
    return syntax_error(current_, "unknown statement");
  }

  Result<SelectStmt> parse_select() {
    advance();  // SELECT
    SelectStmt select;
    do {
      SelectItem item;
      if (accept(TokenKind::kStar)) {
        item.is_star = true;
        item.output_name = "*";
      } else {
        TESSERA_ASSIGN_OR_RETURN(Parsed expr, parse_expression());
        item.expr = std::move(expr.expr);
        if (accept_keyword("AS")) {
          TESSERA_ASSIGN_OR_RETURN(item.alias, parse_identifier("name after AS"));
        }
        item.output_name = item.alias ? *item.alias : item.expr->text;
      }
      select.items.push_back(std::move(item));
    } while (accept(TokenKind::kComma));

    TESSERA_RETURN_IF_ERROR(expect_keyword("FROM"));
    select.table_column = current_.column();
    TESSERA_ASSIGN_OR_RETURN(select.table, parse_identifier("table name"));

    if (accept_keyword("WHERE")) {
      TESSERA_ASSIGN_OR_RETURN(Parsed where, parse_expression());
      select.where = std::move(where.expr);
    }
    if (accept_keyword("GROUP")) {
      TESSERA_RETURN_IF_ERROR(expect_keyword("BY"));
      select.has_group_by = true;
      TESSERA_RETURN_IF_ERROR(parse_group_by(select.group_by));
    }
    if (accept_keyword("HAVING")) {
      TESSERA_ASSIGN_OR_RETURN(Parsed having, parse_expression());
      select.having = std::move(having.expr);
    }
    if (accept_keyword("ORDER")) {
      TESSERA_RETURN_IF_ERROR(expect_keyword("BY"));
      do {
        OrderItem item;
        TESSERA_ASSIGN_OR_RETURN(Parsed expr, parse_expression());
        item.expr = std::move(expr.expr);
        if (accept_keyword("DESC")) {
          item.is_descending = true;
        } else {
          accept_keyword("ASC");
        }
        select.order_by.push_back(std::move(item));
      } while (accept(TokenKind::kComma));
    }
    if (accept_keyword("LIMIT")) {
      if (!at(TokenKind::kInteger)) {
        return syntax_error(current_, "expected a non-negative integer after LIMIT");
      }
      TESSERA_ASSIGN_OR_RETURN(select.limit, integer_value(current_, false));
      advance();
    }
    return select;
  }

  bool at_time_call() {
    return is_keyword(current_, "TIME") && peek().kind == TokenKind::kLeftParen;
  }

  // time(<interval>[, '<zone>']) [, tag ...] | tag {, tag}
  Status parse_group_by(GroupBy& group_by) {
    if (at_time_call()) {
      TimeGrouping time;
      time.column = current_.column();
      advance();  // time
      advance();  // (
      if (!at(TokenKind::kInterval)) {
        return syntax_error(current_, "expected bucket interval (e.g. 1d)");
      }
      time.interval_text = std::string(current_.text);
      TESSERA_ASSIGN_OR_RETURN(time.interval_ns, parse_positive_interval("bucket"));
      if (accept(TokenKind::kComma)) {
        if (!at(TokenKind::kString)) {
          return syntax_error(current_, "expected time zone string (e.g. 'Europe/Paris')");
        }
        time.time_zone = current_.value;
        advance();
      }
      TESSERA_RETURN_IF_ERROR(expect(TokenKind::kRightParen, "')'"));
      group_by.time = std::move(time);
      if (!accept(TokenKind::kComma)) return Status::ok();
    }
    do {
      if (at_time_call()) {
        return syntax_error(current_, "time(...) must come first in GROUP BY");
      }
      const int column = current_.column();
      TESSERA_ASSIGN_OR_RETURN(std::string tag, parse_identifier("tag name"));
      group_by.tags.push_back(std::move(tag));
      group_by.tag_columns.push_back(column);
    } while (accept(TokenKind::kComma));
    return Status::ok();
  }

  Result<CreateTableStmt> parse_create_table() {
    CreateTableStmt create;
    engine::TableSchema& schema = create.schema;
    TESSERA_ASSIGN_OR_RETURN(schema.name, parse_identifier("table name"));
    schema.columns.push_back({"time", engine::ColumnKind::kTime, storage::ColumnType::kInt64});
    std::vector<size_t> declared_offsets(1, 0);  // parallel to schema.columns

    if (accept(TokenKind::kLeftParen)) {
      do {
        const size_t offset = current_.offset;
        TESSERA_ASSIGN_OR_RETURN(std::string name, parse_identifier("column name"));
        if (name == "time") {
          return error_at(ErrorCode::kInvalidInput, offset,
                          "column 'time' is implicit and cannot be declared");
        }
        if (schema.find(name) != nullptr) {
          return error_at(ErrorCode::kInvalidInput, offset, "duplicate column '" + name + "'");
        }
        TESSERA_ASSIGN_OR_RETURN(engine::ColumnDef column, parse_column_type(std::move(name)));
        schema.columns.push_back(std::move(column));
        declared_offsets.push_back(offset);
      } while (accept(TokenKind::kComma));
      TESSERA_RETURN_IF_ERROR(expect(TokenKind::kRightParen, "',' or ')'"));
    }

    // Where each option was written, for errors found after the whole list is read.
    std::optional<size_t> tenant_offset;
    std::vector<size_t> dedup_offsets;
    if (accept_keyword("WITH")) {
      TESSERA_RETURN_IF_ERROR(expect(TokenKind::kLeftParen, "'(' after WITH"));
      bool seen[4] = {false, false, false, false};
      do {
        if (!at(TokenKind::kWord)) return syntax_error(current_, "expected option name");
        const Token option = current_;
        static constexpr std::array<std::string_view, 4> kOptions = {"TENANT", "DEDUP", "PARTITION",
                                                                     "RETENTION"};
        size_t index = 0;
        while (index < kOptions.size() && !is_keyword(option, kOptions[index])) ++index;
        if (index == kOptions.size()) {
          return syntax_error(option, "unknown option '" + describe_token(option) +
                                          "' (expected tenant, dedup, partition or retention)");
        }
        if (seen[index]) {
          return error_at(ErrorCode::kInvalidInput, option.offset,
                          "duplicate option '" + to_lower(option.text) + "'");
        }
        seen[index] = true;
        advance();
        TESSERA_RETURN_IF_ERROR(expect(TokenKind::kEqual, "'='"));
        switch (index) {
          case 0: {
            if (accept_keyword("NONE")) {
              schema.options.tenant_column.reset();
            } else {
              tenant_offset = current_.offset;
              TESSERA_ASSIGN_OR_RETURN(schema.options.tenant_column,
                                       parse_identifier("tenant column name or none"));
            }
            break;
          }
          case 1:
            TESSERA_RETURN_IF_ERROR(parse_dedup(option, schema.options, dedup_offsets));
            break;
          case 2: {
            TESSERA_ASSIGN_OR_RETURN(schema.options.partition_ns,
                                     parse_positive_interval("partition"));
            break;
          }
          default: {
            TESSERA_ASSIGN_OR_RETURN(schema.options.retention_ns,
                                     parse_positive_interval("retention"));
            break;
          }
        }
      } while (accept(TokenKind::kComma));
      TESSERA_RETURN_IF_ERROR(expect(TokenKind::kRightParen, "',' or ')'"));
    }

    // A declared tenant or dedup column must be a tag; an undeclared one is created
    // as a tag on first write.
    const auto declared_offset = [&](const engine::ColumnDef* column) {
      return declared_offsets[static_cast<size_t>(column - schema.columns.data())];
    };
    if (schema.options.tenant_column) {
      const engine::ColumnDef* column = schema.find(*schema.options.tenant_column);
      if (column != nullptr && column->kind != engine::ColumnKind::kTag) {
        return error_at(ErrorCode::kInvalidInput,
                        tenant_offset ? *tenant_offset : declared_offset(column),
                        "tenant column '" + column->name + "' must be a TAG");
      }
    }
    for (size_t i = 0; i < schema.options.dedup_columns.size(); ++i) {
      const engine::ColumnDef* column = schema.find(schema.options.dedup_columns[i]);
      if (column != nullptr && column->kind != engine::ColumnKind::kTag) {
        return error_at(ErrorCode::kInvalidInput, dedup_offsets[i],
                        "dedup column '" + column->name + "' must be a TAG");
      }
    }
    return create;
  }

  Result<engine::ColumnDef> parse_column_type(std::string name) {
    using engine::ColumnKind;
    using storage::ColumnType;
    struct TypeName {
      std::string_view word;
      ColumnKind kind;
      ColumnType type;
    };
    static constexpr std::array<TypeName, 5> kTypes = {{
        {"TAG", ColumnKind::kTag, ColumnType::kString},
        {"INT", ColumnKind::kField, ColumnType::kInt64},
        {"FLOAT", ColumnKind::kField, ColumnType::kFloat64},
        {"BOOL", ColumnKind::kField, ColumnType::kBool},
        {"STRING", ColumnKind::kField, ColumnType::kString},
    }};
    for (const TypeName& type : kTypes) {
      if (accept_keyword(type.word))
        return engine::ColumnDef{std::move(name), type.kind, type.type};
    }
    if (at(TokenKind::kWord)) {
      return syntax_error(current_, "unknown type '" + describe_token(current_) +
                                        "' (expected TAG, INT, FLOAT, BOOL or STRING)");
    }
    return syntax_error(current_, "expected column type");
  }

  // dedup = (column, ..., time): `time` is required and implied, so it is dropped.
  Status parse_dedup(const Token& option, engine::TableOptions& options,
                     std::vector<size_t>& offsets) {
    TESSERA_RETURN_IF_ERROR(expect(TokenKind::kLeftParen, "'(' (dedup = (column, ..., time))"));
    bool has_time = false;
    do {
      const size_t offset = current_.offset;
      TESSERA_ASSIGN_OR_RETURN(std::string name, parse_identifier("column name"));
      const bool is_duplicate =
          (name == "time" && has_time) ||
          std::find(options.dedup_columns.begin(), options.dedup_columns.end(), name) !=
              options.dedup_columns.end();
      if (is_duplicate) {
        return error_at(ErrorCode::kInvalidInput, offset, "duplicate dedup column '" + name + "'");
      }
      if (name == "time") {
        has_time = true;
      } else {
        options.dedup_columns.push_back(std::move(name));
        offsets.push_back(offset);
      }
    } while (accept(TokenKind::kComma));
    TESSERA_RETURN_IF_ERROR(expect(TokenKind::kRightParen, "',' or ')'"));
    if (!has_time) return syntax_error(option, "dedup key must include time");
    if (options.dedup_columns.empty()) {
      return error_at(ErrorCode::kInvalidInput, option.offset,
                      "dedup key needs at least one tag column besides time");
    }
    return Status::ok();
  }

  std::string_view statement_;
  Lexer lexer_;
  Token current_;
  std::optional<Token> peeked_;
  size_t previous_end_ = 0;  // end offset of the last consumed token
  int recursion_depth_ = 0;
  size_t expression_text_bytes_ = 0;
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
