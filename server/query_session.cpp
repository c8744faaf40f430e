#include "server/query_session.h"

#include <chrono>
#include <cstdio>
#include <vector>

#include "query/query_runner.h"
#include "server/auth/auth_rate_limiter.h"
#include "server/peer_connection_limit.h"
#include "server/protocol/line_framer.h"
#include "server/protocol/query_response.h"
#include "server/protocol/wire_error.h"

namespace tessera::server {
namespace {

std::string_view trim(std::string_view s) {
  auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\r'; };
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    const char x = (a[i] >= 'a' && a[i] <= 'z') ? static_cast<char>(a[i] - 32) : a[i];
    if (x != b[i]) return false;
  }
  return true;
}

uint64_t elapsed_us_since(std::chrono::steady_clock::time_point start) {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                   std::chrono::steady_clock::now() - start)
                                   .count());
}

}  // namespace

QuerySession::QuerySession(tcp::socket socket, ServerContext& context)
    : Session(std::move(socket), context) {
  if (context.options.tokens == nullptr) principal_ = open_access_query_principal();
}

std::string QuerySession::internal_error_reply(std::string_view what) const {
  return format_error_reply(make_error(ErrorCode::kInternal, std::string(what)));
}

awaitable<void> QuerySession::serve() {
  const ServerLimits& limits = context_.options.limits;
  peer_ = peer_address(socket_);
  // Held until serve() returns: counts this connection against its peer.
  const PeerConnectionLimit::Slot slot = co_await admit_peer(peer_);
  if (!slot.is_held()) co_return;
  std::vector<char> buffer(std::min<size_t>(limits.read_buffer_bytes, 64 * 1024));
  LineFramer framer(limits.max_statement_bytes);
  std::vector<FramedLine> lines;
  std::string replies;
  while (true) {
    const size_t n = co_await read_some(buffer);
    lines.clear();
    if (n == 0) {
      if (is_auth_expired()) {
        co_await write(
            format_error_reply(make_error(ErrorCode::kUnauthenticated, "authentication timeout")));
        co_return;
      }
      if (is_idle_expired()) {
        co_await write(format_error_reply(make_error(
            ErrorCode::kLimitExceeded,
            "idle for more than " + std::to_string(limits.idle_timeout.count()) + " ms, closing")));
        co_return;
      }
      if (!is_end_of_input()) co_return;
      framer.finish(lines);
    } else {
      framer.feed(std::string_view(buffer.data(), n), lines);
    }
    for (const FramedLine& line : lines) {
      if (line.is_oversize) {
        ++context_.stats.query_errors;
        replies += format_error_reply(make_error(
            ErrorCode::kLimitExceeded,
            "statement exceeds " + std::to_string(limits.max_statement_bytes) + " bytes"));
      } else {
        replies += co_await answer(line.text);
      }
      // Replies of pipelined statements go out together, but never pile up.
      if (replies.size() >= 64 * 1024) {
        if (!co_await write(replies)) co_return;
        replies.clear();
      }
    }
    if (!replies.empty()) {
      if (!co_await write(replies)) co_return;
      replies.clear();
    }
    if (n == 0) co_return;
  }
}

awaitable<std::string> QuerySession::answer(std::string_view raw_statement) {
  const auto start = std::chrono::steady_clock::now();
  std::string_view statement = trim(raw_statement);
  while (!statement.empty() && statement.back() == ';')
    statement = trim(statement.substr(0, statement.size() - 1));
  const size_t space = statement.find_first_of(" \t");
  const std::string_view verb = statement.substr(0, space);
  const std::string_view argument =
      space == std::string_view::npos ? std::string_view() : trim(statement.substr(space));
  ++context_.stats.queries;
  auto fail = [this](ErrorCode code, std::string message) {
    ++context_.stats.query_errors;
    return format_error_reply(make_error(code, std::move(message)));
  };

  if (statement.empty()) co_return fail(ErrorCode::kSyntax, "empty statement");
  if (iequals(verb, "AUTH")) {
    if (context_.options.tokens == nullptr) co_return format_result({}, elapsed_us_since(start));
    const ServerLimits& limits = context_.options.limits;
    const AuthRatePolicy policy{limits.max_auth_failures, limits.auth_failure_window};
    AuthRateLimiter& failures = context_.registry.auth_failures();
    // Whatever the outcome, the earlier authentication ends here: a failed AUTH
    // leaves the session unauthenticated, not with its previous principal.
    if (principal_) {
      principal_.reset();
      mark_unauthenticated();
    }
    // Counted as a failure before the comparison (and taken back on success), so
    // concurrent connections cannot share out more guesses than the limit. A blocked
    // peer gets no token comparison at all, so guessing gains nothing.
    const AuthAttempt attempt = failures.begin(peer_, policy);
    if (attempt.retry_after) {
      co_return fail(ErrorCode::kLimitExceeded,
                     auth_rate_limited_message(attempt.key, *attempt.retry_after));
    }
    auto principal = context_.options.tokens->find(argument);
    if (argument.empty() || !principal) {
      co_return fail(ErrorCode::kUnauthenticated, "invalid token");
    }
    failures.succeeded(attempt);
    principal_ = *principal;
    mark_authenticated();
    co_return format_result({}, elapsed_us_since(start));
  }
  if (!principal_) {
    co_return fail(ErrorCode::kUnauthenticated, "authenticate first with AUTH <token>");
  }
  if (iequals(verb, "PING") && argument.empty())
    co_return format_result({}, elapsed_us_since(start));
  if (iequals(verb, "STATS") && argument.empty()) {
    if (principal_->role != query::Role::kAdmin && principal_->role != query::Role::kService) {
      co_return fail(
          ErrorCode::kPermissionDenied,
          std::string("STATS needs role admin or service, not ") + role_name(principal_->role));
    }
    co_return format_result(stats_result(context_.stats, context_.engine.stats()),
                            elapsed_us_since(start));
  }

  query::QueryContext query_context;
  apply_to_context(*principal_, query_context);
  query_context.now_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
  const ServerLimits& limits = context_.options.limits;
  query_context.max_result_rows = limits.max_result_rows;
  query_context.max_memory_bytes = limits.max_query_memory_bytes;
  query_context.timeout = limits.query_timeout;
  query_context.scan_workers = &context_.scan_workers;
  query_context.background_workers = &context_.background_workers;
  query_context.background_scan_rows = context_.options.background_scan_rows;
  // Run here, on the session's own thread (QueryThreads).
  Result<query::ResultSet> result = query::run_query(context_.engine, statement, query_context);
  if (!result.is_ok()) co_return fail(result.error().code, result.error().message);
  co_return format_result(*result, elapsed_us_since(start));
}

}  // namespace tessera::server
