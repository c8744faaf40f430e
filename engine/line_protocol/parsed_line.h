// ParsedLine: one InfluxDB line-protocol point after parsing and unescaping.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "storage/block/column.h"

namespace tessera::engine {

enum class Precision { kNanoseconds, kMicroseconds, kMilliseconds, kSeconds };

struct ParsedField {
  std::string key;
  // kInt64 for `3i` and for `7u` (unsigned values above INT64_MAX are rejected),
  // kFloat64 for `1.5`, kBool for t/T/true/True/TRUE/f/..., kString for "quoted".
  storage::ColumnType type = storage::ColumnType::kFloat64;
  int64_t int_value = 0;
  double float_value = 0;
  bool bool_value = false;
  std::string string_value;
};

struct ParsedLine {
  std::string measurement;
  std::vector<std::pair<std::string, std::string>> tags;  // in line order
  std::vector<ParsedField> fields;                        // in line order, at least one
  std::optional<int64_t> timestamp_ns;                    // after applying the precision
};

}  // namespace tessera::engine
