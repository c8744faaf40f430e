// Fuzz target for the ingest control-line parser (server/protocol/control_line.h).
// Invariants: lines not starting with '#' are data; the argument is a view into
// the line (but the "-" of a bare #sync); an #auth token is non-empty and a
// #sync id at most kMaxSyncIdBytes, neither containing a space or tab.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "server/protocol/control_line.h"
#include "tests/fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using tessera::server::ControlKind;
  const std::string_view line(reinterpret_cast<const char*>(data), size);
  auto parsed = tessera::server::parse_control_line(line);
  if (!parsed.is_ok()) {
    TESSERA_FUZZ_CHECK(line.starts_with('#'));
    TESSERA_FUZZ_CHECK(!parsed.error().message.empty());
    return 0;
  }
  if (!line.starts_with('#')) TESSERA_FUZZ_CHECK(parsed->kind == ControlKind::kData);
  const std::string_view argument = parsed->argument;
  const bool is_in_line = argument.data() >= line.data() &&
                          argument.data() + argument.size() <= line.data() + line.size();
  // The one argument not in the line: "-" for a #sync without an id.
  if (!argument.empty() && !is_in_line) {
    TESSERA_FUZZ_CHECK(parsed->kind == ControlKind::kSync && argument == "-");
  }
  if (parsed->kind == ControlKind::kAuth) {
    TESSERA_FUZZ_CHECK(!argument.empty());
    TESSERA_FUZZ_CHECK(argument.find_first_of(" \t") == std::string_view::npos);
  }
  if (parsed->kind == ControlKind::kSync) {
    TESSERA_FUZZ_CHECK(!argument.empty() && argument.size() <= tessera::server::kMaxSyncIdBytes);
    TESSERA_FUZZ_CHECK(argument.find_first_of(" \t") == std::string_view::npos);
  }
  return 0;
}
