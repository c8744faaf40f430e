// AST of Tessera's query language (SPEC.md "Query"): what the parser produces and
// the executor consumes. Plain value types; every node remembers where it began
// (1-based byte column in the statement) for error messages.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "engine/table_schema.h"
#include "query/value.h"

namespace tessera::query {

struct Expr;
using ExprPtr = std::unique_ptr<Expr>;

enum class UnaryOp { kNot, kNegate };
enum class BinaryOp {
  kAdd,
  kSubtract,
  kMultiply,
  kDivide,
  kEqual,
  kNotEqual,
  kLess,
  kLessEqual,
  kGreater,
  kGreaterEqual,
  kAnd,
  kOr,
};

struct LiteralExpr {
  Value value;  // NULL, int64 (decimal integer literal), double, bool, string ('...' unescaped)
};

// A duration written as <integer><unit>, e.g. 15m, 30d; units s, m, h, d, w.
struct IntervalExpr {
  int64_t ns = 0;
  std::string text;  // as written, e.g. "30d"
};

struct ColumnRefExpr {
  std::string name;  // identifiers are case-sensitive; "quoted" identifiers unescaped
};

// Any call: aggregates (count, sum, avg, min, max, first, last, median, percentile,
// approx_percentile, count_if, sla_pct) and scalar now(). The name is lower-cased;
// the executor decides what exists (kUnknownFunction otherwise).
struct CallExpr {
  std::string name;
  std::vector<ExprPtr> args;
  bool is_star = false;      // count(*)
  bool is_distinct = false;  // count(DISTINCT col)
  ExprPtr filter;            // FILTER (WHERE cond), or null
};

struct UnaryExpr {
  UnaryOp op;
  ExprPtr operand;
};

struct BinaryExpr {
  BinaryOp op;
  ExprPtr left, right;
};

struct InExpr {
  ExprPtr operand;
  std::vector<ExprPtr> list;  // at least one element
  bool is_negated = false;    // NOT IN
};

struct IsNullExpr {
  ExprPtr operand;
  bool is_negated = false;  // IS NOT NULL
};

struct Expr {
  std::variant<LiteralExpr, IntervalExpr, ColumnRefExpr, CallExpr, UnaryExpr, BinaryExpr, InExpr,
               IsNullExpr>
      node;
  int column = 0;    // 1-based byte column where the expression starts
  std::string text;  // the source text of the expression, as written (trimmed)
};

struct SelectItem {
  ExprPtr expr;  // null for `*`
  bool is_star = false;
  std::optional<std::string> alias;  // AS name
  // Output column name: alias if given, otherwise the expression text as written.
  std::string output_name;
};

struct TimeGrouping {
  int64_t interval_ns = 0;
  std::string interval_text;             // "1d"
  std::optional<std::string> time_zone;  // IANA name, e.g. "Europe/Paris"
  int column = 0;
};

struct GroupBy {
  std::optional<TimeGrouping> time;  // GROUP BY time(...)
  std::vector<std::string> tags;     // in GROUP BY order
  std::vector<int> tag_columns;      // 1-based columns of each tag, for errors
};

struct OrderItem {
  ExprPtr expr;  // an output name (ColumnRefExpr) or an aggregate expression
  bool is_descending = false;
};

struct SelectStmt {
  std::vector<SelectItem> items;
  std::string table;
  int table_column = 0;
  ExprPtr where;  // or null
  GroupBy group_by;
  bool has_group_by = false;
  ExprPtr having;  // or null
  std::vector<OrderItem> order_by;
  std::optional<int64_t> limit;
};

struct ExplainStmt {
  SelectStmt select;
};

// CREATE TABLE name [(column TYPE, ...)] [WITH (option = value, ...)]
// The parser validates option names and values and fills a complete schema:
// columns[0] is time; dedup `time` is implied and removed from dedup_columns
// (a dedup list without `time` is a syntax error).
struct CreateTableStmt {
  engine::TableSchema schema;
};

struct ShowTablesStmt {};

struct DescribeStmt {
  std::string table;
};

using Statement =
    std::variant<SelectStmt, ExplainStmt, CreateTableStmt, ShowTablesStmt, DescribeStmt>;

}  // namespace tessera::query
