// Randomized tests of parse_line / format_line: the round-trip property over
// generated valid lines, and damage (random bytes, every prefix, flipped bytes)
// that must give a value or an error, never a crash (run under ASan+UBSan).
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "engine/line_protocol/line_parser.h"
#include "tests/engine/line_protocol/parsed_line_render.h"

namespace tessera::engine {
namespace {

using storage::ColumnType;
using test::render;

constexpr uint32_t kSeed = 0x7e55e2a;

// Pieces of names and strings, chosen to need escapes or look like syntax.
const std::vector<std::string> kNamePieces = {"a",
                                              "b",
                                              "Z",
                                              "0",
                                              "9",
                                              "_",
                                              "-",
                                              ".",
                                              ",",
                                              "=",
                                              " ",
                                              "\\",
                                              "\\\\",
                                              "\"",
                                              "#",
                                              "\t",
                                              "\r",
                                              "t",
                                              "i",
                                              "m",
                                              "e",
                                              "u",
                                              "é",
                                              "€",
                                              "𝄞",
                                              "time",
                                              "\\,",
                                              "\\ ",
                                              "\\=",
                                              "\x01",
                                              std::string(1, '\0')};

class Generator {
 public:
  explicit Generator(uint32_t seed) : rng_(seed) {}

  size_t below(size_t n) { return static_cast<size_t>(rng_() % n); }
  bool chance(int percent) { return below(100) < static_cast<size_t>(percent); }

  std::string name(size_t max_pieces) {
    std::string out;
    const size_t pieces = 1 + below(max_pieces);
    for (size_t i = 0; i < pieces; ++i) out += kNamePieces[below(kNamePieces.size())];
    return out;
  }

  double float_value() {
    static const double kSpecial[] = {0.0,
                                      -0.0,
                                      1.0,
                                      -1.0,
                                      0.1,
                                      1e308,
                                      -1e308,
                                      1e16,
                                      123456789012345678.0,
                                      std::numeric_limits<double>::max(),
                                      std::numeric_limits<double>::lowest(),
                                      std::numeric_limits<double>::min(),
                                      std::numeric_limits<double>::denorm_min(),
                                      -std::numeric_limits<double>::denorm_min(),
                                      2.2250738585072009e-308};
    switch (below(4)) {
      case 0:
        return kSpecial[below(std::size(kSpecial))];
      case 1:
        return static_cast<double>(static_cast<int64_t>(rng_() % 2000001) - 1000000);
      default: {
        for (;;) {
          const double value = std::bit_cast<double>(rng_());
          if (std::isfinite(value)) return value;
        }
      }
    }
  }

  int64_t int_value() {
    static const int64_t kSpecial[] = {0, -1, 1, INT64_MIN, INT64_MAX, INT64_MIN + 1};
    if (chance(30)) return kSpecial[below(std::size(kSpecial))];
    return static_cast<int64_t>(rng_() >> below(64));
  }

  // A random line that parse_line can return: keys distinct and not "time",
  // no newline anywhere, a measurement that neither starts with '#' nor with a
  // blank (leading blanks are trimmed).
  ParsedLine line() {
    ParsedLine out;
    do {
      out.measurement = name(6);
    } while (out.measurement[0] == '#' || out.measurement[0] == '\t' ||
             out.measurement[0] == '\r' || out.measurement[0] == ' ');
    std::set<std::string> used = {"time"};
    auto fresh_key = [&] {
      std::string key;
      do {
        key = name(4);
      } while (!used.insert(key).second);
      return key;
    };
    const size_t tag_count = below(5);
    for (size_t i = 0; i < tag_count; ++i) out.tags.emplace_back(fresh_key(), name(4));
    const size_t field_count = 1 + below(6);
    for (size_t i = 0; i < field_count; ++i) {
      ParsedField field;
      field.key = fresh_key();
      switch (below(4)) {
        case 0:
          field.type = ColumnType::kFloat64;
          field.float_value = float_value();
          break;
        case 1:
          field.type = ColumnType::kInt64;
          field.int_value = int_value();
          break;
        case 2:
          field.type = ColumnType::kBool;
          field.bool_value = chance(50);
          break;
        default:
          field.type = ColumnType::kString;
          field.string_value = chance(10) ? "" : name(8);
          break;
      }
      out.fields.push_back(std::move(field));
    }
    if (chance(70)) out.timestamp_ns = int_value();
    return out;
  }

  std::mt19937_64& rng() { return rng_; }

 private:
  std::mt19937_64 rng_;
};

// Whatever parse_line accepts must survive format_line unchanged.
void expect_round_trip_if_valid(const std::string& text) {
  auto parsed = parse_line(text, Precision::kNanoseconds);
  if (!parsed.is_ok()) {
    EXPECT_TRUE(parsed.error().code == ErrorCode::kSyntax ||
                parsed.error().code == ErrorCode::kInvalidInput);
    EXPECT_EQ(parsed.error().message.rfind("col ", 0), 0u) << parsed.error().message;
    return;
  }
  const std::string formatted = format_line(*parsed);
  auto again = parse_line(formatted, Precision::kNanoseconds);
  ASSERT_TRUE(again.is_ok()) << test::render_bytes(text) << " -> " << test::render_bytes(formatted)
                             << ": " << again.status().to_string();
  EXPECT_EQ(render(*again), render(*parsed)) << test::render_bytes(text);
}

// A few hand-written lines covering every element kind, for damage tests.
std::vector<std::string> valid_seed_lines() {
  return {
      "ad_snapshot,entity_id=ent_000123,goal=purchases,level=ad,provider=meta,tenant=ws_0007 "
      "spend=12.34,impressions=1523i,clicks=41i,conversions=2,revenue=88.1,leads=0,purchases=2i "
      "1735689600000000000",
      R"(my\ meas\,x,t\ k\=\,=v\ a\=l\,\\ f\ 1=1.5e-3,s="a \"q\" \\ b",b=TRUE,u=7u -12)",
      "températures,lieu=Zürich valeur=-.5,note=\"€ 𝄞\" 1",
      "m a=9223372036854775807i,b=-9223372036854775808i,c=1e308,d=5e-324,e=-0",
  };
}

TEST(LineParserRandomTest, FormattedLinesParseBackToTheSameValue) {
  SCOPED_TRACE(std::string("seed ") + std::to_string(kSeed));
  Generator generator(kSeed);
  for (int iteration = 0; iteration < 3000; ++iteration) {
    const ParsedLine expected = generator.line();
    const std::string text = format_line(expected);
    auto parsed = parse_line(text, Precision::kNanoseconds);
    ASSERT_TRUE(parsed.is_ok()) << "iteration " << iteration << ": " << test::render_bytes(text)
                                << "\n"
                                << parsed.status().to_string();
    ASSERT_EQ(render(*parsed), render(expected))
        << "iteration " << iteration << ": " << test::render_bytes(text);
    // Canonical form is a fixed point.
    ASSERT_EQ(format_line(*parsed), text);
  }
}

TEST(LineParserRandomTest, RandomBytesGiveValueOrError) {
  SCOPED_TRACE(std::string("seed ") + std::to_string(kSeed));
  Generator generator(kSeed + 1);
  // Syntax bytes are over-represented so that some random lines parse.
  const std::string alphabet = "ab,= \\\"#tfiu.-e0123456789\t\r\x80\xc3\xa9\xff";
  for (int iteration = 0; iteration < 20000; ++iteration) {
    std::string text;
    const size_t length = generator.below(40);
    for (size_t i = 0; i < length; ++i) {
      text += generator.chance(90) ? alphabet[generator.below(alphabet.size())]
                                   : static_cast<char>(generator.below(256));
    }
    expect_round_trip_if_valid(text);
  }
}

TEST(LineParserRandomTest, EveryPrefixOfValidLinesGivesValueOrError) {
  Generator generator(kSeed + 2);
  std::vector<std::string> lines = valid_seed_lines();
  for (int i = 0; i < 50; ++i) lines.push_back(format_line(generator.line()));
  for (const std::string& line : lines) {
    for (size_t length = 0; length <= line.size(); ++length) {
      // A copy of exactly `length` bytes, so ASan catches any read past the end.
      const std::string prefix = line.substr(0, length);
      expect_round_trip_if_valid(prefix);
    }
  }
}

TEST(LineParserRandomTest, EveryFlippedByteGivesValueOrError) {
  SCOPED_TRACE(std::string("seed ") + std::to_string(kSeed));
  Generator generator(kSeed + 3);
  std::vector<std::string> lines = valid_seed_lines();
  for (int i = 0; i < 20; ++i) lines.push_back(format_line(generator.line()));
  const std::string replacements = ",= \\\"#\n\x80\xff\t0i";
  for (const std::string& line : lines) {
    for (size_t pos = 0; pos < line.size(); ++pos) {
      for (uint8_t mask : {0x01, 0x20, 0x80}) {
        std::string damaged = line;
        damaged[pos] = static_cast<char>(damaged[pos] ^ mask);
        expect_round_trip_if_valid(damaged);
      }
      for (char c : replacements) {
        std::string damaged = line;
        damaged[pos] = c;
        expect_round_trip_if_valid(damaged);
      }
    }
  }
}

TEST(LineParserRandomTest, ReparsesNonCanonicalSpellings) {
  // Lines built from random raw tokens (redundant escapes, odd float spellings,
  // runs of spaces) exercise parse -> format -> parse from the input side.
  SCOPED_TRACE(std::string("seed ") + std::to_string(kSeed));
  Generator generator(kSeed + 4);
  const std::vector<std::string> values = {"1",     "-0",          ".5",         "1.", "1E5",
                                           "2e-3",  "7i",          "-7i",        "0u", "t",
                                           "FALSE", "\"\\a\\\\\"", "\"x,y=z w\""};
  int parsed_count = 0;
  for (int iteration = 0; iteration < 3000; ++iteration) {
    std::string text = generator.name(4);
    for (size_t t = generator.below(3); t > 0; --t) {
      text += ",";
      text += generator.name(3);
      text += "=";
      text += generator.name(3);
    }
    text += std::string(1 + generator.below(3), ' ');
    for (size_t f = 1 + generator.below(3); f > 0; --f) {
      text += generator.name(3) + "=" + values[generator.below(values.size())];
      if (f > 1) text += ",";
    }
    if (generator.chance(50)) {
      text += "  ";
      text += std::to_string(generator.int_value());
    }
    if (generator.chance(20)) text += " \r";
    expect_round_trip_if_valid(text);
    parsed_count += parse_line(text, Precision::kNanoseconds).is_ok() ? 1 : 0;
  }
  // The generator must produce a fair share of valid lines for this to test anything.
  EXPECT_GT(parsed_count, 300);
}

}  // namespace
}  // namespace tessera::engine
