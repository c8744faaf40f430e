#include "server/protocol/wire_error.h"

namespace tessera::server {

std::string_view wire_error_code(ErrorCode code) {
  switch (code) {
    case ErrorCode::kSyntax:
      return "syntax";
    case ErrorCode::kUnknownTable:
      return "unknown_table";
    case ErrorCode::kUnknownColumn:
      return "unknown_column";
    case ErrorCode::kUnknownFunction:
      return "unknown_function";
    case ErrorCode::kTypeMismatch:
      return "type";
    case ErrorCode::kInvalidInput:
      return "invalid_argument";
    case ErrorCode::kUnauthenticated:
      return "auth";
    case ErrorCode::kPermissionDenied:
      return "permission";
    case ErrorCode::kLimitExceeded:
      return "limit";
    case ErrorCode::kUnavailable:
      return "unavailable";
    case ErrorCode::kCorruption:
    case ErrorCode::kIoError:
    case ErrorCode::kNotFound:
    case ErrorCode::kInternal:
      return "internal";
  }
  return "internal";
}

std::string flatten_message(std::string_view message) {
  std::string out(message);
  for (char& c : out) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  return out;
}

std::string format_error_reply(const Error& error) {
  std::string out = "ERR ";
  out += wire_error_code(error.code);
  out += ' ';
  out += flatten_message(error.message);
  out += '\n';
  return out;
}

}  // namespace tessera::server
