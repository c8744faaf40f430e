// `tessera serve`: opens the data directory, listens on both ports, prints the
// start-up line, and runs until SIGINT/SIGTERM; then flushes the engine, exit 0.
#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <thread>

#include "engine/engine.h"
#include "engine/group_commit.h"
#include "server/cli/cli_args.h"
#include "server/cli/commands.h"
#include "server/server.h"

namespace tessera::server {
namespace {

constexpr const char* kHelp =
    "usage: tessera serve [--data DIR] [--ingest-port 9009] [--query-port 9010]\n"
    "                     [--bind 127.0.0.1] [--tokens FILE] [--max-series 1000000]\n"
    "                     [--fsync always|interval=<ms>] [--flush-rows 1000000]\n"
    "                     [--shutdown-timeout 30] [--scan-threads N]\n"
    "                     [--background-scan-rows 500000]\n"
    "Runs the server. A port of 0 picks a free one. Prints one line\n"
    "  listening ingest=<addr>:<port> query=<addr>:<port>\n"
    "once both ports accept connections. SIGINT/SIGTERM shut it down cleanly.\n"
    "Without --tokens, only loopback addresses may be bound.\n"
    "--max-series: distinct series per table (0: unlimited; docs/security.md).\n"
    "--fsync always|interval=<ms>: when `ok` waits for the log fsync: at once,\n"
    "  shared by concurrent syncs (default), or the next timed fsync (docs/durability.md).\n"
    "--flush-rows <n>: rows buffered in memory (all tables) before they are flushed to\n"
    "  segment files and the log is trimmed (default 1000000, at least 1).\n"
    "--shutdown-timeout <s>: after SIGTERM, how long draining, flushing and fsyncing\n"
    "  may take (default 30); past it the server exits with status 3.\n"
    "--scan-threads <n>: threads that help a big query scan its blocks on more cores,\n"
    "  shared by all queries (default 0: each query below --background-scan-rows\n"
    "  scans on its own thread).\n"
    "--background-scan-rows <n>: a query scanning at least n rows runs its scan on\n"
    "  background threads at a lower priority (nice +10), so that short queries and\n"
    "  ingest go first (default 500000; 0: never).\n";

// --shutdown-timeout bounds.
constexpr uint64_t kDefaultShutdownTimeoutS = 30;
constexpr uint64_t kMaxShutdownTimeoutS = 3600;
// More helpers than any machine has cores only adds threads that wait.
constexpr uint64_t kMaxScanThreads = 256;

// Exits the process (status 3) if shutdown is still running `timeout` after it
// began: a stuck disk must not keep a supervisor waiting forever. The log still
// holds every acknowledged row, so the next start loses nothing.
class ShutdownDeadline {
 public:
  explicit ShutdownDeadline(std::chrono::seconds timeout) : timeout_(timeout) {}
  ~ShutdownDeadline() {
    {
      std::lock_guard lock(mu_);
      is_done_ = true;
    }
    changed_.notify_all();
    if (thread_.joinable()) thread_.join();
  }
  // Starts the clock; called once, from the server's io thread.
  void begin() {
    std::lock_guard lock(mu_);
    if (thread_.joinable() || is_done_) return;
    thread_ = std::thread([this] {
      std::unique_lock lock(mu_);
      if (changed_.wait_for(lock, timeout_, [this] { return is_done_; })) return;
      std::fprintf(stderr,
                   "tessera serve: shutdown did not finish within %llds; exiting without a "
                   "final flush (the log is replayed on the next start)\n",
                   static_cast<long long>(timeout_.count()));
      std::fflush(stderr);
      std::_Exit(3);
    });
  }

 private:
  const std::chrono::seconds timeout_;
  std::mutex mu_;
  std::condition_variable changed_;
  bool is_done_ = false;
  std::thread thread_;
};

int fail(const std::string& message) {
  std::fprintf(stderr, "tessera serve: %s\n", message.c_str());
  return 2;
}

}  // namespace

int run_serve_command(const std::vector<std::string>& args) {
  auto parsed = parse_cli_args(
      args,
      {"--data", "--ingest-port", "--query-port", "--bind", "--tokens", "--max-series", "--fsync",
       "--flush-rows", "--shutdown-timeout", "--scan-threads", "--background-scan-rows"},
      {"--help"});
  if (!parsed.is_ok()) return fail(parsed.error().message + "\n" + kHelp);
  if (parsed->has("--help")) {
    std::fputs(kHelp, stdout);
    return 0;
  }
  if (!parsed->positional.empty())
    return fail("unexpected argument \"" + parsed->positional[0] + "\"");
  ServerOptions options;
  options.handle_signals = true;
  options.bind_address = parsed->get("--bind").value_or("127.0.0.1");
  auto ingest_port = parsed->port("--ingest-port", 9009);
  if (!ingest_port.is_ok()) return fail(ingest_port.error().message);
  auto query_port = parsed->port("--query-port", 9010);
  if (!query_port.is_ok()) return fail(query_port.error().message);
  options.ingest_port = *ingest_port;
  options.query_port = *query_port;
  if (auto path = parsed->get("--tokens")) {
    auto tokens = TokenTable::load(*path);
    if (!tokens.is_ok()) return fail(tokens.error().message);
    if (tokens->size() == 0) return fail("tokens file " + *path + " has no tokens");
    options.tokens = std::make_shared<const TokenTable>(std::move(tokens).value());
  }
  // Check the bind address before touching the data directory.
  boost::system::error_code ec;
  const auto address = asio::ip::make_address(options.bind_address, ec);
  if (ec) return fail("--bind: \"" + options.bind_address + "\" is not an IP address");
  if (!options.tokens && !address.is_loopback()) {
    return fail("refusing to listen on " + options.bind_address +
                " without --tokens FILE (bind to 127.0.0.1, or give a tokens file)");
  }

  engine::EngineOptions engine_options;
  engine_options.data_dir = parsed->get("--data").value_or("tessera-data");
  auto max_series = parsed->number("--max-series", engine_options.max_series_per_table);
  if (!max_series.is_ok()) return fail(max_series.error().message);
  engine_options.max_series_per_table = static_cast<size_t>(*max_series);
  if (auto text = parsed->get("--fsync")) {
    auto policy = engine::parse_fsync_policy(*text);
    if (!policy.is_ok()) return fail("--fsync: " + policy.error().message);
    engine_options.fsync_policy = *policy;
  }
  auto flush_rows = parsed->number("--flush-rows", engine_options.flush_threshold_rows);
  if (!flush_rows.is_ok()) return fail(flush_rows.error().message);
  if (*flush_rows < 1) return fail("--flush-rows: must be at least 1");
  engine_options.flush_threshold_rows = static_cast<size_t>(*flush_rows);
  auto timeout_s = parsed->number("--shutdown-timeout", kDefaultShutdownTimeoutS);
  if (!timeout_s.is_ok()) return fail(timeout_s.error().message);
  if (*timeout_s < 1 || *timeout_s > kMaxShutdownTimeoutS) {
    return fail("--shutdown-timeout: " + std::to_string(*timeout_s) + " is not between 1 and " +
                std::to_string(kMaxShutdownTimeoutS) + " seconds");
  }
  const std::chrono::seconds shutdown_timeout(*timeout_s);
  if (parsed->get("--scan-threads")) {
    auto scan_threads = parsed->number("--scan-threads", 0);
    if (!scan_threads.is_ok()) return fail(scan_threads.error().message);
    if (*scan_threads > kMaxScanThreads) {
      return fail("--scan-threads: " + std::to_string(*scan_threads) + " is not between 0 and " +
                  std::to_string(kMaxScanThreads));
    }
    options.scan_threads = static_cast<int>(*scan_threads);
  }
  auto background_rows = parsed->number("--background-scan-rows", options.background_scan_rows);
  if (!background_rows.is_ok()) return fail(background_rows.error().message);
  options.background_scan_rows = *background_rows;
  options.limits.shutdown_grace =
      std::min<std::chrono::milliseconds>(options.limits.shutdown_grace, shutdown_timeout);
  // Declared before the engine so that it outlives the final flush and close.
  ShutdownDeadline deadline(shutdown_timeout);
  options.on_shutdown_begin = [&deadline] { deadline.begin(); };
  auto engine = engine::Engine::open(engine_options);
  if (!engine.is_ok())
    return fail("cannot open " + engine_options.data_dir.string() + ": " + engine.error().message);
  auto server = Server::start(**engine, std::move(options));
  if (!server.is_ok()) return fail(server.error().message);
  if (!(*server)->background_priority_lowered()) {
    std::fprintf(stderr,
                 "tessera serve: warning: background scan threads could not lower their "
                 "priority; big scans compete with short queries\n");
  }
  std::printf("%s\n", (*server)->listening_line().c_str());
  std::fflush(stdout);
  (*server)->wait();
  server->reset();
  Status flushed = (*engine)->flush();
  if (!flushed.is_ok()) {
    std::fprintf(stderr, "tessera serve: flush at shutdown failed: %s\n",
                 flushed.message().c_str());
    return 1;
  }
  return 0;
}

}  // namespace tessera::server
