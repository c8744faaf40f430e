// Fuzz target for the tokens-file parser (server/auth/token_table.h).
// Invariants for text that parses: each non-comment line's token resolves to a
// principal obeying the role rules, there are no other entries, and the empty
// token never resolves.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "server/auth/token_table.h"
#include "tests/fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using tessera::server::TokenTable;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto table = TokenTable::parse(text);
  if (!table.is_ok()) {
    TESSERA_FUZZ_CHECK(!table.error().message.empty());
    return 0;
  }
  TESSERA_FUZZ_CHECK(!table->find("").has_value());

  // The first field of each non-comment line is a token of the table, with a
  // principal that obeys the role rules, and there are no other entries.
  size_t entries = 0;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    const size_t first = line.find_first_not_of(" \t");
    if (first != std::string_view::npos && line[first] != '#') {
      const size_t last = line.find_first_of(" \t", first);
      const std::string_view token =
          line.substr(first, last == std::string_view::npos ? last : last - first);
      const auto principal = table->find(token);
      TESSERA_FUZZ_CHECK(principal.has_value());
      if (principal->role == tessera::query::Role::kReader) {
        TESSERA_FUZZ_CHECK(principal->tenant.has_value());
      }
      if (principal->role == tessera::query::Role::kAdmin ||
          principal->role == tessera::query::Role::kService) {
        TESSERA_FUZZ_CHECK(!principal->tenant.has_value());
      }
      ++entries;
    }
    start = end + 1;
  }
  TESSERA_FUZZ_CHECK(entries == table->size());
  return 0;
}
