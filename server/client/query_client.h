// run_statement: sends one statement on a query-port connection and reads its
// whole reply (docs/protocol/query.md).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "server/client/tcp_client.h"
#include "storage/base/status.h"

namespace tessera::server {

struct QueryReply {
  bool is_ok = false;
  std::string error_code, error_message;  // when !is_ok
  uint64_t elapsed_us = 0;
  std::vector<std::string> columns;
  std::vector<std::vector<std::optional<std::string>>> rows;  // nullopt: NULL
};

// An ERR reply is a QueryReply with is_ok false; the returned error is for the
// transport (kUnavailable) or a malformed reply (kInvalidInput).
// Requires: `statement` contains no newline.
Result<QueryReply> run_statement(TcpClient& client, std::string_view statement);

}  // namespace tessera::server
