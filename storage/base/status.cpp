#include "storage/base/status.h"

namespace tessera {

std::string_view error_code_name(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidInput:
      return "invalid_input";
    case ErrorCode::kSyntax:
      return "syntax";
    case ErrorCode::kUnknownTable:
      return "unknown_table";
    case ErrorCode::kUnknownColumn:
      return "unknown_column";
    case ErrorCode::kUnknownFunction:
      return "unknown_function";
    case ErrorCode::kTypeMismatch:
      return "type_mismatch";
    case ErrorCode::kCorruption:
      return "corruption";
    case ErrorCode::kIoError:
      return "io_error";
    case ErrorCode::kNotFound:
      return "not_found";
    case ErrorCode::kLimitExceeded:
      return "limit_exceeded";
    case ErrorCode::kUnauthenticated:
      return "unauthenticated";
    case ErrorCode::kPermissionDenied:
      return "permission_denied";
    case ErrorCode::kUnavailable:
      return "unavailable";
    case ErrorCode::kInternal:
      return "internal";
  }
  return "internal";
}

std::string Status::to_string() const {
  if (is_ok()) return "ok";
  return std::string(error_code_name(error_->code)) + ": " + error_->message;
}

}  // namespace tessera
