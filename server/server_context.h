// ServerContext: what every session of one Server shares. Owned by the Server,
// which outlives its sessions.
#pragma once

#include "engine/engine.h"
#include "query/scan_workers.h"
#include "server/asio.h"
#include "server/server_options.h"
#include "server/server_stats.h"
#include "server/session_registry.h"

namespace tessera::server {

struct ServerContext {
  engine::Engine& engine;
  const ServerOptions& options;
  asio::thread_pool& write_pool;           // for ingest's engine calls: parse, apply, sync
  query::ScanWorkers& scan_workers;        // help queries scan on more cores
  query::ScanWorkers& background_workers;  // run big scans at a lower priority
  ServerStats& stats;
  SessionRegistry& registry;
};

}  // namespace tessera::server
