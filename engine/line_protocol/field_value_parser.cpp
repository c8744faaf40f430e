// Quoted string values and the error messages of field_value_parser.h (whose
// hot paths are inline there).
#include "engine/line_protocol/field_value_parser.h"

#include <array>

#include "engine/line_protocol/line_format.h"
#include "engine/line_protocol/parse_error.h"
#include "engine/line_protocol/utf8.h"

namespace tessera::engine::detail {
namespace {

using storage::ColumnType;

// The bytes a backslash escapes inside "...": a table for the per-byte scan.
constexpr std::array<bool, 256> kStringEscapable = [] {
  std::array<bool, 256> set{};
  for (char c : line_format::kStringEscapable) set[static_cast<unsigned char>(c)] = true;
  return set;
}();

}  // namespace

Error number_error(ErrorCode code, std::string_view token, size_t offset, bool line_is_ascii,
                   const std::string& name, std::string_view what) {
  // A value holding invalid UTF-8 is reported as such, whatever else is wrong.
  if (!line_is_ascii) {
    const size_t valid = utf8_valid_prefix(token);
    if (valid < token.size()) {
      return error_at(ErrorCode::kInvalidInput, offset + valid,
                      "field " + quote(name) + ": invalid UTF-8");
    }
  }
  std::string message = "field " + quote(name) + ": ";
  message += what;
  message += ' ';
  message += quote(token);
  return error_at(code, offset, message);
}

Error timestamp_error(ErrorCode code, std::string_view token, size_t offset,
                      std::string_view what) {
  std::string message(what);
  message += ' ';
  message += quote(token);
  return error_at(code, offset, message);
}

Status parse_string_value(std::string_view line, size_t& pos, bool line_is_ascii,
                          const std::string& name, ParsedField& field) {
  const size_t quote_pos = pos;
  const size_t end = line.size();
  // Find the closing quote: the first '"' not taken by a backslash escape. A
  // backslash before a byte that is not escapable is a literal backslash.
  const size_t begin = pos + 1;
  bool has_backslash = false;
  size_t i = begin;
  while (i < end) {
    const char c = line[i];
    if (c == '"') break;
    if (c != '\\') {
      ++i;
      continue;
    }
    has_backslash = true;
    const bool is_pair = i + 1 < end && kStringEscapable[static_cast<unsigned char>(line[i + 1])];
    i += is_pair ? 2 : 1;
  }
  if (i >= end) {
    return error_at(ErrorCode::kSyntax, quote_pos,
                    "field " + quote(name) + ": unterminated string");
  }
  const std::string_view content = line.substr(begin, i - begin);
  if (!line_is_ascii) {
    const size_t valid = utf8_valid_prefix(content);
    if (valid != content.size()) {
      return error_at(ErrorCode::kInvalidInput, begin + valid,
                      "field " + quote(name) + ": invalid UTF-8");
    }
  }
  field.type = ColumnType::kString;
  if (!has_backslash) {
    field.string_value.assign(content.data(), content.size());
  } else {
    std::string& out = field.string_value;
    out.clear();
    out.reserve(content.size());
    for (size_t k = 0; k < content.size(); ++k) {
      if (content[k] == '\\' && k + 1 < content.size() &&
          kStringEscapable[static_cast<unsigned char>(content[k + 1])]) {
        ++k;
      }
      out += content[k];
    }
  }
  pos = i + 1;
  if (pos < end && line[pos] != ',' && line[pos] != ' ') {
    return error_at(ErrorCode::kSyntax, pos,
                    "field " + quote(name) + ": unexpected text after the closing quote");
  }
  return Status::ok();
}

}  // namespace tessera::engine::detail
