// Test support: renders statements and expressions as compact S-expressions, so
// parser tests compare one readable string instead of walking the tree.
//   literals   5  100.0  'text'  true  NULL        intervals  (ivl 30d 2592000000000000)
//   columns    name                                calls      (sum x)  (count *)
//   (count distinct x)  (avg x :filter (= s 'ok'))  operators  (+ a b)  (not a)  (neg a)
//   (in a 1 2)  (not-in a 1)  (is-null a)  (is-not-null a)
#pragma once

#include <charconv>
#include <initializer_list>
#include <string>
#include <string_view>
#include <variant>

#include "query/ast.h"
#include "query/parser.h"

namespace tessera::query::testing {

// Concatenates without operator+ on temporaries, which GCC 12 at -O3 misreports
// under -Wrestrict.
inline std::string cat(std::initializer_list<std::string_view> parts) {
  std::string out;
  for (std::string_view part : parts) out.append(part);
  return out;
}

inline std::string sexpr(const Value& value) {
  if (std::holds_alternative<std::monostate>(value)) return "NULL";
  if (const auto* i = std::get_if<int64_t>(&value)) return std::to_string(*i);
  if (const auto* b = std::get_if<bool>(&value)) return *b ? "true" : "false";
  if (const auto* s = std::get_if<std::string>(&value)) return cat({"'", *s, "'"});
  if (const auto* d = std::get_if<double>(&value)) {
    char buffer[64];
    const auto result = std::to_chars(buffer, buffer + sizeof(buffer), *d);
    std::string text(buffer, result.ptr);
    if (text.find_first_of(".en") == std::string::npos) text += ".0";
    return text;
  }
  return cat({"(timestamp ", std::to_string(std::get<Timestamp>(value).ns), ")"});
}

inline std::string sexpr(const Expr& expr);

inline std::string sexpr_binary_op(BinaryOp op) {
  switch (op) {
    case BinaryOp::kAdd:
      return "+";
    case BinaryOp::kSubtract:
      return "-";
    case BinaryOp::kMultiply:
      return "*";
    case BinaryOp::kDivide:
      return "/";
    case BinaryOp::kEqual:
      return "=";
    case BinaryOp::kNotEqual:
      return "!=";
    case BinaryOp::kLess:
      return "<";
    case BinaryOp::kLessEqual:
      return "<=";
    case BinaryOp::kGreater:
      return ">";
    case BinaryOp::kGreaterEqual:
      return ">=";
    case BinaryOp::kAnd:
      return "and";
    case BinaryOp::kOr:
      return "or";
  }
  return "?";
}

inline std::string sexpr(const Expr& expr) {
  struct Visitor {
    std::string operator()(const LiteralExpr& e) const { return sexpr(e.value); }
    std::string operator()(const IntervalExpr& e) const {
      return cat({"(ivl ", e.text, " ", std::to_string(e.ns), ")"});
    }
    std::string operator()(const ColumnRefExpr& e) const { return e.name; }
    std::string operator()(const CallExpr& e) const {
      std::string out = cat({"(", e.name});
      if (e.is_star) out += " *";
      if (e.is_distinct) out += " distinct";
      for (const ExprPtr& arg : e.args) out += cat({" ", sexpr(*arg)});
      if (e.filter) out += cat({" :filter ", sexpr(*e.filter)});
      return out.append(")");
    }
    std::string operator()(const UnaryExpr& e) const {
      return cat({e.op == UnaryOp::kNot ? "(not " : "(neg ", sexpr(*e.operand), ")"});
    }
    std::string operator()(const BinaryExpr& e) const {
      return cat({"(", sexpr_binary_op(e.op), " ", sexpr(*e.left), " ", sexpr(*e.right), ")"});
    }
    std::string operator()(const InExpr& e) const {
      std::string out = cat({e.is_negated ? "(not-in " : "(in ", sexpr(*e.operand)});
      for (const ExprPtr& item : e.list) out += cat({" ", sexpr(*item)});
      return out.append(")");
    }
    std::string operator()(const IsNullExpr& e) const {
      return cat({e.is_negated ? "(is-not-null " : "(is-null ", sexpr(*e.operand), ")"});
    }
  };
  return std::visit(Visitor{}, expr.node);
}

// (select (items ...) (from t) [(where c)] [(group-by [(time ns ['zone'])] tag ...)]
//  [(having c)] [(order-by (asc|desc e) ...)] [(limit n)])
inline std::string sexpr(const SelectStmt& select) {
  std::string out = "(select (items";
  for (const SelectItem& item : select.items) {
    if (item.is_star) {
      out += " *";
    } else if (item.alias) {
      out += cat({" (as ", *item.alias, " ", sexpr(*item.expr), ")"});
    } else {
      out += cat({" ", sexpr(*item.expr)});
    }
  }
  out += cat({") (from ", select.table, ")"});
  if (select.where) out += cat({" (where ", sexpr(*select.where), ")"});
  if (select.has_group_by) {
    out += " (group-by";
    if (select.group_by.time) {
      out += cat({" (time ", std::to_string(select.group_by.time->interval_ns)});
      if (select.group_by.time->time_zone)
        out += cat({" '", *select.group_by.time->time_zone, "'"});
      out += ")";
    }
    for (const std::string& tag : select.group_by.tags) out += cat({" ", tag});
    out += ")";
  }
  if (select.having) out += cat({" (having ", sexpr(*select.having), ")"});
  if (!select.order_by.empty()) {
    out += " (order-by";
    for (const OrderItem& item : select.order_by) {
      out += cat({item.is_descending ? " (desc " : " (asc ", sexpr(*item.expr), ")"});
    }
    out += ")";
  }
  if (select.limit) out += cat({" (limit ", std::to_string(*select.limit), ")"});
  return out.append(")");
}

inline std::string sexpr_column(const engine::ColumnDef& column) {
  std::string kind = column.kind == engine::ColumnKind::kTime  ? "time"
                     : column.kind == engine::ColumnKind::kTag ? "tag"
                                                               : "field";
  std::string type;
  switch (column.type) {
    case storage::ColumnType::kInt64:
      type = "int64";
      break;
    case storage::ColumnType::kFloat64:
      type = "float64";
      break;
    case storage::ColumnType::kBool:
      type = "bool";
      break;
    case storage::ColumnType::kString:
      type = "string";
      break;
  }
  return cat({column.name, ":", kind, ":", type});
}

// (create name (columns name:kind:type ...) (tenant col|none) [(dedup col ...)]
//  (partition ns) [(retention ns)])
inline std::string sexpr(const CreateTableStmt& create) {
  const engine::TableSchema& schema = create.schema;
  std::string out = cat({"(create ", schema.name, " (columns"});
  for (const engine::ColumnDef& column : schema.columns) out += cat({" ", sexpr_column(column)});
  out += cat({") (tenant ", schema.options.tenant_column.value_or("none"), ")"});
  if (!schema.options.dedup_columns.empty()) {
    out += " (dedup";
    for (const std::string& column : schema.options.dedup_columns) out += cat({" ", column});
    out += ")";
  }
  out += cat({" (partition ", std::to_string(schema.options.partition_ns), ")"});
  if (schema.options.retention_ns) {
    out += cat({" (retention ", std::to_string(*schema.options.retention_ns), ")"});
  }
  return out.append(")");
}

inline std::string sexpr(const Statement& statement) {
  struct Visitor {
    std::string operator()(const SelectStmt& s) const { return sexpr(s); }
    std::string operator()(const ExplainStmt& s) const {
      return cat({"(explain ", sexpr(s.select), ")"});
    }
    std::string operator()(const CreateTableStmt& s) const { return sexpr(s); }
    std::string operator()(const ShowTablesStmt&) const { return "(show-tables)"; }
    std::string operator()(const DescribeStmt& s) const {
      return cat({"(describe ", s.table, ")"});
    }
  };
  return std::visit(Visitor{}, statement);
}

// The rendered statement, or "<code>: <message>" when it does not parse.
inline std::string parse_to_sexpr(std::string_view text) {
  const Result<Statement> statement = parse_statement(text);
  if (!statement.is_ok()) return statement.status().to_string();
  return sexpr(*statement);
}

}  // namespace tessera::query::testing
