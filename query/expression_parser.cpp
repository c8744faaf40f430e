// Each expression level is one function, lowest precedence first:
//   OR < AND < NOT < comparison / IN / IS NULL < + - < * / < unary - < primary.
// Two guards keep hostile input from exhausting the stack: the recursion depth
// (nested parentheses, calls, NOT, unary minus) and the depth of the built tree
// (long operator chains such as a + a + ... + a) are both bounded by
// kMaxExpressionDepth, so the AST's recursive destructor is bounded too.
#include "query/expression_parser.h"

#include <algorithm>
#include <memory>
#include <string>
#include <utility>

#include "query/literal_values.h"
#include "query/parser.h"

namespace tessera::query::detail {
namespace {

// Expr::text copies the source of every node, so a deep tree over a long statement
// could copy the statement once per level. Bounding the total keeps memory linear.
constexpr size_t kMaxExpressionTextBytes = 16 * kMaxStatementBytes;

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

}  // namespace

// ---- expression nodes ---------------------------------------------------------

// Wraps `node`, spanning from `start` to the end of the last consumed token.
Result<Parsed> ExpressionParser::finish(decltype(Expr::node) node, size_t start, int depth) {
  if (depth > kMaxExpressionDepth) return depth_error(start);
  const size_t length = tokens_.previous_end() - start;
  expression_text_bytes_ += length;
  if (expression_text_bytes_ > kMaxExpressionTextBytes) {
    return error_at(
        ErrorCode::kLimitExceeded, start,
        "expression text exceeds " + std::to_string(kMaxExpressionTextBytes) + " bytes in total");
  }
  auto expr = std::make_unique<Expr>();
  expr->node = std::move(node);
  expr->column = static_cast<int>(start) + 1;
  expr->text = std::string(tokens_.statement().substr(start, length));
  return Parsed{std::move(expr), depth};
}

Error ExpressionParser::depth_error(size_t offset) const {
  return error_at(ErrorCode::kLimitExceeded, offset,
                  "expression nested deeper than " + std::to_string(kMaxExpressionDepth));
}

Result<Parsed> ExpressionParser::binary(BinaryOp op, Parsed left, Parsed right, size_t start) {
  const int depth = std::max(left.depth, right.depth) + 1;
  return finish(BinaryExpr{op, std::move(left.expr), std::move(right.expr)}, start, depth);
}

// ---- expressions --------------------------------------------------------------

Result<Parsed> ExpressionParser::parse_expression() {
  DepthScope scope(recursion_depth_);
  if (recursion_depth_ > kMaxExpressionDepth) return depth_error(tokens_.current().offset);
  return parse_or();
}

Result<Parsed> ExpressionParser::parse_or() {
  const size_t start = tokens_.current().offset;
  TESSERA_ASSIGN_OR_RETURN(Parsed left, parse_and());
  while (tokens_.accept_keyword("OR")) {
    TESSERA_ASSIGN_OR_RETURN(Parsed right, parse_and());
    TESSERA_ASSIGN_OR_RETURN(left, binary(BinaryOp::kOr, std::move(left), std::move(right), start));
  }
  return left;
}

Result<Parsed> ExpressionParser::parse_and() {
  const size_t start = tokens_.current().offset;
  TESSERA_ASSIGN_OR_RETURN(Parsed left, parse_not());
  while (tokens_.accept_keyword("AND")) {
    TESSERA_ASSIGN_OR_RETURN(Parsed right, parse_not());
    TESSERA_ASSIGN_OR_RETURN(left,
                             binary(BinaryOp::kAnd, std::move(left), std::move(right), start));
  }
  return left;
}

Result<Parsed> ExpressionParser::parse_not() {
  if (!tokens_.at_keyword("NOT")) return parse_comparison();
  DepthScope scope(recursion_depth_);
  const size_t start = tokens_.current().offset;
  if (recursion_depth_ > kMaxExpressionDepth) return depth_error(start);
  tokens_.advance();
  TESSERA_ASSIGN_OR_RETURN(Parsed operand, parse_not());
  return finish(UnaryExpr{UnaryOp::kNot, std::move(operand.expr)}, start, operand.depth + 1);
}

// At most one comparison, IN or IS per level: `a < b < c` is an error, as in SQL.
Result<Parsed> ExpressionParser::parse_comparison() {
  const size_t start = tokens_.current().offset;
  TESSERA_ASSIGN_OR_RETURN(Parsed left, parse_additive());
  if (is_comparison(tokens_.current().kind)) {
    const BinaryOp op = comparison_op(tokens_.current().kind);
    tokens_.advance();
    TESSERA_ASSIGN_OR_RETURN(Parsed right, parse_additive());
    if (is_comparison(tokens_.current().kind)) {
      return tokens_.syntax_error(tokens_.current(),
                                  "comparisons do not chain; join them with AND");
    }
    return binary(op, std::move(left), std::move(right), start);
  }
  if (tokens_.at_keyword("IN")) {
    tokens_.advance();
    return parse_in_list(std::move(left), start, /*is_negated=*/false);
  }
  if (tokens_.at_keyword("NOT") && is_keyword(tokens_.peek(), "IN")) {
    tokens_.advance();
    tokens_.advance();
    return parse_in_list(std::move(left), start, /*is_negated=*/true);
  }
  if (tokens_.accept_keyword("IS")) {
    const bool is_negated = tokens_.accept_keyword("NOT");
    TESSERA_RETURN_IF_ERROR(tokens_.expect_keyword("NULL"));
    return finish(IsNullExpr{std::move(left.expr), is_negated}, start, left.depth + 1);
  }
  return left;
}

Result<Parsed> ExpressionParser::parse_in_list(Parsed operand, size_t start, bool is_negated) {
  TESSERA_RETURN_IF_ERROR(tokens_.expect(TokenKind::kLeftParen, "'(' after IN"));
  InExpr in;
  in.is_negated = is_negated;
  int depth = operand.depth;
  in.operand = std::move(operand.expr);
  do {
    TESSERA_ASSIGN_OR_RETURN(Parsed element, parse_expression());
    depth = std::max(depth, element.depth);
    in.list.push_back(std::move(element.expr));
  } while (tokens_.accept(TokenKind::kComma));
  TESSERA_RETURN_IF_ERROR(tokens_.expect(TokenKind::kRightParen, "',' or ')'"));
  return finish(std::move(in), start, depth + 1);
}

Result<Parsed> ExpressionParser::parse_additive() {
  const size_t start = tokens_.current().offset;
  TESSERA_ASSIGN_OR_RETURN(Parsed left, parse_multiplicative());
  while (tokens_.at(TokenKind::kPlus) || tokens_.at(TokenKind::kMinus)) {
    const BinaryOp op = tokens_.at(TokenKind::kPlus) ? BinaryOp::kAdd : BinaryOp::kSubtract;
    tokens_.advance();
    TESSERA_ASSIGN_OR_RETURN(Parsed right, parse_multiplicative());
    TESSERA_ASSIGN_OR_RETURN(left, binary(op, std::move(left), std::move(right), start));
  }
  return left;
}

Result<Parsed> ExpressionParser::parse_multiplicative() {
  const size_t start = tokens_.current().offset;
  TESSERA_ASSIGN_OR_RETURN(Parsed left, parse_unary());
  while (tokens_.at(TokenKind::kStar) || tokens_.at(TokenKind::kSlash)) {
    const BinaryOp op = tokens_.at(TokenKind::kStar) ? BinaryOp::kMultiply : BinaryOp::kDivide;
    tokens_.advance();
    TESSERA_ASSIGN_OR_RETURN(Parsed right, parse_unary());
    TESSERA_ASSIGN_OR_RETURN(left, binary(op, std::move(left), std::move(right), start));
  }
  return left;
}

// A minus directly before a number is folded into the literal (-5 is the int64 -5,
// which also makes -9223372036854775808 expressible); otherwise it is kNegate.
Result<Parsed> ExpressionParser::parse_unary() {
  if (!tokens_.at(TokenKind::kMinus)) return parse_primary();
  DepthScope scope(recursion_depth_);
  const size_t start = tokens_.current().offset;
  if (recursion_depth_ > kMaxExpressionDepth) return depth_error(start);
  const TokenKind next_kind = tokens_.peek().kind;
  if (next_kind == TokenKind::kInteger || next_kind == TokenKind::kDecimal) {
    tokens_.advance();
    const Token number = tokens_.current();
    tokens_.advance();
    Value value;
    if (next_kind == TokenKind::kInteger) {
      TESSERA_ASSIGN_OR_RETURN(value, integer_value(number, /*is_negative=*/true));
    } else {
      TESSERA_ASSIGN_OR_RETURN(value, decimal_value(number, /*is_negative=*/true));
    }
    return finish(LiteralExpr{std::move(value)}, start, 1);
  }
  tokens_.advance();
  TESSERA_ASSIGN_OR_RETURN(Parsed operand, parse_unary());
  return finish(UnaryExpr{UnaryOp::kNegate, std::move(operand.expr)}, start, operand.depth + 1);
}

Result<Parsed> ExpressionParser::parse_primary() {
  const size_t start = tokens_.current().offset;
  switch (tokens_.current().kind) {
    case TokenKind::kInteger: {
      TESSERA_ASSIGN_OR_RETURN(const int64_t value, integer_value(tokens_.current(), false));
      tokens_.advance();
      return finish(LiteralExpr{value}, start, 1);
    }
    case TokenKind::kDecimal: {
      TESSERA_ASSIGN_OR_RETURN(const double value, decimal_value(tokens_.current(), false));
      tokens_.advance();
      return finish(LiteralExpr{value}, start, 1);
    }
    case TokenKind::kString: {
      std::string value = std::move(tokens_.current().value);
      tokens_.advance();
      return finish(LiteralExpr{std::move(value)}, start, 1);
    }
    case TokenKind::kInterval: {
      TESSERA_ASSIGN_OR_RETURN(const int64_t ns, interval_value(tokens_.current()));
      std::string text(tokens_.current().text);
      tokens_.advance();
      return finish(IntervalExpr{ns, std::move(text)}, start, 1);
    }
    case TokenKind::kQuotedIdentifier: {
      std::string name = std::move(tokens_.current().value);
      tokens_.advance();
      return finish(ColumnRefExpr{std::move(name)}, start, 1);
    }
    case TokenKind::kLeftParen: {
      tokens_.advance();
      TESSERA_ASSIGN_OR_RETURN(Parsed inner, parse_expression());
      TESSERA_RETURN_IF_ERROR(tokens_.expect(TokenKind::kRightParen, "')'"));
      // The parenthesised expression is written with its parentheses.
      inner.expr->column = static_cast<int>(start) + 1;
      inner.expr->text =
          std::string(tokens_.statement().substr(start, tokens_.previous_end() - start));
      return inner;
    }
    case TokenKind::kWord:
      return parse_word();
    case TokenKind::kEnd:
      return tokens_.syntax_error(tokens_.current(), "expected expression");
    default:
      return tokens_.unexpected(tokens_.current());
  }
}

Result<Parsed> ExpressionParser::parse_word() {
  const size_t start = tokens_.current().offset;
  if (tokens_.accept_keyword("NULL")) return finish(LiteralExpr{Value{}}, start, 1);
  if (tokens_.accept_keyword("TRUE")) return finish(LiteralExpr{true}, start, 1);
  if (tokens_.accept_keyword("FALSE")) return finish(LiteralExpr{false}, start, 1);
  if (is_reserved(tokens_.current())) return tokens_.unexpected(tokens_.current());
  if (tokens_.peek().kind == TokenKind::kLeftParen) return parse_call();
  std::string name(tokens_.current().text);
  tokens_.advance();
  return finish(ColumnRefExpr{std::move(name)}, start, 1);
}

// name ( [* | [DISTINCT] expr {, expr}] ) [FILTER (WHERE expr)]
Result<Parsed> ExpressionParser::parse_call() {
  const size_t start = tokens_.current().offset;
  CallExpr call;
  call.name = to_lower(tokens_.current().text);
  tokens_.advance();  // name
  tokens_.advance();  // (
  int depth = 0;
  if (tokens_.accept(TokenKind::kStar)) {
    call.is_star = true;
  } else if (!tokens_.at(TokenKind::kRightParen)) {
    call.is_distinct = tokens_.accept_keyword("DISTINCT");
    do {
      TESSERA_ASSIGN_OR_RETURN(Parsed arg, parse_expression());
      depth = std::max(depth, arg.depth);
      call.args.push_back(std::move(arg.expr));
    } while (tokens_.accept(TokenKind::kComma));
  }
  TESSERA_RETURN_IF_ERROR(tokens_.expect(TokenKind::kRightParen, "')'"));
  if (tokens_.accept_keyword("FILTER")) {
    TESSERA_RETURN_IF_ERROR(tokens_.expect(TokenKind::kLeftParen, "'(' after FILTER"));
    TESSERA_RETURN_IF_ERROR(tokens_.expect_keyword("WHERE"));
    TESSERA_ASSIGN_OR_RETURN(Parsed filter, parse_expression());
    depth = std::max(depth, filter.depth);
    call.filter = std::move(filter.expr);
    TESSERA_RETURN_IF_ERROR(tokens_.expect(TokenKind::kRightParen, "')'"));
  }
  return finish(std::move(call), start, depth + 1);
}

}  // namespace tessera::query::detail
