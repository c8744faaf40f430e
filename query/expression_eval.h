// Column-at-a-time evaluation of bound expressions with SQL NULL semantics.
// A Vec is a dense typed vector (one entry per selected row, or per group);
// the evaluator combines child vectors with one tight loop per operator.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string_view>
#include <vector>

#include "query/bound_expr.h"
#include "query/value.h"
#include "storage/base/status.h"

namespace tessera::query {

struct Vec {
  ValueType type = ValueType::kNull;
  size_t size = 0;
  std::vector<int64_t> ints;   // kInt, kTime, kInterval, kBool (0/1)
  std::vector<double> floats;  // kFloat
  // kString: views into storage that outlives the Vec (block dictionaries,
  // bound constants, group tables).
  std::vector<std::string_view> strings;
  std::vector<uint8_t> valid;  // size entries, 1 = has a value

  static Vec nulls(ValueType type, size_t n);
};

// Supplies the leaves (kColumn, kGroupKey, kAggregate) of an evaluation.
using LeafResolver = std::function<Result<Vec>(const BoundExpr& leaf)>;

// Evaluates `expr` over `n` positions. Errors: kInvalidInput on integer overflow
// (naming the expression), whatever the resolver returns.
Result<Vec> evaluate(const BoundExpr& expr, const LeafResolver& leaves, size_t n);

// Evaluates an expression without leaves (constant folding); one value.
Result<Value> evaluate_constant(const BoundExpr& expr);

// Value <-> Vec conversions. `values` must outlive the Vec (strings are views).
Vec vec_from_values(ValueType type, const std::vector<const Value*>& values);
Value value_at(const Vec& vec, size_t i);

// Total order for sorting: NULL after every value; numbers (int and float)
// compare numerically, strings by bytes, false < true, timestamps by instant.
// Returns <0, 0, >0.
int compare_for_sort(const Value& a, const Value& b);
// compare_for_sort(value_at(vec, i), value_at(vec, j)), without making the Values.
int compare_entries_for_sort(const Vec& vec, size_t i, size_t j);

}  // namespace tessera::query
