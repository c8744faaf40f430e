#include "server/cli/table_printer.h"

#include <algorithm>

#include "server/protocol/value_format.h"

namespace tessera::server {
namespace {

// Display width, counting UTF-8 code points rather than bytes.
size_t display_width(const std::string& s) {
  return static_cast<size_t>(std::count_if(
      s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

bool is_numeric(const std::string& s) {
  if (s.empty()) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= '0' && c <= '9') || c == '-' || c == '.' || c == 'e' || c == '+';
  });
}

}  // namespace

std::string format_table(const std::vector<std::string>& columns,
                         const std::vector<std::vector<std::optional<std::string>>>& rows) {
  std::vector<std::vector<std::string>> cells;
  cells.reserve(rows.size());
  for (const auto& row : rows) {
    std::vector<std::string> out;
    for (const auto& cell : row) {
      std::string text;
      if (cell) {
        append_escaped(text, *cell);
      } else {
        text = "NULL";
      }
      out.push_back(std::move(text));
    }
    cells.push_back(std::move(out));
  }
  std::vector<size_t> widths;
  for (const auto& c : columns) widths.push_back(display_width(c));
  for (const auto& row : cells) {
    for (size_t i = 0; i < row.size() && i < widths.size(); ++i) {
      widths[i] = std::max(widths[i], display_width(row[i]));
    }
  }
  std::string out;
  // The last column is not padded on the right: no trailing spaces.
  auto pad = [&out, &widths](const std::string& s, size_t column, bool right) {
    const size_t width = widths[column];
    const size_t fill = width - std::min(width, display_width(s));
    if (right) out.append(fill, ' ');
    out += s;
    if (!right && column + 1 < widths.size()) out.append(fill, ' ');
  };
  for (size_t i = 0; i < columns.size(); ++i) {
    if (i > 0) out += " | ";
    pad(columns[i], i, false);
  }
  out += '\n';
  for (size_t i = 0; i < columns.size(); ++i) {
    if (i > 0) out += "-+-";
    out.append(widths[i], '-');
  }
  out += '\n';
  for (const auto& row : cells) {
    for (size_t i = 0; i < row.size() && i < widths.size(); ++i) {
      if (i > 0) out += " | ";
      pad(row[i], i, is_numeric(row[i]));
    }
    out += '\n';
  }
  out += '(';
  out += std::to_string(rows.size());
  out += rows.size() == 1 ? " row)\n" : " rows)\n";
  return out;
}

}  // namespace tessera::server
