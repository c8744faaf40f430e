// Column-at-a-time evaluation: SQL three-valued logic truth tables, NULL
// propagation, integer overflow, division by zero, and the sort order of values.
#include "query/expression_eval.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "tests/query/query_test_util.h"

namespace tessera::query {
namespace {

using Kind = BoundExpr::Kind;

BoundExpr column(std::string name, ValueType type) {
  BoundExpr e;
  e.kind = Kind::kColumn;
  e.name = std::move(name);
  e.type = type;
  e.text = e.name;
  return e;
}

BoundExpr binary(BinaryOp op, ValueType type, BoundExpr a, BoundExpr b) {
  BoundExpr e;
  e.kind = Kind::kBinary;
  e.binary_op = op;
  e.type = type;
  e.text = a.text + " op " + b.text;
  e.children.push_back(std::move(a));
  e.children.push_back(std::move(b));
  return e;
}

// Nine rows: x and y run over every pair of (true, false, NULL).
const std::vector<Value> kX = {true, true, true, false, false, false, Value{}, Value{}, Value{}};
const std::vector<Value> kY = {true, false, Value{}, true, false, Value{}, true, false, Value{}};

std::string eval_to_text(const BoundExpr& e, const std::vector<Value>& x,
                         const std::vector<Value>& y, ValueType type) {
  LeafResolver leaves = [&](const BoundExpr& leaf) -> Result<Vec> {
    const std::vector<Value>& src = leaf.name == "x" ? x : y;
    std::vector<const Value*> ptrs;
    for (const Value& v : src) ptrs.push_back(&v);
    return vec_from_values(type, ptrs);
  };
  auto v = evaluate(e, leaves, x.size());
  if (!v) return "ERR " + v.status().to_string();
  std::string out;
  for (size_t i = 0; i < x.size(); ++i) {
    if (i) out += ' ';
    out += testing::render(value_at(*v, i));
  }
  return out;
}

TEST(ExpressionEvalTest, AndOrNotFollowThreeValuedLogic) {
  const auto x = column("x", ValueType::kBool), y = column("y", ValueType::kBool);
  EXPECT_EQ(eval_to_text(binary(BinaryOp::kAnd, ValueType::kBool, x, y), kX, kY, ValueType::kBool),
            "true false NULL false false false NULL false NULL");
  EXPECT_EQ(eval_to_text(binary(BinaryOp::kOr, ValueType::kBool, x, y), kX, kY, ValueType::kBool),
            "true true true true false NULL true NULL NULL");
  BoundExpr not_x;
  not_x.kind = Kind::kUnary;
  not_x.unary_op = UnaryOp::kNot;
  not_x.type = ValueType::kBool;
  not_x.children.push_back(x);
  EXPECT_EQ(eval_to_text(not_x, kX, kY, ValueType::kBool),
            "false false false true true true NULL NULL NULL");
}

// PostgreSQL's float8 order: NaN equals NaN and is above every number, +inf
// included; -0.0 equals 0.0. Pairs (x, y), by hand:
// (NaN, NaN) (NaN, 1) (1, NaN) (inf, NaN) (-0.0, 0.0) (1, 2) (2, 1) (NaN, NULL).
TEST(ExpressionEvalTest, FloatComparisonsOrderNaNAboveEveryNumber) {
  const double nan = std::nan("");
  const double inf = HUGE_VAL;
  const std::vector<Value> x = {nan, nan, 1.0, inf, -0.0, 1.0, 2.0, nan};
  const std::vector<Value> y = {nan, 1.0, nan, nan, 0.0, 2.0, 1.0, Value{}};
  const auto a = column("x", ValueType::kFloat), b = column("y", ValueType::kFloat);
  auto run = [&](BinaryOp op) {
    return eval_to_text(binary(op, ValueType::kBool, a, b), x, y, ValueType::kFloat);
  };
  EXPECT_EQ(run(BinaryOp::kEqual), "true false false false true false false NULL");
  EXPECT_EQ(run(BinaryOp::kNotEqual), "false true true true false true true NULL");
  EXPECT_EQ(run(BinaryOp::kLess), "false false true true false true false NULL");
  EXPECT_EQ(run(BinaryOp::kLessEqual), "true false true true true true false NULL");
  EXPECT_EQ(run(BinaryOp::kGreater), "false true false false false false true NULL");
  EXPECT_EQ(run(BinaryOp::kGreaterEqual), "true true false false true false true NULL");
}

BoundExpr constant(Value v, ValueType type) {
  BoundExpr e;
  e.kind = Kind::kConstant;
  e.constant = std::move(v);
  e.type = type;
  e.text = "c";
  return e;
}

// `x op constant` takes a path that does not broadcast the constant; it must agree
// with `x op y` where column y holds the constant in every row (the hand-checked
// column-against-column comparison above), for float and integer columns and
// constants, NaN, infinities, -0.0, NULLs, and integers past 2^53.
TEST(ExpressionEvalTest, ComparisonWithANumericConstantMatchesColumnComparison) {
  const double nan = std::nan("");
  const double inf = HUGE_VAL;
  const int64_t big = (int64_t{1} << 53) + 1;
  const std::vector<Value> floats = {nan, inf, -inf, -0.0, 0.0, 1.0, 2.5, Value{}};
  const std::vector<Value> ints = {int64_t{-1}, int64_t{0}, int64_t{1}, big,
                                   big - 1,     INT64_MAX,  INT64_MIN,  Value{}};
  const std::vector<std::pair<Value, ValueType>> constants = {
      {int64_t{1}, ValueType::kInt}, {0.0, ValueType::kFloat}, {-0.0, ValueType::kFloat},
      {nan, ValueType::kFloat},      {inf, ValueType::kFloat}, {big, ValueType::kInt},
      {2.5, ValueType::kFloat}};
  const BinaryOp ops[] = {BinaryOp::kEqual,     BinaryOp::kNotEqual, BinaryOp::kLess,
                          BinaryOp::kLessEqual, BinaryOp::kGreater,  BinaryOp::kGreaterEqual};
  for (const auto& [x, x_type] : {std::pair{floats, ValueType::kFloat}, {ints, ValueType::kInt}}) {
    for (const auto& [c, c_type] : constants) {
      for (const BinaryOp op : ops) {
        SCOPED_TRACE(testing::render(c) + " op " + std::to_string(static_cast<int>(op)));
        const std::vector<Value> y(x.size(), c);
        LeafResolver leaves = [&](const BoundExpr& leaf) -> Result<Vec> {
          std::vector<const Value*> ptrs;
          for (const Value& v : leaf.name == "x" ? x : y) ptrs.push_back(&v);
          return vec_from_values(leaf.type, ptrs);
        };
        auto text_of = [&](const BoundExpr& e) {
          auto v = evaluate(e, leaves, x.size());
          if (!v) return "ERR " + v.status().to_string();
          std::string out;
          for (size_t i = 0; i < x.size(); ++i) out += testing::render(value_at(*v, i)) + " ";
          return out;
        };
        const BoundExpr with_constant =
            binary(op, ValueType::kBool, column("x", x_type), constant(c, c_type));
        const BoundExpr with_column =
            binary(op, ValueType::kBool, column("x", x_type), column("y", c_type));
        EXPECT_EQ(text_of(with_constant), text_of(with_column));
      }
    }
  }
}

TEST(ExpressionEvalTest, ComparisonsWithNullAreUnknownAndIsNullIsNot) {
  const std::vector<Value> x = {int64_t{1}, Value{}, int64_t{3}};
  const std::vector<Value> y = {int64_t{1}, int64_t{2}, Value{}};
  const auto cx = column("x", ValueType::kInt), cy = column("y", ValueType::kInt);
  EXPECT_EQ(eval_to_text(binary(BinaryOp::kEqual, ValueType::kBool, cx, cy), x, y, ValueType::kInt),
            "true NULL NULL");
  BoundExpr is_null;
  is_null.kind = Kind::kIsNull;
  is_null.type = ValueType::kBool;
  is_null.children.push_back(cx);
  EXPECT_EQ(eval_to_text(is_null, x, y, ValueType::kInt), "false true false");
}

TEST(ExpressionEvalTest, DivisionIsFloatingAndByZeroIsNull) {
  const std::vector<Value> x = {int64_t{7}, int64_t{1}, Value{}};
  const std::vector<Value> y = {int64_t{2}, int64_t{0}, int64_t{1}};
  const auto cx = column("x", ValueType::kInt), cy = column("y", ValueType::kInt);
  EXPECT_EQ(
      eval_to_text(binary(BinaryOp::kDivide, ValueType::kFloat, cx, cy), x, y, ValueType::kInt),
      "3.5 NULL NULL");
  EXPECT_EQ(
      eval_to_text(binary(BinaryOp::kMultiply, ValueType::kInt, cx, cy), x, y, ValueType::kInt),
      "14 0 NULL");
}

TEST(ExpressionEvalTest, IntegerOverflowIsAnErrorNamingTheExpression) {
  const std::vector<Value> x = {int64_t{INT64_MAX}};
  const std::vector<Value> y = {int64_t{1}};
  auto e = binary(BinaryOp::kAdd, ValueType::kInt, column("x", ValueType::kInt),
                  column("y", ValueType::kInt));
  e.text = "x + y";
  EXPECT_EQ(eval_to_text(e, x, y, ValueType::kInt), "ERR invalid_input: integer overflow in x + y");
}

TEST(ExpressionEvalTest, SortOrderPutsNullLastAndComparesNumbersAcrossTypes) {
  EXPECT_LT(compare_for_sort(Value{int64_t{1}}, Value{1.5}), 0);
  EXPECT_EQ(compare_for_sort(Value{int64_t{2}}, Value{2.0}), 0);
  EXPECT_GT(compare_for_sort(Value{}, Value{int64_t{-5}}), 0);
  EXPECT_EQ(compare_for_sort(Value{}, Value{}), 0);
  EXPECT_LT(compare_for_sort(Value{std::string("B")}, Value{std::string("a")}), 0);  // bytes
  EXPECT_LT(compare_for_sort(Value{Timestamp{1}}, Value{Timestamp{2}}), 0);
  EXPECT_LT(compare_for_sort(Value{false}, Value{true}), 0);
  EXPECT_GT(compare_for_sort(Value{std::nan("")}, Value{1e300}), 0);  // NaN above numbers
}

TEST(ExpressionEvalTest, EntriesOfAVecCompareAsTheirValues) {
  // compare_entries_for_sort must agree with compare_for_sort of the Values
  // value_at makes, for every type, NULLs, NaN, infinities and -0.0 included.
  const std::vector<double> floats = {0.0, -0.0, 1.5, -1.5, std::nan(""), INFINITY, -INFINITY};
  const std::vector<std::string> strings = {"", "a", "B", "ab", "a\xff"};
  std::mt19937 rng(7);
  for (const ValueType type :
       {ValueType::kInt, ValueType::kFloat, ValueType::kBool, ValueType::kString, ValueType::kTime,
        ValueType::kInterval, ValueType::kNull}) {
    Vec vec;
    vec.type = type;
    vec.size = 40;
    for (size_t i = 0; i < vec.size; ++i) {
      vec.valid.push_back(type != ValueType::kNull && rng() % 5 != 0);
      vec.ints.push_back(type == ValueType::kBool ? rng() % 2
                                                  : static_cast<int64_t>(rng() % 7) - 3);
      vec.floats.push_back(floats[rng() % floats.size()]);
      vec.strings.push_back(strings[rng() % strings.size()]);
    }
    for (size_t i = 0; i < vec.size; ++i) {
      for (size_t j = 0; j < vec.size; ++j) {
        EXPECT_EQ(compare_entries_for_sort(vec, i, j),
                  compare_for_sort(value_at(vec, i), value_at(vec, j)))
            << value_type_name(type) << " entries " << i << ", " << j;
      }
    }
  }
}

}  // namespace
}  // namespace tessera::query
