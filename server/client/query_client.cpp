#include "server/client/query_client.h"

#include "server/protocol/query_reply_parser.h"

namespace tessera::server {

Result<QueryReply> run_statement(TcpClient& client, std::string_view statement) {
  TESSERA_RETURN_IF_ERROR(client.write_all(std::string(statement) + "\n"));
  TESSERA_ASSIGN_OR_RETURN(std::string status_line, client.read_line());
  TESSERA_ASSIGN_OR_RETURN(ReplyStatus status, parse_reply_status(status_line));
  QueryReply reply;
  if (!status.is_ok) {
    reply.error_code = std::move(status.error_code);
    reply.error_message = std::move(status.error_message);
    return reply;
  }
  reply.is_ok = true;
  reply.elapsed_us = status.elapsed_us;
  TESSERA_ASSIGN_OR_RETURN(std::string header, client.read_line());
  TESSERA_ASSIGN_OR_RETURN(auto names, split_row(header, status.columns));
  for (auto& name : names) reply.columns.push_back(name.value_or("\\N"));
  for (uint64_t i = 0; i < status.rows; ++i) {
    TESSERA_ASSIGN_OR_RETURN(std::string line, client.read_line());
    TESSERA_ASSIGN_OR_RETURN(auto cells, split_row(line, status.columns));
    reply.rows.push_back(std::move(cells));
  }
  return reply;
}

}  // namespace tessera::server
