// format_line: the writer twin of parse_line (declared in line_parser.h).
// Output grammar: docs/protocol/ingest.md, "Line syntax". Every byte that the
// parser would treat specially in an element gets a backslash, so any value
// parse_line can return is written back to a line that parses to the same value.
#include <charconv>
#include <string>
#include <string_view>

#include "engine/line_protocol/line_format.h"
#include "engine/line_protocol/line_parser.h"

namespace tessera::engine {
namespace {

void append_escaped(std::string& out, std::string_view text, std::string_view escapable) {
  for (char c : text) {
    if (escapable.find(c) != std::string_view::npos) out += '\\';
    out += c;
  }
}

template <typename T>
void append_number(std::string& out, T value) {
  // 24 bytes hold any int64 and any shortest double ("-2.2250738585072014e-308").
  char buffer[32];
  const auto result = std::to_chars(buffer, buffer + sizeof(buffer), value);
  out.append(buffer, result.ptr);
}

void append_field_value(std::string& out, const ParsedField& field) {
  switch (field.type) {
    case storage::ColumnType::kFloat64:
      // Shortest text that reads back to the same double; an integral value
      // prints without a suffix ("3"), which parses as a float again.
      append_number(out, field.float_value);
      return;
    case storage::ColumnType::kInt64:
      append_number(out, field.int_value);
      out += 'i';
      return;
    case storage::ColumnType::kBool:
      out += field.bool_value ? "true" : "false";
      return;
    case storage::ColumnType::kString:
      out += '"';
      append_escaped(out, field.string_value, line_format::kStringEscapable);
      out += '"';
      return;
  }
}

}  // namespace

std::string format_line(const ParsedLine& line) {
  std::string out;
  out.reserve(64 + line.measurement.size() + 24 * (line.tags.size() + line.fields.size()));
  append_escaped(out, line.measurement, line_format::kMeasurementEscapable);
  for (const auto& [key, value] : line.tags) {
    out += ',';
    append_escaped(out, key, line_format::kKeyEscapable);
    out += '=';
    append_escaped(out, value, line_format::kKeyEscapable);
  }
  char separator = ' ';
  for (const ParsedField& field : line.fields) {
    out += separator;
    separator = ',';
    append_escaped(out, field.key, line_format::kKeyEscapable);
    out += '=';
    append_field_value(out, field);
  }
  if (line.timestamp_ns.has_value()) {
    out += ' ';
    append_number(out, *line.timestamp_ns);
  }
  return out;
}

}  // namespace tessera::engine
