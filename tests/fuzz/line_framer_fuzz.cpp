// Fuzz target for the ingest/query line framer (server/protocol/line_framer.h).
// Input: byte 0 picks max_line_bytes (1..64), byte 1 seeds how the rest, the
// stream, is cut into feed() calls. Invariant: the lines framed from the chunks
// equal those of a whole-stream reference split (at '\n', one trailing '\r'
// dropped, lines over the limit reported as oversize, a final unterminated line
// kept), and the framer holds no line between feeds beyond the limit.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "server/protocol/line_framer.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

struct Line {
  std::string text;
  uint64_t line_number = 0;
  bool is_oversize = false;

  bool operator==(const Line&) const = default;
};

std::vector<Line> reference_split(std::string_view stream, size_t max_line_bytes) {
  std::vector<Line> lines;
  size_t pos = 0;
  while (pos < stream.size()) {
    size_t end = stream.find('\n', pos);
    const bool is_terminated = end != std::string_view::npos;
    if (!is_terminated) end = stream.size();
    std::string_view text = stream.substr(pos, end - pos);
    if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
    const bool is_oversize = text.size() > max_line_bytes;
    lines.push_back(
        {is_oversize ? std::string() : std::string(text), lines.size() + 1, is_oversize});
    pos = end + 1;
  }
  return lines;
}

void collect(const std::vector<tessera::server::FramedLine>& framed, std::vector<Line>* out) {
  for (const auto& line : framed) {
    out->push_back({std::string(line.text), line.line_number, line.is_oversize});
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  const size_t max_line_bytes = 1 + data[0] % 64;
  uint32_t state = data[1] | 0x100u;  // LCG choosing chunk sizes; never 0
  const std::string_view stream(reinterpret_cast<const char*>(data) + 2, size - 2);

  tessera::server::LineFramer framer(max_line_bytes);
  std::vector<Line> lines;
  std::vector<tessera::server::FramedLine> framed;
  size_t pos = 0;
  while (pos < stream.size()) {
    state = state * 1664525u + 1013904223u;
    const size_t chunk = 1 + (state >> 16) % (2 * max_line_bytes + 8);
    // A copy that dies after feed(), so ASan catches views kept past their life.
    const std::string bytes(stream.substr(pos, chunk));
    pos += bytes.size();
    framed.clear();
    framer.feed(bytes, framed);
    collect(framed, &lines);
  }
  framed.clear();
  framer.finish(framed);
  collect(framed, &lines);

  TESSERA_FUZZ_CHECK(lines == reference_split(stream, max_line_bytes));
  TESSERA_FUZZ_CHECK(framer.lines_seen() == lines.size());
  return 0;
}
