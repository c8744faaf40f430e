// BoundExpr: an expression after name resolution and type checking (the binder's
// output, the evaluator's input). Row-level expressions read table columns;
// group-level expressions read group keys and aggregate results.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "query/ast.h"
#include "query/value.h"

namespace tessera::query {

// Static type of an expression. kNull is the type of the NULL literal (and of
// expressions folded to NULL); kInterval only appears in time arithmetic.
enum class ValueType : uint8_t { kNull, kInt, kFloat, kBool, kString, kTime, kInterval };

std::string_view value_type_name(ValueType type);
inline bool is_numeric(ValueType t) { return t == ValueType::kInt || t == ValueType::kFloat; }

struct BoundExpr {
  enum class Kind : uint8_t {
    kConstant,   // `constant`
    kColumn,     // table column `name` (row level); `name == "time"` is the time column
    kGroupKey,   // group key number `index` (group level)
    kAggregate,  // aggregate number `index` (group level)
    kUnary,      // unary_op children[0]
    kBinary,     // children[0] binary_op children[1]
    kIn,         // children[0] [NOT] IN (children[1..])
    kIsNull,     // children[0] IS [NOT] NULL
  };
  Kind kind = Kind::kConstant;
  ValueType type = ValueType::kNull;
  Value constant;
  std::string name;
  int index = 0;
  UnaryOp unary_op = UnaryOp::kNot;
  BinaryOp binary_op = BinaryOp::kAdd;
  bool is_negated = false;  // NOT IN, IS NOT NULL
  std::vector<BoundExpr> children;
  std::string text;  // source text, for error messages
};

}  // namespace tessera::query
