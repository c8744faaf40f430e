// Fuzz target for the WAL reader (storage/wal/wal_reader.h): the input is written
// as a log file and read to its end. Invariants: valid_bytes() never exceeds the
// file; a clean end is at the file's end; and the file cut at valid_bytes() reads
// back the same records with a clean end.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "storage/wal/wal_reader.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

struct LogContents {
  std::vector<std::string> records;
  uint64_t valid_bytes = 0;
  bool is_clean = false;
};

// nullopt when the file cannot be opened as a log (or the OS fails).
std::optional<LogContents> read_log(const tessera::fuzz::ScratchFile& file) {
  auto reader = tessera::storage::WalReader::open(file.path());
  if (!reader.is_ok()) return std::nullopt;
  LogContents contents;
  while (true) {
    auto record = (*reader)->next();
    if (!record.is_ok()) return std::nullopt;
    if (!record->has_value()) break;
    contents.records.push_back(std::move(**record));
  }
  // The end is sticky.
  auto after_end = (*reader)->next();
  TESSERA_FUZZ_CHECK(after_end.is_ok() && !after_end->has_value());
  contents.valid_bytes = (*reader)->valid_bytes();
  contents.is_clean = !(*reader)->tail_problem().has_value();
  return contents;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static tessera::fuzz::ScratchFile file("tessera_wal_fuzz");
  if (!file.write(data, size)) return 0;
  const std::optional<LogContents> whole = read_log(file);
  if (!whole) return 0;
  TESSERA_FUZZ_CHECK(whole->valid_bytes <= size);
  if (whole->is_clean) TESSERA_FUZZ_CHECK(whole->valid_bytes == size);

  if (!file.write(data, static_cast<size_t>(whole->valid_bytes))) return 0;
  const std::optional<LogContents> cut = read_log(file);
  TESSERA_FUZZ_CHECK(cut.has_value());
  TESSERA_FUZZ_CHECK(cut->is_clean);
  TESSERA_FUZZ_CHECK(cut->valid_bytes == whole->valid_bytes);
  TESSERA_FUZZ_CHECK(cut->records == whole->records);
  return 0;
}
