// Internal to the parser (query/parser.cpp and its helpers); not a public API.
// Recursive-descent parser of expressions (grammar: docs/query-language.md).
#pragma once

#include <cstddef>

#include "query/ast.h"
#include "query/token_stream.h"
#include "storage/base/status.h"

namespace tessera::query::detail {

// A parsed expression and the depth of its tree (a leaf is 1).
struct Parsed {
  ExprPtr expr;
  int depth = 1;
};

// Parses expressions from a token stream. Use one per statement: the limit on the
// total text copied into the nodes (Expr::text) spans every expression of the
// statement. The stream must outlive the parser. Not thread-safe.
class ExpressionParser {
 public:
  explicit ExpressionParser(TokenStream& tokens) : tokens_(tokens) {}

  ExpressionParser(const ExpressionParser&) = delete;
  ExpressionParser& operator=(const ExpressionParser&) = delete;

  // Parses one expression starting at the current token and stops at the first
  // token that cannot continue it. kSyntax / kInvalidInput as parse_statement
  // documents; kLimitExceeded when nested deeper than kMaxExpressionDepth or when
  // the statement's expressions copy too much text.
  Result<Parsed> parse_expression();

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

  Result<Parsed> finish(decltype(Expr::node) node, size_t start, int depth);
  Error depth_error(size_t offset) const;
  Result<Parsed> binary(BinaryOp op, Parsed left, Parsed right, size_t start);

  Result<Parsed> parse_or();
  Result<Parsed> parse_and();
  Result<Parsed> parse_not();
  Result<Parsed> parse_comparison();
  Result<Parsed> parse_in_list(Parsed operand, size_t start, bool is_negated);
  Result<Parsed> parse_additive();
  Result<Parsed> parse_multiplicative();
  Result<Parsed> parse_unary();
  Result<Parsed> parse_primary();
  Result<Parsed> parse_word();
  Result<Parsed> parse_call();

  TokenStream& tokens_;
  int recursion_depth_ = 0;
  size_t expression_text_bytes_ = 0;
};

}  // namespace tessera::query::detail
