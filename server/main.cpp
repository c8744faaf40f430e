// The `tessera` executable: dispatches to the subcommands in server/cli/.
#include <csignal>
#include <cstdio>
#include <string>
#include <vector>

#include "server/cli/commands.h"

namespace {

constexpr const char* kUsage =
    "usage: tessera <command> [options]\n"
    "commands:\n"
    "  serve    run the server (ingest and query ports)\n"
    "  sql      run a statement, or an interactive shell\n"
    "  load     send line-protocol files to the ingest port\n"
    "  gen      write the example workloads as line-protocol files\n"
    "  demo     generate, serve, load and query a small workload\n"
    "  inspect  show what a data directory stores\n"
    "  bench    drive a server with ingest and dashboard load, report latencies\n"
    "Run `tessera <command> --help` for its options.\n";

}  // namespace

int main(int argc, char** argv) {
  // A peer that closed its socket must give a write error, not kill the process.
  std::signal(SIGPIPE, SIG_IGN);
  if (argc < 2) {
    std::fputs(kUsage, stderr);
    return 2;
  }
  const std::string command = argv[1];
  const std::vector<std::string> args(argv + 2, argv + argc);
  using namespace tessera::server;
  if (command == "--help" || command == "-h" || command == "help") {
    std::fputs(kUsage, stdout);
    return 0;
  }
  if (command == "serve") return run_serve_command(args);
  if (command == "sql") return run_sql_command(args);
  if (command == "load") return run_load_command(args);
  if (command == "gen") return run_gen_command(args);
  if (command == "demo") return run_demo_command(args);
  if (command == "inspect") return run_inspect_command(args);
  if (command == "bench") return run_bench_command(args);
  std::fprintf(stderr, "tessera: unknown command \"%s\"\n%s", command.c_str(), kUsage);
  return 2;
}
