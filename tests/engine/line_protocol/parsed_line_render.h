// Compact, exact text rendering of a ParsedLine for test comparisons: floats in
// hex ("%a", bit-exact, so -0.0 differs from 0.0), every byte of names and
// strings outside printable ASCII as \xHH. Independent of format_line.
#pragma once

#include <cstdio>
#include <string>
#include <string_view>

#include "engine/line_protocol/parsed_line.h"

namespace tessera::engine::test {

inline std::string render_bytes(std::string_view text) {
  std::string out = "[";
  out.reserve(text.size() + 2);
  for (char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte >= 0x7F || byte == '[' || byte == ']' || byte == '\\') {
      char hex[8];
      std::snprintf(hex, sizeof(hex), "\\x%02x", byte);
      out += hex;
    } else {
      out += c;
    }
  }
  out += ']';
  return out;
}

inline std::string render(const ParsedLine& line) {
  std::string out = render_bytes(line.measurement);
  for (const auto& [key, value] : line.tags) {
    out += " tag";
    out += render_bytes(key);
    out += render_bytes(value);
  }
  for (const ParsedField& field : line.fields) {
    out += " field";
    out += render_bytes(field.key);
    char number[64];
    switch (field.type) {
      case storage::ColumnType::kFloat64:
        std::snprintf(number, sizeof(number), "float:%a", field.float_value);
        out += number;
        break;
      case storage::ColumnType::kInt64:
        std::snprintf(number, sizeof(number), "int:%lld", static_cast<long long>(field.int_value));
        out += number;
        break;
      case storage::ColumnType::kBool:
        out += field.bool_value ? "bool:true" : "bool:false";
        break;
      case storage::ColumnType::kString:
        out += "string:";
        out += render_bytes(field.string_value);
        break;
    }
  }
  if (line.timestamp_ns) {
    out += " ts:";
    out += std::to_string(*line.timestamp_ns);
  }
  return out;
}

}  // namespace tessera::engine::test
