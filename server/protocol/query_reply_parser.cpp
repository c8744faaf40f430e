#include "server/protocol/query_reply_parser.h"

#include <charconv>

namespace tessera::server {
namespace {

bool parse_u64(std::string_view s, uint64_t* out) {
  if (s.empty()) return false;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && end == s.data() + s.size();
}

Error bad_status(std::string_view line) {
  return make_error(ErrorCode::kInvalidInput,
                    "malformed reply status line: \"" + std::string(line.substr(0, 80)) + "\"");
}

}  // namespace

Result<ReplyStatus> parse_reply_status(std::string_view line) {
  ReplyStatus status;
  if (line.starts_with("ERR ")) {
    const std::string_view rest = line.substr(4);
    const size_t space = rest.find(' ');
    status.error_code = std::string(rest.substr(0, space));
    status.error_message =
        space == std::string_view::npos ? "" : std::string(rest.substr(space + 1));
    return status;
  }
  if (!line.starts_with("OK ")) return bad_status(line);
  std::string_view rest = line.substr(3);
  uint64_t numbers[3];
  for (int i = 0; i < 3; ++i) {
    const size_t space = rest.find(' ');
    if ((i < 2) == (space == std::string_view::npos)) return bad_status(line);
    if (!parse_u64(rest.substr(0, space), &numbers[i])) return bad_status(line);
    if (i < 2) rest = rest.substr(space + 1);
  }
  if (numbers[0] > kMaxReplyColumns || numbers[1] > kMaxReplyRows) return bad_status(line);
  status.is_ok = true;
  status.columns = numbers[0];
  status.rows = numbers[1];
  status.elapsed_us = numbers[2];
  return status;
}

Result<std::vector<std::optional<std::string>>> split_row(std::string_view line,
                                                          size_t expected_columns) {
  std::vector<std::optional<std::string>> cells;
  if (expected_columns == 0) {
    if (!line.empty()) return make_error(ErrorCode::kInvalidInput, "expected an empty line");
    return cells;
  }
  size_t start = 0;
  while (true) {
    const size_t tab = line.find('\t', start);
    const std::string_view raw =
        line.substr(start, tab == std::string_view::npos ? tab : tab - start);
    if (raw == "\\N") {
      cells.emplace_back(std::nullopt);
    } else {
      std::string cell;
      for (size_t i = 0; i < raw.size(); ++i) {
        if (raw[i] != '\\') {
          cell += raw[i];
          continue;
        }
        if (++i == raw.size()) return make_error(ErrorCode::kInvalidInput, "dangling backslash");
        switch (raw[i]) {
          case 't':
            cell += '\t';
            break;
          case 'n':
            cell += '\n';
            break;
          case 'r':
            cell += '\r';
            break;
          case '\\':
            cell += '\\';
            break;
          default:
            return make_error(ErrorCode::kInvalidInput, std::string("unknown escape \\") + raw[i]);
        }
      }
      cells.emplace_back(std::move(cell));
    }
    if (tab == std::string_view::npos) break;
    start = tab + 1;
  }
  if (cells.size() != expected_columns) {
    return make_error(ErrorCode::kInvalidInput, "expected " + std::to_string(expected_columns) +
                                                    " columns, got " +
                                                    std::to_string(cells.size()));
  }
  return cells;
}

}  // namespace tessera::server
