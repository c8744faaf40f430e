// Single-pass parser of one InfluxDB line-protocol line.
//
//   line        = blanks? measurement ("," tag)* " "+ field ("," field)* (" "+ timestamp)? blanks?
//   tag         = key "=" key_text
//   field       = key "=" (float | integer "i" | unsigned "u" | boolean | '"' string '"')
//   timestamp   = "-"? digit+                    (scaled by the precision to nanoseconds)
//
// Escapes and the full list of rejections: docs/protocol/ingest.md ("Line syntax",
// "Rejected lines"). Each element is found by scanning for its unescaped
// terminator; names without a backslash are copied in one piece. This file cuts
// the line into its sections; the values inside (field values, the timestamp)
// are parsed by field_value_parser.cpp.
#include "engine/line_protocol/line_parser.h"

#include <immintrin.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cstring>
#include <numeric>
#include <vector>

#include "engine/line_protocol/field_value_parser.h"
#include "engine/line_protocol/line_format.h"
#include "engine/line_protocol/parse_error.h"
#include "engine/line_protocol/utf8.h"

namespace tessera::engine {
namespace {

using detail::quote;
using storage::ColumnType;

// Up to this many keys, duplicates are found through a small hash table; beyond it,
// by sorting (so a line with 100k fields stays O(n log n)).
constexpr size_t kSmallKeyCount = 32;

using ByteSet = std::array<bool, 256>;

constexpr ByteSet make_byte_set(std::string_view bytes) {
  ByteSet set{};
  for (char c : bytes) set[static_cast<unsigned char>(c)] = true;
  return set;
}

// The first position in [pos, end) holding one of `Stops`, or `end`. 32 bytes a step
// (AVX2 byte compares and movemask; xsimd 8 has no movemask) while 32 remain, then
// byte by byte: most names and values are short, but a step costs about as much as
// one byte's loop.
template <char... Stops>
size_t find_first_of(const char* s, size_t pos, size_t end) {
  for (; pos + 32 <= end; pos += 32) {
    const __m256i bytes = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(s + pos));
    __m256i hits = _mm256_setzero_si256();
    ((hits = _mm256_or_si256(hits, _mm256_cmpeq_epi8(bytes, _mm256_set1_epi8(Stops)))), ...);
    const auto mask = static_cast<uint32_t>(_mm256_movemask_epi8(hits));
    if (mask != 0) return pos + static_cast<size_t>(std::countr_zero(mask));
  }
  for (; pos < end; ++pos) {
    if (((s[pos] == Stops) || ...)) return pos;
  }
  return end;
}

// Scanning an element stops at these bytes (a backslash is examined, then skipped).
struct MeasurementStops {
  static size_t find(const char* s, size_t pos, size_t end) {
    return find_first_of<',', ' ', '\\'>(s, pos, end);
  }
};
struct KeyStops {
  static size_t find(const char* s, size_t pos, size_t end) {
    return find_first_of<',', '=', ' ', '\\'>(s, pos, end);
  }
};

constexpr ByteSet kMeasurementEscapable = make_byte_set(line_format::kMeasurementEscapable);
constexpr ByteSet kKeyEscapable = make_byte_set(line_format::kKeyEscapable);
constexpr ByteSet kTrimmedBlanks = make_byte_set(line_format::kTrimmedBlanks);

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// A half-open byte range [begin, end) of the line.
struct Span {
  size_t begin = 0;
  size_t end = 0;
  bool has_backslash = false;

  bool empty() const { return begin == end; }
};

// Byte offsets of the keys (tags first, then fields), for error columns. Inline
// storage covers ordinary lines without a heap allocation.
class KeyOffsets {
 public:
  void push(size_t offset) {
    if (size_ < inline_.size()) {
      inline_[size_] = offset;
    } else {
      overflow_.push_back(offset);
    }
    ++size_;
  }
  size_t operator[](size_t i) const {
    return i < inline_.size() ? inline_[i] : overflow_[i - inline_.size()];
  }

 private:
  std::array<size_t, 32> inline_{};
  std::vector<size_t> overflow_;
  size_t size_ = 0;
};

class LineParser {
 public:
  LineParser(std::string_view line, Precision precision)
      : s_(line.data()), line_(line), precision_(precision) {}

  Status parse(ParsedLine& out);

 private:
  static Error syntax(size_t pos, std::string_view what) {
    return detail::error_at(ErrorCode::kSyntax, pos, what);
  }
  static Error invalid(size_t pos, std::string_view what) {
    return detail::error_at(ErrorCode::kInvalidInput, pos, what);
  }

  std::string_view text(Span span) const { return line_.substr(span.begin, span.end - span.begin); }

  // Scans from `pos` to the first unescaped byte of `Stops` (other than '\\') or
  // the end of the line. A backslash escapes the next byte only if it is in
  // `escapable`, so an element never ends inside an escape pair.
  template <typename Stops>
  Span scan(size_t pos, const ByteSet& escapable) const {
    Span span{pos, pos, false};
    size_t i = Stops::find(s_, pos, end_);
    while (i < end_ && s_[i] == '\\') {
      span.has_backslash = true;
      const bool is_pair = i + 1 < end_ && escapable[static_cast<unsigned char>(s_[i + 1])];
      i = Stops::find(s_, i + (is_pair ? 2 : 1), end_);
    }
    span.end = i;
    return span;
  }

  void unescape(Span span, const ByteSet& escapable, std::string& out) const {
    if (!span.has_backslash) {
      out.assign(s_ + span.begin, span.end - span.begin);
      return;
    }
    out.clear();
    out.reserve(span.end - span.begin);
    for (size_t i = span.begin; i < span.end; ++i) {
      if (s_[i] == '\\' && i + 1 < span.end && escapable[static_cast<unsigned char>(s_[i + 1])]) {
        ++i;
      }
      out += s_[i];
    }
  }

  // Returns an error naming `what` if `span` holds invalid UTF-8.
  Status check_utf8(Span span, std::string_view what) const {
    if (is_ascii_) return Status::ok();
    const size_t valid = utf8_valid_prefix(text(span));
    if (valid == span.end - span.begin) return Status::ok();
    std::string message(what);
    message += ": invalid UTF-8";
    return invalid(span.begin + valid, message);
  }

  size_t skip_spaces(size_t pos) const {
    while (pos < end_ && s_[pos] == ' ') ++pos;
    return pos;
  }

  Status parse_tags(ParsedLine& out, size_t& pos);
  Status parse_fields(ParsedLine& out, size_t& pos);
  Status check_duplicate_keys(const ParsedLine& out) const;

  // The next tag or field of `out`, reusing an element (and its strings' capacity)
  // left from an earlier line when there is one.
  std::pair<std::string, std::string>& next_tag(ParsedLine& out) {
    if (tag_count_ == out.tags.size()) out.tags.emplace_back();
    return out.tags[tag_count_++];
  }
  ParsedField& next_field(ParsedLine& out) {
    if (field_count_ == out.fields.size()) {
      ++field_count_;
      return out.fields.emplace_back();
    }
    ParsedField& field = out.fields[field_count_++];
    field.type = ColumnType::kFloat64;
    field.int_value = 0;
    field.float_value = 0;
    field.bool_value = false;
    field.string_value.clear();
    return field;
  }

  const char* s_;
  std::string_view line_;
  Precision precision_;
  size_t tag_count_ = 0;  // elements of out.tags / out.fields this line has filled
  size_t field_count_ = 0;
  size_t begin_ = 0;  // the line without blanks at either end is [begin_, end_)
  size_t end_ = 0;
  bool is_ascii_ = true;
  KeyOffsets key_offsets_;
};

Status LineParser::parse(ParsedLine& out) {
  out.timestamp_ns.reset();
  end_ = line_.size();
  while (end_ > 0 && kTrimmedBlanks[static_cast<unsigned char>(s_[end_ - 1])]) --end_;
  while (begin_ < end_ && kTrimmedBlanks[static_cast<unsigned char>(s_[begin_])]) ++begin_;
  if (begin_ == end_) return syntax(begin_, "empty line");
  if (const void* newline = std::memchr(s_ + begin_, '\n', end_ - begin_)) {
    return syntax(static_cast<size_t>(static_cast<const char*>(newline) - s_),
                  "newline inside a line");
  }
  is_ascii_ = is_ascii(line_.substr(begin_, end_ - begin_));

  if (s_[begin_] == '#') {
    return syntax(begin_, "measurement starts with '#' (a comment or control line)");
  }
  const Span measurement = scan<MeasurementStops>(begin_, kMeasurementEscapable);
  if (measurement.empty()) return syntax(begin_, "missing measurement");
  TESSERA_RETURN_IF_ERROR(check_utf8(measurement, "measurement"));
  unescape(measurement, kMeasurementEscapable, out.measurement);

  size_t pos = measurement.end;
  Status tags = parse_tags(out, pos);
  out.tags.resize(tag_count_);
  TESSERA_RETURN_IF_ERROR(tags);
  if (pos >= end_) return syntax(pos, "missing fields (a line needs at least one)");
  // Tags end only at a space here: ',' starts the next tag and '=' is an error.
  pos = skip_spaces(pos);
  Status fields = parse_fields(out, pos);
  out.fields.resize(field_count_, ParsedField{});
  TESSERA_RETURN_IF_ERROR(fields);

  if (pos < end_) {  // a space: the timestamp follows (blanks at the end are trimmed)
    pos = skip_spaces(pos);
    Span token{pos, pos, false};
    while (token.end < end_ && s_[token.end] != ' ') ++token.end;
    TESSERA_RETURN_IF_ERROR(
        detail::parse_timestamp(text(token), token.begin, is_ascii_, precision_, out.timestamp_ns));
    if (token.end < end_) {
      return syntax(skip_spaces(token.end), "unexpected text after the timestamp");
    }
  }
  return check_duplicate_keys(out);
}

Status LineParser::parse_tags(ParsedLine& out, size_t& pos) {
  while (pos < end_ && s_[pos] == ',') {
    const Span key = scan<KeyStops>(pos + 1, kKeyEscapable);
    if (key.empty()) return syntax(key.begin, "empty tag key");
    TESSERA_RETURN_IF_ERROR(check_utf8(key, "tag key"));
    auto& tag = next_tag(out);
    const std::string& name = tag.first;
    unescape(key, kKeyEscapable, tag.first);
    if (key.end >= end_ || s_[key.end] != '=') {
      return syntax(key.end, "tag " + quote(name) + ": missing '=' after the key");
    }
    if (name == line_format::kReservedKey) {
      return invalid(key.begin, "tag key \"time\" is reserved for the timestamp");
    }
    const Span value = scan<KeyStops>(key.end + 1, kKeyEscapable);
    if (value.end < end_ && s_[value.end] == '=') {
      return syntax(value.end, "tag " + quote(name) + ": unescaped '=' in the value");
    }
    if (value.empty()) return syntax(value.begin, "tag " + quote(name) + ": empty value");
    // The message is built only for a line with non-ASCII bytes: quote() is not free.
    if (!is_ascii_) TESSERA_RETURN_IF_ERROR(check_utf8(value, "tag " + quote(name) + " value"));
    unescape(value, kKeyEscapable, tag.second);
    key_offsets_.push(key.begin);
    pos = value.end;
  }
  return Status::ok();
}

Status LineParser::parse_fields(ParsedLine& out, size_t& pos) {
  if (out.fields.capacity() < 8) out.fields.reserve(8);
  // The previous field's float text, to explain a decimal comma ("12,5").
  Span previous_number;
  for (;;) {
    const Span key = scan<KeyStops>(pos, kKeyEscapable);
    if (key.empty()) return syntax(pos, "empty field key");
    TESSERA_RETURN_IF_ERROR(check_utf8(key, "field key"));
    ParsedField& field = next_field(out);
    const std::string& name = field.key;
    unescape(key, kKeyEscapable, field.key);
    if (key.end >= end_ || s_[key.end] != '=') {
      const std::string_view key_text = text(key);
      if (!previous_number.empty() && std::all_of(key_text.begin(), key_text.end(), is_digit)) {
        const Span joined{previous_number.begin, key.end, false};
        return syntax(previous_number.begin, "field " + quote(out.fields[field_count_ - 2].key) +
                                                 ": invalid number " + quote(text(joined)));
      }
      return syntax(key.end, "field " + quote(name) + ": missing '=' after the key");
    }
    if (name == line_format::kReservedKey) {
      return invalid(key.begin, "field key \"time\" is reserved for the timestamp");
    }
    key_offsets_.push(key.begin);
    pos = key.end + 1;
    if (pos >= end_ || s_[pos] == ',' || s_[pos] == ' ') {
      return syntax(pos, "field " + quote(name) + ": missing value");
    }
    if (s_[pos] == '"') {
      TESSERA_RETURN_IF_ERROR(
          detail::parse_string_value(line_.substr(0, end_), pos, is_ascii_, field.key, field));
      previous_number = Span{};
    } else {
      Span token{pos, pos, false};
      token.end = find_first_of<',', ' '>(s_, token.end, end_);
      TESSERA_RETURN_IF_ERROR(
          detail::parse_scalar_value(text(token), token.begin, is_ascii_, field.key, field));
      previous_number = field.type == ColumnType::kFloat64 ? token : Span{};
      pos = token.end;
    }
    if (pos >= end_ || s_[pos] == ' ') return Status::ok();
    ++pos;  // ','
  }
}

// Reports the first key (in line order) that repeats an earlier one: a tag key
// twice, a field key twice, or a field key that is also a tag key.
Status LineParser::check_duplicate_keys(const ParsedLine& out) const {
  const size_t tag_count = out.tags.size();
  const size_t count = tag_count + out.fields.size();
  auto key = [&](size_t i) -> const std::string& {
    return i < tag_count ? out.tags[i].first : out.fields[i - tag_count].key;
  };
  size_t first = count;
  size_t repeat = count;
  if (count <= kSmallKeyCount) {
    // A 64-slot table of the keys seen so far, by a hash of their length and first
    // and last bytes; keys are compared only within a slot chain. Comparing every pair
    // was 15% of parsing an ad_snapshot line (12 keys, 66 pairs).
    constexpr uint8_t kEmpty = 0xff;
    std::array<uint8_t, 64> table;
    table.fill(kEmpty);
    for (size_t j = 0; j < count && repeat == count; ++j) {
      const std::string& k = key(j);
      const uint32_t print = k.empty() ? 0
                                       : static_cast<uint32_t>(k.size()) * 0x9e3779b1u ^
                                             static_cast<unsigned char>(k.front()) * 0x85ebca6bu ^
                                             static_cast<unsigned char>(k.back()) * 0xc2b2ae35u;
      size_t at = print >> 26;
      for (; table[at] != kEmpty; at = (at + 1) % table.size()) {
        if (key(table[at]) == k) {
          first = table[at];
          repeat = j;
          break;
        }
      }
      table[at] = static_cast<uint8_t>(j);
    }
  } else {
    std::vector<size_t> order(count);
    std::iota(order.begin(), order.end(), size_t{0});
    // Stable: equal keys stay in line order, so each group starts with its first use.
    std::stable_sort(order.begin(), order.end(),
                     [&](size_t a, size_t b) { return key(a) < key(b); });
    for (size_t k = 1; k < count; ++k) {
      if (key(order[k]) == key(order[k - 1]) && (k < 2 || key(order[k - 2]) != key(order[k]))) {
        if (order[k] < repeat) {
          first = order[k - 1];
          repeat = order[k];
        }
      }
    }
  }
  if (repeat == count) return Status::ok();
  const std::string name = quote(key(repeat));
  if (repeat < tag_count) return invalid(key_offsets_[repeat], "duplicate tag key " + name);
  if (first < tag_count) {
    return invalid(key_offsets_[repeat], "field key " + name + " is also a tag key");
  }
  return invalid(key_offsets_[repeat], "duplicate field key " + name);
}

}  // namespace

Status parse_line(std::string_view line, Precision precision, ParsedLine& out) {
  LineParser parser(line, precision);
  return parser.parse(out);
}

Result<ParsedLine> parse_line(std::string_view line, Precision precision) {
  ParsedLine out;
  TESSERA_RETURN_IF_ERROR(parse_line(line, precision, out));
  return out;
}

}  // namespace tessera::engine
