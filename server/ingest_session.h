// IngestSession: one connection on the ingest port (docs/protocol/ingest.md).
// Reads into a bounded buffer, frames lines, applies control lines, hands data
// lines to the engine in batches and answers `#sync` once everything before it is
// durable. Batches are pipelined: while the engine applies one batch, the session
// reads and frames the next and has it parsed (Engine::prepare_write), but it hands
// the engine a batch only after the previous one was applied, so at most two are in
// the engine at once (backpressure). It never writes unless asked by #sync (or
// before closing on an authentication failure).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "server/auth/principal.h"
#include "server/pending_call.h"
#include "server/protocol/line_framer.h"
#include "server/protocol/sync_ack.h"
#include "server/session.h"

namespace tessera::server {

class IngestSession final : public Session {
 public:
  IngestSession(tcp::socket socket, ServerContext& context);

 protected:
  awaitable<void> serve() override;
  std::string internal_error_reply(std::string_view what) const override;

 private:
  // A batch handed to the engine. It owns a copy of its lines' bytes, so the read
  // buffer takes the next input while the engine still parses or applies this one.
  struct OwnedBatch {
    std::string text;
    std::vector<engine::InputLine> lines;
    engine::WriteOptions options;
  };

  awaitable<void> read_lines();
  // Processes framed lines; false when the connection must close.
  awaitable<bool> process(const std::vector<FramedLine>& lines);
  // Hands the batch being collected to the engine: parses it (alongside the batch
  // still being applied, if any), waits for that one, then starts applying this one
  // without waiting for it.
  awaitable<void> submit_batch();
  // Waits for the batch being applied, if any, and records its accepted/rejected lines.
  awaitable<void> finish_applying();
  // Submits the batch being collected and waits until it is applied: before anything
  // that must come after it (an err line of a control line, #sync, a new principal).
  awaitable<void> apply_batch();
  void record(Result<engine::WriteReport> report, const OwnedBatch& batch);
  awaitable<bool> handle_sync(std::string_view id);
  // Answers an authentication failure on line `line_number` and ends the session.
  awaitable<bool> refuse(uint64_t line_number, std::string_view reason);

  bool is_authenticated_;
  Principal principal_;
  std::string peer_;  // the client's address, for per-peer limits
  engine::WriteOptions write_options_;
  std::vector<engine::InputLine> batch_;  // being collected; views into the read buffer
  // The batch being applied, and its result once it is.
  std::shared_ptr<const OwnedBatch> applying_batch_;
  PendingCall<Result<engine::WriteReport>> applying_;
  SyncAck ack_;
  uint64_t written_lsn_ = 0;  // highest lsn returned by engine writes
  uint64_t synced_lsn_ = 0;
  // Why the engine refused a batch for an I/O error since the previous #sync, if it
  // did: that #sync is answered by `err - write failed: ...` instead of `ok`.
  std::optional<std::string> write_failure_;
};

}  // namespace tessera::server
