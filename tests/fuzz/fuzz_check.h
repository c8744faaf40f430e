// What the fuzz targets share: a check that aborts (so both libFuzzer and the
// replay driver report the input) and a scratch file for readers that take a path.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <system_error>

#include <unistd.h>

// Aborts with the failed invariant when `cond` is false. Fuzz targets check
// invariants of the code under test, so a violation is a finding, not a skip.
#define TESSERA_FUZZ_CHECK(cond)                                                             \
  do {                                                                                       \
    if (!(cond)) {                                                                           \
      std::fprintf(stderr, "%s:%d: fuzz invariant failed: %s\n", __FILE__, __LINE__, #cond); \
      std::abort();                                                                          \
    }                                                                                        \
  } while (0)

namespace tessera::fuzz {

// A file under the temp dir holding one input, removed when the object goes
// away. One per process (named by pid) and rewritten for each input, since the
// readers under test open paths.
class ScratchFile {
 public:
  explicit ScratchFile(std::string_view stem)
      : path_(std::filesystem::temp_directory_path() /
              (std::string(stem) + "_" + std::to_string(::getpid()))) {}
  ~ScratchFile() {
    std::error_code ec;
    std::filesystem::remove(path_, ec);
  }
  ScratchFile(const ScratchFile&) = delete;
  ScratchFile& operator=(const ScratchFile&) = delete;

  // Replaces the file's contents with `bytes`; false when the OS fails.
  bool write(const uint8_t* data, size_t size) {
    std::ofstream out(path_, std::ios::binary | std::ios::trunc);
    if (size > 0)
      out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
    out.close();
    return !out.fail();
  }

  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace tessera::fuzz
