#include "engine/data_dir_layout.h"

#include <algorithm>
#include <cstdio>

namespace tessera::engine {

std::string numbered_file_name(uint64_t number, std::string_view extension) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%010llu", static_cast<unsigned long long>(number));
  return std::string(buf) + std::string(extension);
}

std::optional<uint64_t> file_number(const std::filesystem::path& path, std::string_view extension) {
  if (path.extension() != extension) return std::nullopt;
  std::string stem = path.stem().string();
  // 19 digits always fit in uint64_t, so stoull cannot throw.
  if (stem.empty() || stem.size() > 19 ||
      !std::all_of(stem.begin(), stem.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return std::nullopt;
  }
  return std::stoull(stem);
}

void log_warning(const std::string& message) {
  std::fprintf(stderr, "tessera: %s\n", message.c_str());
}

}  // namespace tessera::engine
