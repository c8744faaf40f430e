#include "server/protocol/control_line.h"

#include <string>

namespace tessera::server {
namespace {

bool is_space(char c) { return c == ' ' || c == '\t'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

// When `line` is "#<word>" or "#<word> <rest>", sets *rest and returns true.
bool match_word(std::string_view line, std::string_view word, std::string_view* rest) {
  if (line.size() < word.size() + 1 || line.substr(1, word.size()) != word) return false;
  const std::string_view after = line.substr(word.size() + 1);
  if (!after.empty() && !is_space(after.front())) return false;  // "#authority": a comment
  *rest = trim(after);
  return true;
}

bool has_space(std::string_view s) {
  for (char c : s) {
    if (is_space(c)) return true;
  }
  return false;
}

}  // namespace

Result<ControlLine> parse_control_line(std::string_view line) {
  ControlLine result;
  if (line.empty() || line.front() != '#') return result;
  std::string_view rest;
  if (match_word(line, "auth", &rest)) {
    if (rest.empty()) return make_error(ErrorCode::kInvalidInput, "#auth needs a token");
    if (has_space(rest))
      return make_error(ErrorCode::kInvalidInput, "#auth token contains a space");
    result.kind = ControlKind::kAuth;
    result.argument = rest;
    return result;
  }
  if (match_word(line, "precision", &rest)) {
    result.kind = ControlKind::kPrecision;
    if (rest == "ns") {
      result.precision = engine::Precision::kNanoseconds;
    } else if (rest == "us") {
      result.precision = engine::Precision::kMicroseconds;
    } else if (rest == "ms") {
      result.precision = engine::Precision::kMilliseconds;
    } else if (rest == "s") {
      result.precision = engine::Precision::kSeconds;
    } else {
      return make_error(ErrorCode::kInvalidInput,
                        "#precision: expected s, ms, us or ns, got \"" + std::string(rest) + "\"");
    }
    return result;
  }
  if (match_word(line, "sync", &rest)) {
    if (rest.size() > kMaxSyncIdBytes) {
      return make_error(ErrorCode::kInvalidInput,
                        "#sync id longer than " + std::to_string(kMaxSyncIdBytes) + " bytes");
    }
    if (has_space(rest)) return make_error(ErrorCode::kInvalidInput, "#sync id contains a space");
    result.kind = ControlKind::kSync;
    result.argument = rest.empty() ? std::string_view("-") : rest;
    return result;
  }
  result.kind = ControlKind::kComment;
  return result;
}

}  // namespace tessera::server
