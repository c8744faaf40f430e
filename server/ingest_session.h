// IngestSession: one connection on the ingest port (docs/protocol/ingest.md).
// Reads into a bounded buffer, frames lines, applies control lines, hands data
// lines to the engine in batches and answers `#sync` once everything before it is
// durable. It does not read more input until the current batch is applied
// (backpressure), and never writes unless asked by #sync (or before closing on an
// authentication failure).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "server/auth/principal.h"
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
  // Processes framed lines; false when the connection must close.
  awaitable<bool> process(const std::vector<FramedLine>& lines);
  // Writes the pending batch to the engine and records accepted/rejected lines.
  awaitable<void> apply_batch();
  awaitable<bool> handle_sync(std::string_view id);
  // Answers an authentication failure on line `line_number` and ends the session.
  awaitable<bool> refuse(uint64_t line_number, std::string_view reason);

  bool is_authenticated_;
  Principal principal_;
  std::string peer_;  // the client's address, for per-peer limits
  engine::WriteOptions write_options_;
  std::vector<engine::InputLine> batch_;
  SyncAck ack_;
  uint64_t written_lsn_ = 0;  // highest lsn returned by engine writes
  uint64_t synced_lsn_ = 0;
  // Why the engine refused a batch for an I/O error since the previous #sync, if it
  // did: that #sync is answered by `err - write failed: ...` instead of `ok`.
  std::optional<std::string> write_failure_;
};

}  // namespace tessera::server
