// Fuzz target for the client-side query reply parser
// (server/protocol/query_reply_parser.h). Input: the first line is a status
// line, every further line a row split at its own tab count. Invariants: an OK
// status stays within the reply limits; a row that splits, written back with the
// server's escaping, splits to the same cells.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "server/protocol/query_reply_parser.h"
#include "server/protocol/value_format.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

void check_row(std::string_view line) {
  const size_t columns = static_cast<size_t>(std::count(line.begin(), line.end(), '\t')) + 1;
  auto cells = tessera::server::split_row(line, columns);
  // Any other count must be refused.
  TESSERA_FUZZ_CHECK(!tessera::server::split_row(line, columns + 1).is_ok());
  if (!cells.is_ok()) {
    TESSERA_FUZZ_CHECK(!cells.error().message.empty());
    return;
  }
  TESSERA_FUZZ_CHECK(cells->size() == columns);
  std::string rewritten;
  for (size_t i = 0; i < cells->size(); ++i) {
    if (i > 0) rewritten += '\t';
    const std::optional<std::string>& cell = (*cells)[i];
    if (cell) {
      tessera::server::append_escaped(rewritten, *cell);
    } else {
      rewritten += "\\N";
    }
  }
  auto again = tessera::server::split_row(rewritten, columns);
  TESSERA_FUZZ_CHECK(again.is_ok());
  TESSERA_FUZZ_CHECK(*again == *cells);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  size_t end = text.find('\n');
  if (end == std::string_view::npos) end = text.size();
  auto status = tessera::server::parse_reply_status(text.substr(0, end));
  if (status.is_ok() && status->is_ok) {
    TESSERA_FUZZ_CHECK(status->columns <= tessera::server::kMaxReplyColumns);
    TESSERA_FUZZ_CHECK(status->rows <= tessera::server::kMaxReplyRows);
  }
  size_t pos = end + 1;
  while (pos < text.size()) {
    end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    check_row(text.substr(pos, end - pos));
    pos = end + 1;
  }
  return 0;
}
