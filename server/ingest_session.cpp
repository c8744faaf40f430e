#include "server/ingest_session.h"

#include <algorithm>

#include "server/auth/auth_rate_limiter.h"
#include "server/blocking_call.h"
#include "server/peer_connection_limit.h"
#include "server/protocol/control_line.h"
#include "server/protocol/wire_error.h"

namespace tessera::server {
namespace {

bool is_blank(std::string_view line) {
  return std::all_of(line.begin(), line.end(), [](char c) { return c == ' ' || c == '\t'; });
}

}  // namespace

IngestSession::IngestSession(tcp::socket socket, ServerContext& context)
    : Session(std::move(socket), context),
      is_authenticated_(context.options.tokens == nullptr),
      principal_(open_access_ingest_principal()) {}

std::string IngestSession::internal_error_reply(std::string_view what) const {
  return "err - internal: " + flatten_message(what) + "\n";
}

awaitable<void> IngestSession::serve() {
  peer_ = peer_address(socket_);
  // Held until serve() returns: counts this connection against its peer.
  const PeerConnectionLimit::Slot slot = co_await admit_peer(peer_);
  if (!slot.is_held()) co_return;
  co_await read_lines();
  // Whatever way the input ended, the batch handed to the engine is applied before the
  // session ends (it owns its bytes, so even an exception here leaves it safe).
  co_await finish_applying();
}

awaitable<void> IngestSession::read_lines() {
  const ServerLimits& limits = context_.options.limits;
  std::vector<char> buffer(limits.read_buffer_bytes);
  LineFramer framer(limits.max_line_bytes);
  std::vector<FramedLine> lines;
  batch_.reserve(std::min<size_t>(limits.max_batch_lines, 4096));
  while (true) {
    const size_t n = co_await read_some(buffer);
    lines.clear();
    if (n == 0) {
      // A last line without '\n' counts only at a clean end of input: after an
      // error or a server stop it may be cut short.
      if (is_end_of_input()) {
        framer.finish(lines);
        co_await process(lines);
      }
      co_return;
    }
    framer.feed(std::string_view(buffer.data(), n), lines);
    // The views in `lines` point into `buffer`: process() hands every line to the
    // engine (copied) or handles it before the buffer is reused.
    if (!co_await process(lines)) co_return;
  }
}

awaitable<bool> IngestSession::process(const std::vector<FramedLine>& lines) {
  const ServerLimits& limits = context_.options.limits;
  for (const FramedLine& line : lines) {
    if (!is_authenticated_) {
      auto control = parse_control_line(line.text);
      if (line.is_oversize || !control.is_ok() || control->kind != ControlKind::kAuth) {
        co_return co_await refuse(line.line_number, "auth: the first line must be #auth <token>");
      }
    }
    if (line.is_oversize) {
      co_await apply_batch();  // keeps err lines in line order
      ack_.add_rejected(line.line_number,
                        "line exceeds " + std::to_string(limits.max_line_bytes) + " bytes");
      ++context_.stats.lines_rejected;
      continue;
    }
    auto control = parse_control_line(line.text);
    if (!control.is_ok()) {
      co_await apply_batch();
      ack_.add_rejected(line.line_number, control.error().message);
      ++context_.stats.lines_rejected;
      continue;
    }
    switch (control->kind) {
      case ControlKind::kData:
        if (is_blank(line.text)) break;  // counted as a line, neither accepted nor rejected
        batch_.push_back({line.text, line.line_number});
        if (batch_.size() >= limits.max_batch_lines) co_await submit_batch();
        break;
      case ControlKind::kComment:
        break;
      case ControlKind::kAuth: {
        co_await apply_batch();
        if (context_.options.tokens == nullptr) break;  // no auth configured: accepted as is
        const AuthRatePolicy policy{limits.max_auth_failures, limits.auth_failure_window};
        AuthRateLimiter& failures = context_.registry.auth_failures();
        // Counted as a failure before the comparison and taken back on success (one
        // atomic step, query_session.cpp). A blocked peer gets no comparison at all.
        const AuthAttempt attempt = failures.begin(peer_, policy);
        if (attempt.retry_after) {
          co_return co_await refuse(
              line.line_number,
              "limit: " + auth_rate_limited_message(attempt.key, *attempt.retry_after));
        }
        auto principal = context_.options.tokens->find(control->argument);
        if (!principal) co_return co_await refuse(line.line_number, "auth: invalid token");
        failures.succeeded(attempt);
        if (!can_ingest(*principal)) {
          co_return co_await refuse(
              line.line_number,
              std::string("permission: role ") + role_name(principal->role) + " cannot write");
        }
        is_authenticated_ = true;
        mark_authenticated();
        principal_ = *principal;
        write_options_.tenant_scope = ingest_tenant_scope(principal_);
        break;
      }
      case ControlKind::kPrecision:
        co_await apply_batch();
        write_options_.precision = control->precision;
        break;
      case ControlKind::kSync:
        co_await apply_batch();
        if (!co_await handle_sync(control->argument)) co_return false;
        break;
    }
  }
  co_await submit_batch();
  co_return true;
}

awaitable<void> IngestSession::submit_batch() {
  if (batch_.empty()) co_return;
  auto owned = std::make_shared<OwnedBatch>();
  size_t bytes = 0;
  for (const engine::InputLine& line : batch_) bytes += line.text.size();
  owned->text.reserve(bytes);
  for (const engine::InputLine& line : batch_) owned->text += line.text;
  owned->lines.reserve(batch_.size());
  size_t offset = 0;
  for (const engine::InputLine& line : batch_) {
    owned->lines.push_back(
        {std::string_view(owned->text).substr(offset, line.text.size()), line.line_number});
    offset += line.text.size();
  }
  owned->options = write_options_;
  batch_.clear();
  engine::Engine& engine = context_.engine;
  // Parsed while the previous batch may still be applied: the two overlap.
  std::unique_ptr<engine::PreparedWrite> prepared = co_await run_blocking(
      context_.write_pool,
      [&engine, &owned] { return engine.prepare_write(owned->lines, owned->options); });
  co_await finish_applying();
  applying_batch_ = owned;
  applying_ = PendingCall<Result<engine::WriteReport>>::start(
      context_.write_pool, socket_.get_executor(),
      [&engine, owned = std::move(owned), prepared = std::move(prepared)]() mutable {
        return engine.write_prepared(std::move(prepared));
      });
}

awaitable<void> IngestSession::finish_applying() {
  if (!applying_.is_pending()) co_return;
  Result<engine::WriteReport> report = co_await applying_.wait();
  const std::shared_ptr<const OwnedBatch> batch = std::move(applying_batch_);
  record(std::move(report), *batch);
}

awaitable<void> IngestSession::apply_batch() {
  co_await submit_batch();
  co_await finish_applying();
}

void IngestSession::record(Result<engine::WriteReport> report, const OwnedBatch& batch) {
  if (!report.is_ok()) {
    // The engine refused the whole batch (I/O error, shutting down): none of it is
    // acknowledged, and each line says why.
    const std::string reason =
        std::string(wire_error_code(report.error().code)) + ": " + report.error().message;
    for (const auto& line : batch.lines) ack_.add_rejected(line.line_number, reason);
    // A failing disk (ENOSPC, EIO): the next #sync answers without `ok`, so that no
    // client mistakes the reply for an acknowledgement. Writes may work again later.
    if (report.error().code == ErrorCode::kIoError && !write_failure_) write_failure_ = reason;
    context_.stats.lines_rejected += batch.lines.size();
    return;
  }
  auto& rejected = report->rejected;
  std::sort(rejected.begin(), rejected.end(),
            [](const auto& a, const auto& b) { return a.line_number < b.line_number; });
  ack_.add_accepted(report->accepted);
  for (const auto& r : rejected) ack_.add_rejected(r.line_number, r.reason);
  context_.stats.lines_accepted += report->accepted;
  context_.stats.lines_rejected += rejected.size();
  written_lsn_ = std::max(written_lsn_, report->lsn);
}

awaitable<bool> IngestSession::handle_sync(std::string_view id) {
  ++context_.stats.syncs;
  if (write_failure_) {
    // The connection stays open: the engine takes writes again once the disk has
    // space, and the client resends everything since its previous `ok`.
    std::string reason =
        "write failed: " + *write_failure_ + "; nothing since the previous ok is acknowledged";
    write_failure_.reset();
    co_return co_await write(ack_.take_failed_reply(reason));
  }
  if (written_lsn_ > synced_lsn_) {
    engine::Engine& engine = context_.engine;
    const uint64_t lsn = written_lsn_;
    Status status =
        co_await run_blocking(context_.write_pool, [&engine, lsn] { return engine.sync(lsn); });
    if (!status.is_ok()) {
      // Nothing since the last ok can be acknowledged: say why and close, so the
      // client resends from its last ok.
      co_await write(ack_.take_failed_reply("sync failed: " + status.message()));
      co_return false;
    }
    synced_lsn_ = lsn;
  }
  co_return co_await write(ack_.take_reply(id));
}

awaitable<bool> IngestSession::refuse(uint64_t line_number, std::string_view reason) {
  ++context_.stats.lines_rejected;
  co_await write("err " + std::to_string(line_number) + " " + std::string(reason) + "\n");
  co_return false;
}

}  // namespace tessera::server
