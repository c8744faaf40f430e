// The `tessera` subcommands. Each takes the arguments after its name, prints its
// own --help, reports errors on stderr and returns the process exit code.
#pragma once

#include <string>
#include <vector>

namespace tessera::server {

int run_serve_command(const std::vector<std::string>& args);
int run_sql_command(const std::vector<std::string>& args);
int run_load_command(const std::vector<std::string>& args);
int run_gen_command(const std::vector<std::string>& args);
int run_demo_command(const std::vector<std::string>& args);
int run_inspect_command(const std::vector<std::string>& args);
int run_bench_command(const std::vector<std::string>& args);

}  // namespace tessera::server
