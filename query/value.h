// Value: one cell of a query result or one literal of a statement.
#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

namespace tessera::query {

struct Timestamp {
  int64_t ns = 0;  // UTC nanoseconds since the Unix epoch
  bool operator==(const Timestamp&) const = default;
};

// monostate is SQL NULL.
using Value = std::variant<std::monostate, int64_t, double, bool, std::string, Timestamp>;

inline bool is_null(const Value& v) { return std::holds_alternative<std::monostate>(v); }

struct ResultSet {
  std::vector<std::string> columns;
  std::vector<std::vector<Value>> rows;  // each row has columns.size() values
};

}  // namespace tessera::query
