// QuerySession: one connection on the query port (docs/protocol/query.md). One
// statement per line, answered in order with an OK table or one ERR line; the
// connection stays open after errors (but not past the authentication deadline
// while unauthenticated). AUTH, PING and STATS are handled here;
// everything else goes to query::run_query, on the thread that read it.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "server/auth/principal.h"
#include "server/session.h"
#include "storage/base/status.h"

namespace tessera::server {

class QuerySession final : public Session {
 public:
  QuerySession(tcp::socket socket, ServerContext& context);

 protected:
  awaitable<void> serve() override;
  std::string internal_error_reply(std::string_view what) const override;

 private:
  // The full reply (OK table or ERR line) to one statement.
  awaitable<std::string> answer(std::string_view statement);

  // Who the session is; empty until a successful AUTH (with a tokens file), and
  // again after a failed one.
  std::optional<Principal> principal_;
  std::string peer_;  // the client's address, for per-peer limits
};

}  // namespace tessera::server
