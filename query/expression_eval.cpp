#include "query/expression_eval.h"

#include <cmath>
#include <optional>
#include <string>
#include <type_traits>

#include "storage/block/float_order.h"

namespace tessera::query {

std::string_view value_type_name(ValueType type) {
  switch (type) {
    case ValueType::kNull:
      return "NULL";
    case ValueType::kInt:
      return "INT";
    case ValueType::kFloat:
      return "FLOAT";
    case ValueType::kBool:
      return "BOOL";
    case ValueType::kString:
      return "STRING";
    case ValueType::kTime:
      return "TIMESTAMP";
    case ValueType::kInterval:
      return "INTERVAL";
  }
  return "UNKNOWN";
}

Vec Vec::nulls(ValueType type, size_t n) {
  Vec v;
  v.type = type;
  v.size = n;
  v.valid.assign(n, 0);
  if (type == ValueType::kFloat) {
    v.floats.assign(n, 0.0);
  } else if (type == ValueType::kString) {
    v.strings.assign(n, std::string_view());
  } else {
    v.ints.assign(n, 0);
  }
  return v;
}

namespace {

bool is_int_like(ValueType t) {
  return t == ValueType::kInt || t == ValueType::kTime || t == ValueType::kInterval ||
         t == ValueType::kBool;
}

double as_double(const Vec& v, size_t i) {
  return v.type == ValueType::kFloat ? v.floats[i] : static_cast<double>(v.ints[i]);
}

// PostgreSQL orders NaN above every number and equal to itself.
int compare_doubles(double a, double b) {
  if (std::isnan(a)) return std::isnan(b) ? 0 : 1;
  if (std::isnan(b)) return -1;
  return a < b ? -1 : (a > b ? 1 : 0);
}

bool is_comparison(BinaryOp op) {
  return op == BinaryOp::kEqual || op == BinaryOp::kNotEqual || op == BinaryOp::kLess ||
         op == BinaryOp::kLessEqual || op == BinaryOp::kGreater || op == BinaryOp::kGreaterEqual;
}

Vec make_bool(size_t n) {
  Vec out;
  out.type = ValueType::kBool;
  out.size = n;
  out.ints.assign(n, 0);
  out.valid.assign(n, 1);
  return out;
}

// Calls body(holds) with `holds(c)` the truth of `op` for a three-way result c,
// so that each comparison loop is compiled for one operator.
template <typename Body>
void with_comparison(BinaryOp op, Body body) {
  switch (op) {
    case BinaryOp::kEqual:
      return body([](int c) { return c == 0; });
    case BinaryOp::kNotEqual:
      return body([](int c) { return c != 0; });
    case BinaryOp::kLess:
      return body([](int c) { return c < 0; });
    case BinaryOp::kLessEqual:
      return body([](int c) { return c <= 0; });
    case BinaryOp::kGreater:
      return body([](int c) { return c > 0; });
    case BinaryOp::kGreaterEqual:
      return body([](int c) { return c >= 0; });
    default:
      return body([](int) { return false; });
  }
}

// Like with_comparison for doubles in PostgreSQL's order
// (storage/block/float_order.h): `holds(x, y)` is the truth of `x op y`. Lambdas,
// not function pointers, so that the loops inline and vectorise.
template <typename Body>
void with_float_comparison(BinaryOp op, Body body) {
  auto less = [](double x, double y) { return storage::float_order_less(x, y); };
  auto equal = [](double x, double y) { return storage::float_order_equal(x, y); };
  switch (op) {
    case BinaryOp::kEqual:
      return body(equal);
    case BinaryOp::kNotEqual:
      return body([&](double x, double y) { return !equal(x, y); });
    case BinaryOp::kLess:
      return body(less);
    case BinaryOp::kLessEqual:
      return body([](double x, double y) { return storage::float_order_at_most(x, y); });
    case BinaryOp::kGreater:
      return body([&](double x, double y) { return less(y, x); });
    case BinaryOp::kGreaterEqual:
      return body([&](double x, double y) { return less(y, x) | equal(x, y); });
    default:
      return body([](double, double) { return false; });
  }
}

// The values of `v` as doubles: its own floats, or its ints converted.
std::vector<double> doubles_of(const Vec& v) {
  if (v.type == ValueType::kFloat) return v.floats;
  return std::vector<double>(v.ints.begin(), v.ints.end());
}

Vec compare(BinaryOp op, const Vec& a, const Vec& b) {
  const size_t n = a.size;
  if (a.type == ValueType::kNull || b.type == ValueType::kNull)
    return Vec::nulls(ValueType::kBool, n);
  Vec out = make_bool(n);
  for (size_t i = 0; i < n; ++i) out.valid[i] = a.valid[i] & b.valid[i];
  int64_t* result = out.ints.data();
  if (a.type == ValueType::kFloat || b.type == ValueType::kFloat) {
    std::vector<double> converted;
    const double* x = a.floats.data();
    const double* y = b.floats.data();
    if (a.type != ValueType::kFloat) x = (converted = doubles_of(a)).data();
    if (b.type != ValueType::kFloat) y = (converted = doubles_of(b)).data();
    with_float_comparison(op, [&](auto holds) {
      for (size_t i = 0; i < n; ++i) result[i] = holds(x[i], y[i]);
    });
  } else if (is_int_like(a.type) && is_int_like(b.type)) {
    const int64_t* x = a.ints.data();
    const int64_t* y = b.ints.data();
    with_comparison(op, [&](auto holds) {
      for (size_t i = 0; i < n; ++i) result[i] = holds(x[i] < y[i] ? -1 : (x[i] > y[i] ? 1 : 0));
    });
  } else {
    with_comparison(op, [&](auto holds) {
      for (size_t i = 0; i < n; ++i) result[i] = holds(a.strings[i].compare(b.strings[i]));
    });
  }
  return out;
}

// compare(op, a, b) where b is a numeric constant (a WHERE or sla_pct bound): the same results
// without broadcasting the constant into a vector and converting it per row. Nullopt when `a` is
// not numeric.
std::optional<Vec> compare_with_number(BinaryOp op, const Vec& a, const BoundExpr& b) {
  const bool a_is_float = a.type == ValueType::kFloat;
  if (!a_is_float && !is_int_like(a.type)) return std::nullopt;
  const int64_t* as_int = std::get_if<int64_t>(&b.constant);
  const double* as_double = std::get_if<double>(&b.constant);
  if (as_int == nullptr && as_double == nullptr) return std::nullopt;
  if (b.type != ValueType::kFloat && !is_int_like(b.type)) return std::nullopt;
  const size_t n = a.size;
  Vec out = make_bool(n);
  out.valid = a.valid;
  int64_t* result = out.ints.data();
  if (a_is_float || b.type == ValueType::kFloat || as_double != nullptr) {
    const double y = as_double != nullptr ? *as_double : static_cast<double>(*as_int);
    std::vector<double> converted;
    const double* x = a_is_float ? a.floats.data() : (converted = doubles_of(a)).data();
    with_float_comparison(op, [&](auto holds) {
      for (size_t i = 0; i < n; ++i) result[i] = holds(x[i], y);
    });
  } else {
    const int64_t* x = a.ints.data();
    const int64_t y = *as_int;
    with_comparison(op, [&](auto holds) {
      for (size_t i = 0; i < n; ++i) result[i] = holds(x[i] < y ? -1 : (x[i] > y ? 1 : 0));
    });
  }
  return out;
}

Vec logical_and_or(bool is_and, const Vec& a, const Vec& b) {
  const size_t n = a.size;
  Vec out = make_bool(n);
  auto get = [](const Vec& v, size_t i) -> int {  // -1 unknown, 0 false, 1 true
    if (v.type == ValueType::kNull || !v.valid[i]) return -1;
    return v.ints[i] != 0 ? 1 : 0;
  };
  for (size_t i = 0; i < n; ++i) {
    const int x = get(a, i), y = get(b, i);
    int r;
    if (is_and) {
      r = (x == 0 || y == 0) ? 0 : ((x == 1 && y == 1) ? 1 : -1);
    } else {
      r = (x == 1 || y == 1) ? 1 : ((x == 0 && y == 0) ? 0 : -1);
    }
    out.valid[i] = r >= 0;
    out.ints[i] = r == 1;
  }
  return out;
}

Result<Vec> arithmetic(const BoundExpr& e, const Vec& a, const Vec& b) {
  const size_t n = a.size;
  if (a.type == ValueType::kNull || b.type == ValueType::kNull || e.type == ValueType::kNull) {
    return Vec::nulls(e.type == ValueType::kNull ? ValueType::kFloat : e.type, n);
  }
  Vec out;
  out.type = e.type;
  out.size = n;
  out.valid.resize(n);
  for (size_t i = 0; i < n; ++i) out.valid[i] = a.valid[i] & b.valid[i];
  if (e.type == ValueType::kFloat) {
    out.floats.resize(n);
    for (size_t i = 0; i < n; ++i) {
      const double x = as_double(a, i), y = as_double(b, i);
      switch (e.binary_op) {
        case BinaryOp::kAdd:
          out.floats[i] = x + y;
          break;
        case BinaryOp::kSubtract:
          out.floats[i] = x - y;
          break;
        case BinaryOp::kMultiply:
          out.floats[i] = x * y;
          break;
        default:
          // Division by zero gives NULL (SPEC), for floats as well as integers.
          if (y == 0.0) {
            out.valid[i] = 0;
            out.floats[i] = 0;
          } else {
            out.floats[i] = x / y;
          }
          break;
      }
    }
    return out;
  }
  out.ints.resize(n);
  for (size_t i = 0; i < n; ++i) {
    if (!out.valid[i]) continue;
    const int64_t x = a.ints[i], y = b.ints[i];
    int64_t r = 0;
    bool overflow = false;
    switch (e.binary_op) {
      case BinaryOp::kAdd:
        overflow = __builtin_add_overflow(x, y, &r);
        break;
      case BinaryOp::kSubtract:
        overflow = __builtin_sub_overflow(x, y, &r);
        break;
      case BinaryOp::kMultiply:
        overflow = __builtin_mul_overflow(x, y, &r);
        break;
      default:
        overflow = true;
        break;
    }
    if (overflow) {
      return make_error(ErrorCode::kInvalidInput, "integer overflow in " + e.text);
    }
    out.ints[i] = r;
  }
  return out;
}

}  // namespace

Result<Vec> evaluate(const BoundExpr& e, const LeafResolver& leaves, size_t n) {
  using Kind = BoundExpr::Kind;
  switch (e.kind) {
    case Kind::kConstant: {
      // Convert once, then broadcast: constants meet every row of a block.
      const Vec one = vec_from_values(e.type, {&e.constant});
      Vec out = Vec::nulls(e.type, n);
      if (one.valid[0] == 0) return out;
      std::fill(out.valid.begin(), out.valid.end(), uint8_t{1});
      if (!one.ints.empty()) std::fill(out.ints.begin(), out.ints.end(), one.ints[0]);
      if (!one.floats.empty()) std::fill(out.floats.begin(), out.floats.end(), one.floats[0]);
      if (!one.strings.empty()) std::fill(out.strings.begin(), out.strings.end(), one.strings[0]);
      return out;
    }
    case Kind::kColumn:
    case Kind::kGroupKey:
    case Kind::kAggregate:
      return leaves(e);
    case Kind::kUnary: {
      TESSERA_ASSIGN_OR_RETURN(Vec a, evaluate(e.children[0], leaves, n));
      if (a.type == ValueType::kNull) return Vec::nulls(e.type, n);
      if (e.unary_op == UnaryOp::kNot) {
        for (size_t i = 0; i < n; ++i) a.ints[i] = a.ints[i] == 0;
        return a;
      }
      if (a.type == ValueType::kFloat) {
        for (size_t i = 0; i < n; ++i) a.floats[i] = -a.floats[i];
        return a;
      }
      for (size_t i = 0; i < n; ++i) {
        if (a.valid[i] && a.ints[i] == INT64_MIN) {
          return make_error(ErrorCode::kInvalidInput, "integer overflow in " + e.text);
        }
        a.ints[i] = -a.ints[i];
      }
      return a;
    }
    case Kind::kBinary: {
      if (is_comparison(e.binary_op) && e.children[1].kind == Kind::kConstant) {
        TESSERA_ASSIGN_OR_RETURN(Vec a, evaluate(e.children[0], leaves, n));
        if (a.type == ValueType::kNull) return Vec::nulls(ValueType::kBool, n);
        if (std::optional<Vec> out = compare_with_number(e.binary_op, a, e.children[1]))
          return std::move(*out);
        TESSERA_ASSIGN_OR_RETURN(Vec b, evaluate(e.children[1], leaves, n));
        return compare(e.binary_op, a, b);
      }
      TESSERA_ASSIGN_OR_RETURN(Vec a, evaluate(e.children[0], leaves, n));
      TESSERA_ASSIGN_OR_RETURN(Vec b, evaluate(e.children[1], leaves, n));
      if (e.binary_op == BinaryOp::kAnd || e.binary_op == BinaryOp::kOr) {
        return logical_and_or(e.binary_op == BinaryOp::kAnd, a, b);
      }
      if (is_comparison(e.binary_op)) return compare(e.binary_op, a, b);
      return arithmetic(e, a, b);
    }
    case Kind::kIn: {
      TESSERA_ASSIGN_OR_RETURN(Vec operand, evaluate(e.children[0], leaves, n));
      Vec acc = make_bool(n);  // false
      for (size_t k = 1; k < e.children.size(); ++k) {
        TESSERA_ASSIGN_OR_RETURN(Vec item, evaluate(e.children[k], leaves, n));
        acc = logical_and_or(false, acc, compare(BinaryOp::kEqual, operand, item));
      }
      if (e.is_negated) {
        for (size_t i = 0; i < n; ++i) acc.ints[i] = acc.ints[i] == 0;
      }
      return acc;
    }
    case Kind::kIsNull: {
      TESSERA_ASSIGN_OR_RETURN(Vec a, evaluate(e.children[0], leaves, n));
      Vec out = make_bool(n);
      for (size_t i = 0; i < n; ++i) {
        const bool has_value = a.type != ValueType::kNull && a.valid[i];
        out.ints[i] = e.is_negated ? has_value : !has_value;
      }
      return out;
    }
  }
  return make_error(ErrorCode::kInternal, "unknown expression kind");
}

Result<Value> evaluate_constant(const BoundExpr& expr) {
  LeafResolver none = [](const BoundExpr& leaf) -> Result<Vec> {
    return make_error(ErrorCode::kInternal, "constant expression reads " + leaf.text);
  };
  TESSERA_ASSIGN_OR_RETURN(Vec v, evaluate(expr, none, 1));
  return value_at(v, 0);
}

Vec vec_from_values(ValueType type, const std::vector<const Value*>& values) {
  const size_t n = values.size();
  Vec out = Vec::nulls(type, n);
  for (size_t i = 0; i < n; ++i) {
    const Value& v = *values[i];
    if (is_null(v)) continue;
    switch (type) {
      case ValueType::kNull:
        break;
      case ValueType::kFloat:
        if (const double* d = std::get_if<double>(&v)) {
          out.floats[i] = *d;
        } else if (const int64_t* x = std::get_if<int64_t>(&v)) {
          out.floats[i] = static_cast<double>(*x);
        } else {
          continue;
        }
        out.valid[i] = 1;
        break;
      case ValueType::kString:
        if (const std::string* s = std::get_if<std::string>(&v)) {
          out.strings[i] = *s;
          out.valid[i] = 1;
        }
        break;
      default:
        if (const int64_t* x = std::get_if<int64_t>(&v)) {
          out.ints[i] = *x;
        } else if (const bool* b = std::get_if<bool>(&v)) {
          out.ints[i] = *b ? 1 : 0;
        } else if (const Timestamp* t = std::get_if<Timestamp>(&v)) {
          out.ints[i] = t->ns;
        } else {
          continue;
        }
        out.valid[i] = 1;
        break;
    }
  }
  return out;
}

Value value_at(const Vec& vec, size_t i) {
  if (vec.type == ValueType::kNull || !vec.valid[i]) return Value{};
  switch (vec.type) {
    case ValueType::kInt:
    case ValueType::kInterval:
      return Value{vec.ints[i]};
    case ValueType::kFloat:
      return Value{vec.floats[i]};
    case ValueType::kBool:
      return Value{vec.ints[i] != 0};
    case ValueType::kString:
      return Value{std::string(vec.strings[i])};
    case ValueType::kTime:
      return Value{Timestamp{vec.ints[i]}};
    case ValueType::kNull:
      break;
  }
  return Value{};
}

int compare_for_sort(const Value& a, const Value& b) {
  const bool a_null = is_null(a), b_null = is_null(b);
  if (a_null || b_null) return a_null == b_null ? 0 : (a_null ? 1 : -1);
  auto number = [](const Value& v, double* out) {
    if (const int64_t* x = std::get_if<int64_t>(&v)) {
      *out = static_cast<double>(*x);
      return true;
    }
    if (const double* d = std::get_if<double>(&v)) {
      *out = *d;
      return true;
    }
    return false;
  };
  if (const int64_t* x = std::get_if<int64_t>(&a)) {
    if (const int64_t* y = std::get_if<int64_t>(&b)) return *x < *y ? -1 : (*x > *y ? 1 : 0);
  }
  double x = 0, y = 0;
  if (number(a, &x) && number(b, &y)) return compare_doubles(x, y);
  if (const std::string* s = std::get_if<std::string>(&a)) {
    if (const std::string* t = std::get_if<std::string>(&b)) {
      const int c = s->compare(*t);
      return c < 0 ? -1 : (c > 0 ? 1 : 0);
    }
  }
  if (const Timestamp* s = std::get_if<Timestamp>(&a)) {
    if (const Timestamp* t = std::get_if<Timestamp>(&b))
      return s->ns < t->ns ? -1 : (s->ns > t->ns ? 1 : 0);
  }
  if (const bool* s = std::get_if<bool>(&a)) {
    if (const bool* t = std::get_if<bool>(&b)) return static_cast<int>(*s) - static_cast<int>(*t);
  }
  // Mixed types never meet in one result column; order by variant index for determinism.
  return a.index() < b.index() ? -1 : (a.index() > b.index() ? 1 : 0);
}

int compare_entries_for_sort(const Vec& vec, size_t i, size_t j) {
  const bool i_null = vec.type == ValueType::kNull || !vec.valid[i];
  const bool j_null = vec.type == ValueType::kNull || !vec.valid[j];
  if (i_null || j_null) return i_null == j_null ? 0 : (i_null ? 1 : -1);
  auto three_way = [](auto x, auto y) { return x < y ? -1 : (x > y ? 1 : 0); };
  switch (vec.type) {
    case ValueType::kFloat:
      return compare_doubles(vec.floats[i], vec.floats[j]);
    case ValueType::kString:
      return three_way(vec.strings[i].compare(vec.strings[j]), 0);
    case ValueType::kInt:
    case ValueType::kInterval:
    case ValueType::kTime:
    case ValueType::kBool:
      return three_way(vec.ints[i], vec.ints[j]);
    case ValueType::kNull:
      break;
  }
  return 0;
}

}  // namespace tessera::query
