// load_files: streams line-protocol files to the ingest port with `#sync` every
// N lines and at the end, and collects the acknowledgements. Shared by
// `tessera load`, `tessera demo` and the tests.
#pragma once

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "storage/base/status.h"

namespace tessera::server {

struct LoadOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 9009;
  std::optional<std::string> token;  // sent as `#auth <token>` first
  uint64_t sync_every_lines = 10'000;
  bool show_progress = false;  // a progress bar on stderr
  FILE* err_out = nullptr;     // where received `err` lines are printed; null: nowhere
  size_t max_err_lines_printed = 20;
};

struct LoadSummary {
  uint64_t files = 0;
  uint64_t lines_sent = 0;
  uint64_t accepted = 0;
  uint64_t rejected = 0;
  double seconds = 0;
};

// Errors: kIoError for an unreadable file, kUnavailable when the connection fails
// or the server closes it (e.g. refused #auth; its err line is printed first),
// kInvalidInput for a reply that is not an ok/err line.
Result<LoadSummary> load_files(const std::vector<std::filesystem::path>& files,
                               const LoadOptions& options);

}  // namespace tessera::server
