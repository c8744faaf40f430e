// `tessera serve`: opens the data directory, listens on both ports, prints the
// start-up line, and runs until SIGINT/SIGTERM; then flushes the engine, exit 0.
#include <cstdio>

#include "engine/engine.h"
#include "server/cli/cli_args.h"
#include "server/cli/commands.h"
#include "server/server.h"

namespace tessera::server {
namespace {

constexpr const char* kHelp =
    "usage: tessera serve [--data DIR] [--ingest-port 9009] [--query-port 9010]\n"
    "                     [--bind 127.0.0.1] [--tokens FILE]\n"
    "Runs the server. A port of 0 picks a free one. Prints one line\n"
    "  listening ingest=<addr>:<port> query=<addr>:<port>\n"
    "once both ports accept connections. SIGINT/SIGTERM shut it down cleanly.\n"
    "Without --tokens, only loopback addresses may be bound.\n";

int fail(const std::string& message) {
  std::fprintf(stderr, "tessera serve: %s\n", message.c_str());
  return 2;
}

}  // namespace

int run_serve_command(const std::vector<std::string>& args) {
  auto parsed = parse_cli_args(
      args, {"--data", "--ingest-port", "--query-port", "--bind", "--tokens"}, {"--help"});
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
  auto engine = engine::Engine::open(engine_options);
  if (!engine.is_ok())
    return fail("cannot open " + engine_options.data_dir.string() + ": " + engine.error().message);
  auto server = Server::start(**engine, std::move(options));
  if (!server.is_ok()) return fail(server.error().message);
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
