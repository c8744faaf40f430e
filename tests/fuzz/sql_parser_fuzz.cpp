// Fuzz target for the SQL parser (query/parser.h): any text is one statement.
// Invariants: errors carry a message; the parser is a pure function (a second
// parse of the same text gives the same outcome and message).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "query/parser.h"
#include "tests/fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto first = tessera::query::parse_statement(text);
  auto second = tessera::query::parse_statement(text);
  TESSERA_FUZZ_CHECK(first.is_ok() == second.is_ok());
  if (!first.is_ok()) {
    TESSERA_FUZZ_CHECK(!first.error().message.empty());
    TESSERA_FUZZ_CHECK(first.error().code == second.error().code);
    TESSERA_FUZZ_CHECK(first.error().message == second.error().message);
  }
  return 0;
}
