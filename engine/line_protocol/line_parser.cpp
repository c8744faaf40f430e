// Single-pass parser of one InfluxDB line-protocol line.
//
//   line        = blanks? measurement ("," tag)* " "+ field ("," field)* (" "+ timestamp)? blanks?
//   tag         = key "=" key_text
//   field       = key "=" (float | integer "i" | unsigned "u" | boolean | '"' string '"')
//   timestamp   = "-"? digit+                    (scaled by the precision to nanoseconds)
//
// Escapes and the full list of rejections: docs/protocol/ingest.md ("Line syntax",
// "Rejected lines"). Each element is found by scanning for its unescaped
// terminator; names without a backslash are copied in one piece.
#include "engine/line_protocol/line_parser.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdint>
#include <cstring>
#include <limits>
#include <numeric>
#include <system_error>
#include <vector>

#include "engine/line_protocol/line_format.h"
#include "engine/line_protocol/utf8.h"

namespace tessera::engine {
namespace {

using storage::ColumnType;

// User text quoted in an error message is cut after this many bytes.
constexpr size_t kMaxQuotedBytes = 64;
// Up to this many keys, duplicates are found by comparing every pair;
// beyond it, by sorting (so a line with 100k fields stays O(n log n)).
constexpr size_t kPairwiseDuplicateCheckLimit = 16;

using ByteSet = std::array<bool, 256>;

constexpr ByteSet make_byte_set(std::string_view bytes) {
  ByteSet set{};
  for (char c : bytes) set[static_cast<unsigned char>(c)] = true;
  return set;
}

// Scanning an element stops at these bytes (a backslash is examined, then skipped).
constexpr ByteSet kMeasurementStops = make_byte_set(", \\");
constexpr ByteSet kKeyStops = make_byte_set(",= \\");
constexpr ByteSet kValueStops = make_byte_set(", ");
constexpr ByteSet kStringStops = make_byte_set("\"\\");

constexpr ByteSet kMeasurementEscapable = make_byte_set(line_format::kMeasurementEscapable);
constexpr ByteSet kKeyEscapable = make_byte_set(line_format::kKeyEscapable);
constexpr ByteSet kStringEscapable = make_byte_set(line_format::kStringEscapable);
constexpr ByteSet kTrimmedBlanks = make_byte_set(line_format::kTrimmedBlanks);

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Renders user text for an error message: quoted, with quotes, backslashes,
// control bytes and invalid UTF-8 escaped (the message itself stays valid
// UTF-8), cut after kMaxQuotedBytes.
std::string quote(std::string_view text) {
  std::string out = "\"";
  const size_t limit = std::min(text.size(), kMaxQuotedBytes);
  size_t i = 0;
  while (i < limit) {
    const auto byte = static_cast<unsigned char>(text[i]);
    if (byte >= 0x80) {
      // Keep a whole valid character; its length follows from the lead byte.
      const size_t length = byte >= 0xF0 ? 4 : byte >= 0xE0 ? 3 : 2;
      if (utf8_valid_prefix(text.substr(i, 4)) >= length) {
        out.append(text.substr(i, length));
        i += length;
        continue;
      }
    }
    if (byte == '"' || byte == '\\') {
      out += '\\';
      out += static_cast<char>(byte);
    } else if (byte < 0x20 || byte >= 0x7F) {
      static constexpr char kHex[] = "0123456789abcdef";
      out += "\\x";
      out += kHex[byte >> 4];
      out += kHex[byte & 0xF];
    } else {
      out += static_cast<char>(byte);
    }
    ++i;
  }
  if (text.size() > limit) out += "...";
  out += '"';
  return out;
}

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
  Error syntax(size_t pos, std::string_view what) const {
    return make_error(ErrorCode::kSyntax, at(pos, what));
  }
  Error invalid(size_t pos, std::string_view what) const {
    return make_error(ErrorCode::kInvalidInput, at(pos, what));
  }
  static std::string at(size_t pos, std::string_view what) {
    std::string message = "col ";
    message += std::to_string(pos + 1);
    message += ": ";
    message += what;
    return message;
  }

  std::string_view text(Span span) const { return line_.substr(span.begin, span.end - span.begin); }

  // Scans from `pos` to the first unescaped byte of `stops` (other than '\\') or
  // the end of the line. A backslash escapes the next byte only if it is in
  // `escapable`, so an element never ends inside an escape pair.
  Span scan(size_t pos, const ByteSet& stops, const ByteSet& escapable) const {
    Span span{pos, pos, false};
    size_t i = pos;
    while (i < end_) {
      const auto c = static_cast<unsigned char>(s_[i]);
      if (!stops[c]) {
        ++i;
        continue;
      }
      if (c != '\\') break;
      span.has_backslash = true;
      const bool is_pair = i + 1 < end_ && escapable[static_cast<unsigned char>(s_[i + 1])];
      i += is_pair ? 2 : 1;
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
  Status parse_string(ParsedField& field, size_t& pos, const std::string& name);
  Status parse_scalar(ParsedField& field, Span token, const std::string& name);
  Status parse_timestamp(ParsedLine& out, Span token);
  Status check_duplicate_keys(const ParsedLine& out) const;
  Error number_error(ErrorCode code, Span token, const std::string& name,
                     std::string_view what) const;

  const char* s_;
  std::string_view line_;
  Precision precision_;
  size_t begin_ = 0;  // the line without blanks at either end is [begin_, end_)
  size_t end_ = 0;
  bool is_ascii_ = true;
  KeyOffsets key_offsets_;
};

Status LineParser::parse(ParsedLine& out) {
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
  const Span measurement = scan(begin_, kMeasurementStops, kMeasurementEscapable);
  if (measurement.empty()) return syntax(begin_, "missing measurement");
  TESSERA_RETURN_IF_ERROR(check_utf8(measurement, "measurement"));
  unescape(measurement, kMeasurementEscapable, out.measurement);

  size_t pos = measurement.end;
  TESSERA_RETURN_IF_ERROR(parse_tags(out, pos));
  if (pos >= end_) return syntax(pos, "missing fields (a line needs at least one)");
  // Tags end only at a space here: ',' starts the next tag and '=' is an error.
  pos = skip_spaces(pos);
  TESSERA_RETURN_IF_ERROR(parse_fields(out, pos));

  if (pos < end_) {  // a space: the timestamp follows (blanks at the end are trimmed)
    pos = skip_spaces(pos);
    Span token{pos, pos, false};
    while (token.end < end_ && s_[token.end] != ' ') ++token.end;
    TESSERA_RETURN_IF_ERROR(parse_timestamp(out, token));
    if (token.end < end_) {
      return syntax(skip_spaces(token.end), "unexpected text after the timestamp");
    }
  }
  return check_duplicate_keys(out);
}

Status LineParser::parse_tags(ParsedLine& out, size_t& pos) {
  while (pos < end_ && s_[pos] == ',') {
    const Span key = scan(pos + 1, kKeyStops, kKeyEscapable);
    if (key.empty()) return syntax(key.begin, "empty tag key");
    TESSERA_RETURN_IF_ERROR(check_utf8(key, "tag key"));
    std::string name;
    unescape(key, kKeyEscapable, name);
    if (key.end >= end_ || s_[key.end] != '=') {
      return syntax(key.end, "tag " + quote(name) + ": missing '=' after the key");
    }
    if (name == line_format::kReservedKey) {
      return invalid(key.begin, "tag key \"time\" is reserved for the timestamp");
    }
    const Span value = scan(key.end + 1, kKeyStops, kKeyEscapable);
    if (value.end < end_ && s_[value.end] == '=') {
      return syntax(value.end, "tag " + quote(name) + ": unescaped '=' in the value");
    }
    if (value.empty()) return syntax(value.begin, "tag " + quote(name) + ": empty value");
    TESSERA_RETURN_IF_ERROR(check_utf8(value, "tag " + quote(name) + " value"));
    if (out.tags.empty()) out.tags.reserve(8);
    auto& tag = out.tags.emplace_back(std::move(name), std::string());
    unescape(value, kKeyEscapable, tag.second);
    key_offsets_.push(key.begin);
    pos = value.end;
  }
  return Status::ok();
}

Status LineParser::parse_fields(ParsedLine& out, size_t& pos) {
  out.fields.reserve(8);
  // The previous field's float text, to explain a decimal comma ("12,5").
  Span previous_number;
  for (;;) {
    const Span key = scan(pos, kKeyStops, kKeyEscapable);
    if (key.empty()) return syntax(pos, "empty field key");
    TESSERA_RETURN_IF_ERROR(check_utf8(key, "field key"));
    std::string name;
    unescape(key, kKeyEscapable, name);
    if (key.end >= end_ || s_[key.end] != '=') {
      const std::string_view key_text = text(key);
      if (!previous_number.empty() && std::all_of(key_text.begin(), key_text.end(), is_digit)) {
        const Span joined{previous_number.begin, key.end, false};
        return syntax(previous_number.begin, "field " + quote(out.fields.back().key) +
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
    ParsedField& field = out.fields.emplace_back();
    field.key = std::move(name);
    if (s_[pos] == '"') {
      TESSERA_RETURN_IF_ERROR(parse_string(field, pos, field.key));
      previous_number = Span{};
    } else {
      Span token{pos, pos, false};
      while (token.end < end_ && !kValueStops[static_cast<unsigned char>(s_[token.end])]) {
        ++token.end;
      }
      TESSERA_RETURN_IF_ERROR(parse_scalar(field, token, field.key));
      previous_number = field.type == ColumnType::kFloat64 ? token : Span{};
      pos = token.end;
    }
    if (pos >= end_ || s_[pos] == ' ') return Status::ok();
    ++pos;  // ','
  }
}

// `pos` is at the opening quote; on success it is just past the closing one.
Status LineParser::parse_string(ParsedField& field, size_t& pos, const std::string& name) {
  const size_t quote_pos = pos;
  const Span content = scan(pos + 1, kStringStops, kStringEscapable);
  if (content.end >= end_) {
    return syntax(quote_pos, "field " + quote(name) + ": unterminated string");
  }
  TESSERA_RETURN_IF_ERROR(check_utf8(content, "field " + quote(name)));
  field.type = ColumnType::kString;
  unescape(content, kStringEscapable, field.string_value);
  pos = content.end + 1;
  if (pos < end_ && s_[pos] != ',' && s_[pos] != ' ') {
    return syntax(pos, "field " + quote(name) + ": unexpected text after the closing quote");
  }
  return Status::ok();
}

Error LineParser::number_error(ErrorCode code, Span token, const std::string& name,
                               std::string_view what) const {
  // A value holding invalid UTF-8 is reported as such, whatever else is wrong.
  if (!is_ascii_) {
    const size_t valid = utf8_valid_prefix(text(token));
    if (valid < token.end - token.begin) {
      return invalid(token.begin + valid, "field " + quote(name) + ": invalid UTF-8");
    }
  }
  std::string message = "field " + quote(name) + ": ";
  message += what;
  message += ' ';
  message += quote(text(token));
  return make_error(code, at(token.begin, message));
}

// Parses "-"? digit+ into an int64. Returns false on bad syntax; sets
// `overflow` (and leaves `value` alone) when the digits are fine but the value
// is outside int64.
bool parse_decimal(std::string_view text, int64_t& value, bool& overflow) {
  overflow = false;
  bool negative = false;
  size_t i = 0;
  if (!text.empty() && text[0] == '-') {
    negative = true;
    i = 1;
  }
  if (i == text.size()) return false;
  const uint64_t limit =
      static_cast<uint64_t>(std::numeric_limits<int64_t>::max()) + (negative ? 1 : 0);
  uint64_t magnitude = 0;
  for (; i < text.size(); ++i) {
    if (!is_digit(text[i])) return false;
    const auto digit = static_cast<uint64_t>(text[i] - '0');
    if (magnitude > (limit - digit) / 10) {
      overflow = true;
    } else {
      magnitude = magnitude * 10 + digit;
    }
  }
  if (overflow) return true;
  if (!negative) {
    value = static_cast<int64_t>(magnitude);
  } else if (magnitude == limit) {
    value = std::numeric_limits<int64_t>::min();
  } else {
    value = -static_cast<int64_t>(magnitude);
  }
  return true;
}

// InfluxDB's float syntax: "-"? (digits ("." digits?)? | "." digits) exponent?,
// which excludes "nan", "inf", hex and a leading "+".
bool is_float_syntax(std::string_view text) {
  size_t i = 0;
  const size_t n = text.size();
  if (i < n && text[i] == '-') ++i;
  size_t digits = 0;
  for (; i < n && is_digit(text[i]); ++i) ++digits;
  if (i < n && text[i] == '.') {
    for (++i; i < n && is_digit(text[i]); ++i) ++digits;
  }
  if (digits == 0) return false;
  if (i < n && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    if (i < n && (text[i] == '+' || text[i] == '-')) ++i;
    const size_t exponent_begin = i;
    while (i < n && is_digit(text[i])) ++i;
    if (i == exponent_begin) return false;
  }
  return i == n;
}

bool parse_bool(std::string_view text, bool& value) {
  if (text == "t" || text == "T" || text == "true" || text == "True" || text == "TRUE") {
    value = true;
    return true;
  }
  if (text == "f" || text == "F" || text == "false" || text == "False" || text == "FALSE") {
    value = false;
    return true;
  }
  return false;
}

Status LineParser::parse_scalar(ParsedField& field, Span token, const std::string& name) {
  const std::string_view value = text(token);
  const char first = value.front();  // the caller guarantees a non-empty token
  const char last = value.back();
  if (first == 't' || first == 'T' || first == 'f' || first == 'F') {
    if (!parse_bool(value, field.bool_value)) {
      return number_error(ErrorCode::kSyntax, token, name, "invalid value");
    }
    field.type = ColumnType::kBool;
    return Status::ok();
  }
  if (last == 'i' || last == 'u') {
    const bool is_unsigned = last == 'u';
    bool overflow = false;
    if (!parse_decimal(value.substr(0, value.size() - 1), field.int_value, overflow)) {
      return number_error(ErrorCode::kSyntax, token, name,
                          is_unsigned ? "invalid unsigned integer" : "invalid integer");
    }
    if (is_unsigned && (overflow || first == '-')) {
      return number_error(ErrorCode::kInvalidInput, token, name,
                          "unsigned integer out of range [0, 9223372036854775807]");
    }
    if (overflow)
      return number_error(ErrorCode::kInvalidInput, token, name, "integer out of range");
    field.type = ColumnType::kInt64;
    return Status::ok();
  }
  if (!is_float_syntax(value)) {
    const bool looks_numeric = is_digit(first) || first == '-' || first == '.' || first == '+';
    return number_error(ErrorCode::kSyntax, token, name,
                        looks_numeric ? "invalid number" : "invalid value");
  }
  double parsed = 0;
  const auto result = std::from_chars(value.data(), value.data() + value.size(), parsed);
  if (result.ec == std::errc::result_out_of_range) {
    // Both overflow (1e400) and underflow to zero (1e-400) land here.
    return number_error(ErrorCode::kInvalidInput, token, name, "number out of range");
  }
  if (result.ec != std::errc() || result.ptr != value.data() + value.size()) {
    return number_error(ErrorCode::kSyntax, token, name, "invalid number");
  }
  field.type = ColumnType::kFloat64;
  field.float_value = parsed;
  return Status::ok();
}

Status LineParser::parse_timestamp(ParsedLine& out, Span token) {
  const std::string_view value = text(token);
  auto describe = [&](std::string_view what) {
    std::string message(what);
    message += ' ';
    message += quote(value);
    return message;
  };
  if (!is_ascii_) {
    const size_t valid = utf8_valid_prefix(value);
    if (valid < value.size()) return invalid(token.begin + valid, "timestamp: invalid UTF-8");
  }
  int64_t raw = 0;
  bool overflow = false;
  if (!parse_decimal(value, raw, overflow)) {
    return syntax(token.begin, describe("invalid timestamp"));
  }
  int64_t scale = 1;
  switch (precision_) {
    case Precision::kNanoseconds:
      scale = 1;
      break;
    case Precision::kMicroseconds:
      scale = 1'000;
      break;
    case Precision::kMilliseconds:
      scale = 1'000'000;
      break;
    case Precision::kSeconds:
      scale = 1'000'000'000;
      break;
  }
  int64_t nanos = 0;
  if (overflow || __builtin_mul_overflow(raw, scale, &nanos)) {
    return invalid(token.begin, describe("timestamp out of range"));
  }
  out.timestamp_ns = nanos;
  return Status::ok();
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
  if (count <= kPairwiseDuplicateCheckLimit) {
    for (size_t j = 1; j < count && repeat == count; ++j) {
      for (size_t i = 0; i < j; ++i) {
        if (key(i) == key(j)) {
          first = i;
          repeat = j;
          break;
        }
      }
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

Result<ParsedLine> parse_line(std::string_view line, Precision precision) {
  ParsedLine out;
  LineParser parser(line, precision);
  TESSERA_RETURN_IF_ERROR(parser.parse(out));
  return out;
}

}  // namespace tessera::engine
