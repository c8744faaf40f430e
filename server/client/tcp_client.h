// TcpClient: a small blocking line-oriented TCP client used by `tessera sql`,
// `load`, `demo` and the end-to-end tests. Not thread-safe; one connection.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "server/asio.h"
#include "storage/base/status.h"

namespace tessera::server {

// Longest reply line a client accepts (a query row can be long, but not endless).
inline constexpr size_t kMaxClientLineBytes = size_t{64} << 20;

class TcpClient {
 public:
  // kUnavailable "cannot connect to host:port: <reason>".
  static Result<std::unique_ptr<TcpClient>> connect(const std::string& host, uint16_t port);

  // kUnavailable when the connection broke.
  Status write_all(std::string_view bytes);
  // The next line without its '\n'. kUnavailable at end of stream ("connection
  // closed by server") or on error; kLimitExceeded past kMaxClientLineBytes.
  Result<std::string> read_line();
  // Half-close: tells the server no more input comes; replies can still be read.
  void shutdown_send();

 private:
  TcpClient() : socket_(io_) {}

  asio::io_context io_;
  tcp::socket socket_;
  std::string buffer_;     // bytes read; those before line_start_ already returned
  size_t line_start_ = 0;  // where the next line begins in buffer_
  size_t scan_from_ = 0;   // no '\n' in buffer_ between line_start_ and here
};

}  // namespace tessera::server
