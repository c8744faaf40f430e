// Status and Result<T>: how every fallible Tessera function reports failure.
// Errors are values, never exceptions: a code from a short list plus a message
// that says what, where and why ("line 42, col 17: field \"spend\": ...").
#pragma once

#include <cassert>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace tessera {

enum class ErrorCode {
  kInvalidInput,  // the client's fault (bad value, bad argument, out of range)
  kSyntax,        // a statement or line that does not parse
  kUnknownTable,
  kUnknownColumn,
  kUnknownFunction,
  kTypeMismatch,      // a value or expression of the wrong type
  kCorruption,        // bad bytes on disk
  kIoError,           // the operating system said no
  kNotFound,          // a file or object that should exist does not
  kLimitExceeded,     // a named limit was hit
  kUnauthenticated,   // no valid credentials yet
  kPermissionDenied,  // authenticated, but not allowed
  kUnavailable,       // shutting down, or not ready
  kInternal,          // our bug
};

// Stable lower-case name of a code, for logs and tests.
std::string_view error_code_name(ErrorCode code);

struct Error {
  ErrorCode code;
  std::string message;
};

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(Error error) : error_(std::move(error)) {}  // NOLINT: implicit by design

  static Status ok() { return {}; }

  bool is_ok() const { return !error_.has_value(); }
  explicit operator bool() const { return is_ok(); }
  // Requires: !is_ok().
  const Error& error() const {
    assert(error_.has_value());
    return *error_;
  }
  ErrorCode code() const { return error().code; }
  const std::string& message() const { return error().message; }
  // "ok" or "<code>: <message>", for logs and test failures.
  std::string to_string() const;

 private:
  std::optional<Error> error_;
};

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : data_(std::move(value)) {}      // NOLINT: implicit by design
  Result(Error error) : data_(std::move(error)) {}  // NOLINT: implicit by design
  // Requires: !status.is_ok().
  Result(Status status) : data_(status.error()) {}  // NOLINT: implicit by design

  bool is_ok() const { return std::holds_alternative<T>(data_); }
  explicit operator bool() const { return is_ok(); }

  // Requires: is_ok().
  T& value() & {
    assert(is_ok());
    return std::get<T>(data_);
  }
  const T& value() const& {
    assert(is_ok());
    return std::get<T>(data_);
  }
  T&& value() && {
    assert(is_ok());
    return std::get<T>(std::move(data_));
  }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  // Requires: !is_ok().
  const Error& error() const {
    assert(!is_ok());
    return std::get<Error>(data_);
  }
  Status status() const { return is_ok() ? Status::ok() : Status(error()); }

 private:
  std::variant<T, Error> data_;
};

inline Error make_error(ErrorCode code, std::string message) {
  return Error{code, std::move(message)};
}

}  // namespace tessera

// Returns early with the error of a Status-returning expression.
#define TESSERA_RETURN_IF_ERROR(expr)                             \
  do {                                                            \
    ::tessera::Status tessera_status_ = (expr);                   \
    if (!tessera_status_.is_ok()) return tessera_status_.error(); \
  } while (0)

#define TESSERA_CONCAT_INNER(a, b) a##b
#define TESSERA_CONCAT(a, b) TESSERA_CONCAT_INNER(a, b)
#define TESSERA_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                                  \
  if (!tmp.is_ok()) return tmp.error();               \
  lhs = std::move(tmp).value()

// `TESSERA_ASSIGN_OR_RETURN(auto x, f());` binds x to f()'s value or returns its error.
#define TESSERA_ASSIGN_OR_RETURN(lhs, expr) \
  TESSERA_ASSIGN_OR_RETURN_IMPL(TESSERA_CONCAT(tessera_result_, __LINE__), lhs, expr)
