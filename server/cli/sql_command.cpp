// `tessera sql`: runs one statement and prints the result as a table (exit 1 on
// ERR), or, without a statement, an interactive shell over stdin.
#include <unistd.h>

#include <cstdio>
#include <iostream>

#include "server/cli/cli_args.h"
#include "server/cli/commands.h"
#include "server/cli/table_printer.h"
#include "server/client/query_client.h"

namespace tessera::server {
namespace {

constexpr const char* kHelp =
    "usage: tessera sql [--host H] [--port P] [--token T] [\"STATEMENT\"]\n"
    "Runs one statement and prints the result, or reads statements from stdin\n"
    "(one per line) when none is given. Defaults: --host 127.0.0.1 --port 9010.\n";

int fail(const std::string& message) {
  std::fprintf(stderr, "tessera sql: %s\n", message.c_str());
  return 2;
}

// Prints the reply; false for ERR. Transport errors are returned.
Result<bool> run_and_print(TcpClient& client, const std::string& statement) {
  TESSERA_ASSIGN_OR_RETURN(QueryReply reply, run_statement(client, statement));
  if (!reply.is_ok) {
    std::fprintf(stderr, "ERR %s %s\n", reply.error_code.c_str(), reply.error_message.c_str());
    return false;
  }
  if (!reply.columns.empty())
    std::fputs(format_table(reply.columns, reply.rows).c_str(), stdout);
  else
    std::puts("OK");
  std::fflush(stdout);
  return true;
}

}  // namespace

int run_sql_command(const std::vector<std::string>& args) {
  auto parsed = parse_cli_args(args, {"--host", "--port", "--token"}, {"--help"});
  if (!parsed.is_ok()) return fail(parsed.error().message + "\n" + kHelp);
  if (parsed->has("--help")) {
    std::fputs(kHelp, stdout);
    return 0;
  }
  if (parsed->positional.size() > 1) return fail("give the statement as one argument (quote it)");
  auto port = parsed->port("--port", 9010);
  if (!port.is_ok()) return fail(port.error().message);
  auto client = TcpClient::connect(parsed->get("--host").value_or("127.0.0.1"), *port);
  if (!client.is_ok()) return fail(client.error().message);
  if (auto token = parsed->get("--token")) {
    auto auth = run_statement(**client, "AUTH " + *token);
    if (!auth.is_ok()) return fail(auth.error().message);
    if (!auth->is_ok) {
      std::fprintf(stderr, "ERR %s %s\n", auth->error_code.c_str(), auth->error_message.c_str());
      return 1;
    }
  }
  if (parsed->positional.size() == 1) {
    std::string statement = parsed->positional[0];
    for (char& c : statement) {
      if (c == '\n' || c == '\r') c = ' ';  // one statement is one protocol line
    }
    auto ok = run_and_print(**client, statement);
    if (!ok.is_ok()) return fail(ok.error().message);
    return *ok ? 0 : 1;
  }
  const bool is_interactive = isatty(STDIN_FILENO) != 0;
  bool had_error = false;
  std::string line;
  while (true) {
    if (is_interactive) {
      std::fputs("tessera> ", stdout);
      std::fflush(stdout);
    }
    if (!std::getline(std::cin, line)) break;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    if (line == "\\q" || line == "quit" || line == "exit") break;
    auto ok = run_and_print(**client, line);
    if (!ok.is_ok()) return fail(ok.error().message);
    had_error |= !*ok;
  }
  if (is_interactive) std::fputs("\n", stdout);
  return had_error && !is_interactive ? 1 : 0;
}

}  // namespace tessera::server
