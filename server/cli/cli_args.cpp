#include "server/cli/cli_args.h"

#include <charconv>

namespace tessera::server {

std::optional<std::string> CliArgs::get(const std::string& flag) const {
  auto it = values.find(flag);
  if (it == values.end()) return std::nullopt;
  return it->second;
}

Result<uint64_t> CliArgs::number(const std::string& flag, uint64_t fallback) const {
  auto text = get(flag);
  if (!text) return fallback;
  uint64_t value = 0;
  auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (text->empty() || ec != std::errc() || end != text->data() + text->size()) {
    return make_error(ErrorCode::kInvalidInput,
                      flag + ": expected a number, got \"" + *text + "\"");
  }
  return value;
}

Result<uint16_t> CliArgs::port(const std::string& flag, uint16_t fallback) const {
  auto value = number(flag, fallback);
  if (!value.is_ok() || *value > 65535) {
    return make_error(
        ErrorCode::kInvalidInput,
        flag + ": expected a port number (0-65535), got \"" + get(flag).value_or("") + "\"");
  }
  return static_cast<uint16_t>(*value);
}

Result<CliArgs> parse_cli_args(const std::vector<std::string>& args,
                               const std::set<std::string>& value_flags,
                               const std::set<std::string>& switch_flags) {
  CliArgs parsed;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg.size() < 3 || !arg.starts_with("--")) {
      parsed.positional.push_back(arg);
      continue;
    }
    const size_t eq = arg.find('=');
    const std::string name = arg.substr(0, eq);
    if (switch_flags.count(name) && eq == std::string::npos) {
      parsed.switches.insert(name);
      continue;
    }
    if (!value_flags.count(name))
      return make_error(ErrorCode::kInvalidInput, "unknown flag " + name);
    if (eq != std::string::npos) {
      parsed.values[name] = arg.substr(eq + 1);
    } else if (i + 1 < args.size()) {
      parsed.values[name] = args[++i];
    } else {
      return make_error(ErrorCode::kInvalidInput, name + " needs a value");
    }
  }
  return parsed;
}

}  // namespace tessera::server
