// The names of the files of a data directory (docs/format/manifest.md): one place
// that the database, its recovery and `tessera inspect` share.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace tessera::engine {

inline constexpr std::string_view kManifestFileName = "MANIFEST";
inline constexpr std::string_view kLockFileName = "LOCK";
inline constexpr std::string_view kLogDirName = "wal";
inline constexpr std::string_view kSegmentDirName = "segments";
inline constexpr std::string_view kLogExtension = ".log";
inline constexpr std::string_view kSegmentExtension = ".tsg";

// "0000000042.log": the number zero-padded to 10 digits, then the extension.
std::string numbered_file_name(uint64_t number, std::string_view extension);
// The number of a file named by numbered_file_name with `extension`, or nullopt.
std::optional<uint64_t> file_number(const std::filesystem::path& path, std::string_view extension);

// Writes "tessera: <message>" to stderr: recovery and flush report what they repair.
void log_warning(const std::string& message);

}  // namespace tessera::engine
