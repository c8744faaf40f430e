// `tessera load`: streams line-protocol files over the ingest port.
#include <unistd.h>

#include <cstdio>

#include "server/cli/cli_args.h"
#include "server/cli/commands.h"
#include "server/client/line_loader.h"

namespace tessera::server {
namespace {

constexpr const char* kHelp =
    "usage: tessera load FILE... [--host H] [--port P] [--token T] [--sync-every N]\n"
    "Sends line-protocol files with a #sync every N lines (default 10000) and at the\n"
    "end, prints rejected lines (the first 20) and a summary. Exit 1 if any line\n"
    "was rejected. Defaults: --host 127.0.0.1 --port 9009.\n";

int fail(const std::string& message) {
  std::fprintf(stderr, "tessera load: %s\n", message.c_str());
  return 2;
}

}  // namespace

int run_load_command(const std::vector<std::string>& args) {
  auto parsed = parse_cli_args(args, {"--host", "--port", "--token", "--sync-every"}, {"--help"});
  if (!parsed.is_ok()) return fail(parsed.error().message + "\n" + kHelp);
  if (parsed->has("--help")) {
    std::fputs(kHelp, stdout);
    return 0;
  }
  if (parsed->positional.empty()) return fail(std::string("no files given\n") + kHelp);
  LoadOptions options;
  options.host = parsed->get("--host").value_or("127.0.0.1");
  auto port = parsed->port("--port", 9009);
  if (!port.is_ok()) return fail(port.error().message);
  options.port = *port;
  options.token = parsed->get("--token");
  auto sync_every = parsed->number("--sync-every", 10'000);
  if (!sync_every.is_ok()) return fail(sync_every.error().message);
  if (*sync_every == 0) return fail("--sync-every must be at least 1");
  options.sync_every_lines = *sync_every;
  options.show_progress = isatty(STDERR_FILENO) != 0;
  options.err_out = stderr;
  std::vector<std::filesystem::path> files(parsed->positional.begin(), parsed->positional.end());
  auto summary = load_files(files, options);
  if (!summary.is_ok()) return fail(summary.error().message);
  const double rate =
      summary->seconds > 0 ? static_cast<double>(summary->accepted) / summary->seconds : 0;
  std::printf("files=%llu accepted=%llu rejected=%llu seconds=%.3f rows_per_s=%.0f\n",
              static_cast<unsigned long long>(summary->files),
              static_cast<unsigned long long>(summary->accepted),
              static_cast<unsigned long long>(summary->rejected), summary->seconds, rate);
  return summary->rejected > 0 ? 1 : 0;
}

}  // namespace tessera::server
