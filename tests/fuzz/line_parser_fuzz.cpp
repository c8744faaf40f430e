// Fuzz target for the line-protocol parser (engine/line_protocol/line_parser.h).
// Input: byte 0 picks the precision, the rest is one line. Invariant: whatever
// parses survives format_line -> parse_line(ns) unchanged, floats bit for bit.
#include <bit>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "engine/line_protocol/line_parser.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

using tessera::engine::ParsedField;
using tessera::engine::ParsedLine;
using tessera::engine::Precision;

bool same_field(const ParsedField& a, const ParsedField& b) {
  return a.key == b.key && a.type == b.type && a.int_value == b.int_value &&
         std::bit_cast<uint64_t>(a.float_value) == std::bit_cast<uint64_t>(b.float_value) &&
         a.bool_value == b.bool_value && a.string_value == b.string_value;
}

bool same_line(const ParsedLine& a, const ParsedLine& b) {
  if (a.measurement != b.measurement || a.tags != b.tags || a.timestamp_ns != b.timestamp_ns ||
      a.fields.size() != b.fields.size()) {
    return false;
  }
  for (size_t i = 0; i < a.fields.size(); ++i) {
    if (!same_field(a.fields[i], b.fields[i])) return false;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  constexpr Precision kPrecisions[] = {Precision::kNanoseconds, Precision::kMicroseconds,
                                       Precision::kMilliseconds, Precision::kSeconds};
  const Precision precision = kPrecisions[data[0] % 4];
  const std::string_view line(reinterpret_cast<const char*>(data) + 1, size - 1);

  auto parsed = tessera::engine::parse_line(line, precision);
  if (!parsed.is_ok()) {
    TESSERA_FUZZ_CHECK(!parsed.error().message.empty());
    return 0;
  }
  TESSERA_FUZZ_CHECK(!parsed->fields.empty());
  const std::string formatted = tessera::engine::format_line(*parsed);
  auto reparsed = tessera::engine::parse_line(formatted, Precision::kNanoseconds);
  TESSERA_FUZZ_CHECK(reparsed.is_ok());
  TESSERA_FUZZ_CHECK(same_line(*parsed, *reparsed));
  return 0;
}
