// Command-line flags of the `tessera` subcommands: `--name value`, `--name=value`
// and boolean `--name`; everything else is positional.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "storage/base/status.h"

namespace tessera::server {

struct CliArgs {
  std::vector<std::string> positional;
  std::map<std::string, std::string> values;  // "--port" -> "9010"
  std::set<std::string> switches;             // "--help"

  std::optional<std::string> get(const std::string& flag) const;
  bool has(const std::string& flag) const { return switches.count(flag) > 0; }
  // kInvalidInput "--port: expected a port number (0-65535), got \"x\"".
  Result<uint16_t> port(const std::string& flag, uint16_t fallback) const;
  Result<uint64_t> number(const std::string& flag, uint64_t fallback) const;
};

// kInvalidInput for an unknown flag or a value flag without a value.
Result<CliArgs> parse_cli_args(const std::vector<std::string>& args,
                               const std::set<std::string>& value_flags,
                               const std::set<std::string>& switch_flags);

}  // namespace tessera::server
