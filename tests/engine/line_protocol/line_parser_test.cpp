#include "engine/line_protocol/line_parser.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "tests/engine/line_protocol/parsed_line_render.h"

namespace tessera::engine {
namespace {

using storage::ColumnType;
using test::render;

constexpr auto kNs = Precision::kNanoseconds;

ParsedLine parse_ok(std::string_view line, Precision precision = kNs) {
  auto result = parse_line(line, precision);
  EXPECT_TRUE(result.is_ok()) << "line: " << line << "\n" << result.status().to_string();
  if (!result.is_ok()) return {};
  return std::move(result).value();
}

// "<code>: <message>" of the error, or "ok" when the line parsed.
std::string parse_error(std::string_view line, Precision precision = kNs) {
  return parse_line(line, precision).status().to_string();
}

ParsedField float_field(std::string key, double value) {
  ParsedField field;
  field.key = std::move(key);
  field.type = ColumnType::kFloat64;
  field.float_value = value;
  return field;
}

ParsedField int_field(std::string key, int64_t value) {
  ParsedField field;
  field.key = std::move(key);
  field.type = ColumnType::kInt64;
  field.int_value = value;
  return field;
}

ParsedField bool_field(std::string key, bool value) {
  ParsedField field;
  field.key = std::move(key);
  field.type = ColumnType::kBool;
  field.bool_value = value;
  return field;
}

ParsedField string_field(std::string key, std::string value) {
  ParsedField field;
  field.key = std::move(key);
  field.type = ColumnType::kString;
  field.string_value = std::move(value);
  return field;
}

// ---------------------------------------------------------------- valid lines

TEST(LineParserTest, ParsesMinimalLineWithoutTagsOrTimestamp) {
  ParsedLine expected;
  expected.measurement = "cpu";
  expected.fields = {float_field("value", 1)};
  EXPECT_EQ(render(parse_ok("cpu value=1")), render(expected));
}

TEST(LineParserTest, ParsesInfluxDocsExample) {
  ParsedLine expected;
  expected.measurement = "weather";
  expected.tags = {{"location", "us-midwest"}};
  expected.fields = {float_field("temperature", 82)};
  expected.timestamp_ns = 1465839830100400200;
  EXPECT_EQ(render(parse_ok("weather,location=us-midwest temperature=82 1465839830100400200")),
            render(expected));
}

TEST(LineParserTest, ParsesAdSnapshotLine) {
  ParsedLine expected;
  expected.measurement = "ad_snapshot";
  expected.tags = {{"entity_id", "ent_000123"},
                   {"goal", "purchases"},
                   {"level", "ad"},
                   {"provider", "meta"},
                   {"tenant", "ws_0007"}};
  expected.fields = {float_field("spend", 12.34),  int_field("impressions", 1523),
                     int_field("clicks", 41),      float_field("conversions", 2),
                     float_field("revenue", 88.1), float_field("leads", 0),
                     int_field("purchases", 2)};
  expected.timestamp_ns = 1735689600000000000;
  EXPECT_EQ(render(parse_ok("ad_snapshot,entity_id=ent_000123,goal=purchases,level=ad,"
                            "provider=meta,tenant=ws_0007 spend=12.34,impressions=1523i,"
                            "clicks=41i,conversions=2,revenue=88.1,leads=0,purchases=2i "
                            "1735689600000000000")),
            render(expected));
}

TEST(LineParserTest, ParsesEveryFloatSpelling) {
  ParsedLine expected;
  expected.measurement = "m";
  expected.fields = {float_field("a", 1),       float_field("b", 1.5),     float_field("c", -1.5),
                     float_field("d", 1e10),    float_field("e", -1.5e-3), float_field("f", 0.5),
                     float_field("g", 1),       float_field("h", -0.5),    float_field("i", 2e5),
                     float_field("j", 0.00123), float_field("k", -0.0)};
  EXPECT_EQ(render(parse_ok("m a=1,b=1.5,c=-1.5,d=1e10,e=-1.5E-3,f=.5,g=1.,h=-.5,i=2e+5,"
                            "j=12.3e-4,k=-0")),
            render(expected));
}

TEST(LineParserTest, ParsesExtremeFloatsBitExactly) {
  const ParsedLine line = parse_ok(
      "m a=1e308,b=1.7976931348623157e308,c=5e-324,d=-5e-324,"
      "e=2.2250738585072014e-308,f=0.1");
  ASSERT_EQ(line.fields.size(), 6u);
  EXPECT_EQ(line.fields[0].float_value, 1e308);
  EXPECT_EQ(line.fields[1].float_value, std::numeric_limits<double>::max());
  EXPECT_EQ(line.fields[2].float_value, std::numeric_limits<double>::denorm_min());
  EXPECT_EQ(line.fields[3].float_value, -std::numeric_limits<double>::denorm_min());
  EXPECT_EQ(line.fields[4].float_value, std::numeric_limits<double>::min());
  EXPECT_EQ(line.fields[5].float_value, 0.1);
}

TEST(LineParserTest, ParsesIntegersAtInt64Limits) {
  ParsedLine expected;
  expected.measurement = "m";
  expected.fields = {int_field("a", 0), int_field("b", -1), int_field("c", INT64_MAX),
                     int_field("d", INT64_MIN), int_field("e", 7)};
  EXPECT_EQ(render(parse_ok("m a=0i,b=-1i,c=9223372036854775807i,d=-9223372036854775808i,"
                            "e=007i")),
            render(expected));
}

TEST(LineParserTest, StoresUnsignedUpToInt64MaxAsInt64) {
  ParsedLine expected;
  expected.measurement = "m";
  expected.fields = {int_field("a", 0), int_field("b", 7), int_field("c", INT64_MAX)};
  EXPECT_EQ(render(parse_ok("m a=0u,b=7u,c=9223372036854775807u")), render(expected));
}

TEST(LineParserTest, ParsesEveryBooleanSpelling) {
  ParsedLine expected;
  expected.measurement = "m";
  const char* keys[] = {"a", "b", "c", "d", "e", "f", "g", "h", "i", "j"};
  for (int i = 0; i < 10; ++i) expected.fields.push_back(bool_field(keys[i], i < 5));
  EXPECT_EQ(render(parse_ok("m a=t,b=T,c=true,d=True,e=TRUE,f=f,g=F,h=false,i=False,j=FALSE")),
            render(expected));
}

TEST(LineParserTest, ParsesStringsWithSeparatorsAndEscapes) {
  ParsedLine expected;
  expected.measurement = "m";
  expected.fields = {string_field("a", "hello, world=1 x"), string_field("b", ""),
                     string_field("c", "say \"hi\""),       string_field("d", "back\\slash"),
                     string_field("e", "one\\two"),         string_field("f", "end\\")};
  EXPECT_EQ(render(parse_ok(R"(m a="hello, world=1 x",b="",c="say \"hi\"",d="back\\slash",)"
                            R"(e="one\two",f="end\\")")),
            render(expected));
}

TEST(LineParserTest, UnescapesMeasurement) {
  EXPECT_EQ(parse_ok(R"(my\ meas\,ure f=1)").measurement, "my meas,ure");
  // '=' and '"' need no escape in a measurement; an escape of anything else is literal.
  EXPECT_EQ(parse_ok(R"(a=b"c f=1)").measurement, "a=b\"c");
  EXPECT_EQ(parse_ok(R"(a\=b\x f=1)").measurement, "a\\=b\\x");
  EXPECT_EQ(parse_ok(R"(a\\ f=1)").measurement, "a\\");
  EXPECT_EQ(parse_ok(R"(a\\\ b f=1)").measurement, "a\\ b");
  EXPECT_EQ(parse_ok("m#1 f=1").measurement, "m#1");
  EXPECT_EQ(parse_ok("m\tx f=1").measurement, "m\tx");
}

TEST(LineParserTest, UnescapesTagsAndFieldKeys) {
  ParsedLine expected;
  expected.measurement = "m";
  expected.tags = {{"ta g=k,", "v a=l,ue"}, {"x\\", "\\y"}, {"p\\q", "r"}};
  expected.fields = {float_field("fi eld=,", 1)};
  EXPECT_EQ(render(parse_ok(R"(m,ta\ g\=k\,=v\ a\=l\,ue,x\\=\\y,p\q=r fi\ eld\=\,=1)")),
            render(expected));
}

TEST(LineParserTest, KeepsTagsAndFieldsInLineOrder) {
  const ParsedLine line = parse_ok("m,z=1,a=2 y=1,b=2");
  ASSERT_EQ(line.tags.size(), 2u);
  EXPECT_EQ(line.tags[0].first, "z");
  EXPECT_EQ(line.tags[1].first, "a");
  ASSERT_EQ(line.fields.size(), 2u);
  EXPECT_EQ(line.fields[0].key, "y");
  EXPECT_EQ(line.fields[1].key, "b");
}

TEST(LineParserTest, ScalesTimestampByPrecision) {
  EXPECT_EQ(parse_ok("m f=1 7", Precision::kNanoseconds).timestamp_ns, 7);
  EXPECT_EQ(parse_ok("m f=1 7", Precision::kMicroseconds).timestamp_ns, 7'000);
  EXPECT_EQ(parse_ok("m f=1 7", Precision::kMilliseconds).timestamp_ns, 7'000'000);
  EXPECT_EQ(parse_ok("m f=1 7", Precision::kSeconds).timestamp_ns, 7'000'000'000);
  EXPECT_EQ(parse_ok("m f=1 -5", Precision::kSeconds).timestamp_ns, -5'000'000'000);
  EXPECT_EQ(parse_ok("m f=1 0").timestamp_ns, 0);
  EXPECT_FALSE(parse_ok("m f=1").timestamp_ns.has_value());
}

TEST(LineParserTest, AcceptsTimestampsAtTheInt64Limits) {
  EXPECT_EQ(parse_ok("m f=1 9223372036854775807").timestamp_ns, INT64_MAX);
  EXPECT_EQ(parse_ok("m f=1 -9223372036854775808").timestamp_ns, INT64_MIN);
  EXPECT_EQ(parse_ok("m f=1 9223372036", Precision::kSeconds).timestamp_ns,
            9'223'372'036'000'000'000);
  EXPECT_EQ(parse_ok("m f=1 -9223372036", Precision::kSeconds).timestamp_ns,
            -9'223'372'036'000'000'000);
  EXPECT_EQ(parse_ok("m f=1 9223372036854", Precision::kMilliseconds).timestamp_ns,
            9'223'372'036'854'000'000);
  EXPECT_EQ(parse_ok("m f=1 9223372036854775", Precision::kMicroseconds).timestamp_ns,
            9'223'372'036'854'775'000);
}

TEST(LineParserTest, ToleratesBlanksAtBothEndsAndRunsOfSpaces) {
  const std::string expected = render(parse_ok("m,t=a f=1 5"));
  EXPECT_EQ(render(parse_ok("m,t=a f=1 5\r")), expected);
  EXPECT_EQ(render(parse_ok("m,t=a f=1 5 \t \r")), expected);
  EXPECT_EQ(render(parse_ok("  \tm,t=a f=1 5")), expected);
  EXPECT_EQ(render(parse_ok("m,t=a    f=1     5")), expected);
  EXPECT_EQ(render(parse_ok("m,t=a f=1\r")), render(parse_ok("m,t=a f=1")));
}

TEST(LineParserTest, AcceptsValidMultibyteUtf8Everywhere) {
  ParsedLine expected;
  expected.measurement = "températures";
  expected.tags = {{"lieu", "Zürich"}, {"€", "💶"}};
  expected.fields = {string_field("note", "€ 𝄞 \xef\xbf\xbf \xf4\x8f\xbf\xbf")};
  EXPECT_EQ(render(parse_ok("températures,lieu=Zürich,€=💶 note=\"€ 𝄞 \xef\xbf\xbf "
                            "\xf4\x8f\xbf\xbf\"")),
            render(expected));
}

// ------------------------------------------------------------- syntax errors

TEST(LineParserTest, RejectsEmptyAndCommentLines) {
  EXPECT_EQ(parse_error(""), "syntax: col 1: empty line");
  EXPECT_EQ(parse_error(" \t\r"), "syntax: col 1: empty line");
  EXPECT_EQ(parse_error("#precision s"),
            "syntax: col 1: measurement starts with '#' (a comment or control line)");
  EXPECT_EQ(parse_error("  # f=1"),
            "syntax: col 3: measurement starts with '#' (a comment or control line)");
}

TEST(LineParserTest, RejectsNewlineInsideLine) {
  EXPECT_EQ(parse_error("m f=1\n"), "syntax: col 6: newline inside a line");
  EXPECT_EQ(parse_error("m f=\"a\nb\""), "syntax: col 7: newline inside a line");
}

TEST(LineParserTest, RejectsMissingMeasurementOrFields) {
  EXPECT_EQ(parse_error(",t=a f=1"), "syntax: col 1: missing measurement");
  EXPECT_EQ(parse_error("cpu"), "syntax: col 4: missing fields (a line needs at least one)");
  EXPECT_EQ(parse_error("cpu   "), "syntax: col 4: missing fields (a line needs at least one)");
  EXPECT_EQ(parse_error("cpu,host=a"),
            "syntax: col 11: missing fields (a line needs at least one)");
}

TEST(LineParserTest, RejectsMalformedTags) {
  EXPECT_EQ(parse_error("cpu,=a f=1"), "syntax: col 5: empty tag key");
  EXPECT_EQ(parse_error("cpu, f=1"), "syntax: col 5: empty tag key");
  EXPECT_EQ(parse_error("cpu,host f=1"), "syntax: col 9: tag \"host\": missing '=' after the key");
  EXPECT_EQ(parse_error("cpu,host,a=b f=1"),
            "syntax: col 9: tag \"host\": missing '=' after the key");
  EXPECT_EQ(parse_error("cpu,host= f=1"), "syntax: col 10: tag \"host\": empty value");
  EXPECT_EQ(parse_error("cpu,host=,a=b f=1"), "syntax: col 10: tag \"host\": empty value");
  EXPECT_EQ(parse_error("cpu,host=a=b f=1"),
            "syntax: col 11: tag \"host\": unescaped '=' in the value");
}

TEST(LineParserTest, RejectsMalformedFields) {
  EXPECT_EQ(parse_error("cpu =1"), "syntax: col 5: empty field key");
  EXPECT_EQ(parse_error("cpu f=1,"), "syntax: col 9: empty field key");
  EXPECT_EQ(parse_error("cpu f=1, g=2"), "syntax: col 9: empty field key");
  EXPECT_EQ(parse_error("cpu f"), "syntax: col 6: field \"f\": missing '=' after the key");
  EXPECT_EQ(parse_error("cpu f 1"), "syntax: col 6: field \"f\": missing '=' after the key");
  EXPECT_EQ(parse_error("cpu f="), "syntax: col 7: field \"f\": missing value");
  EXPECT_EQ(parse_error("cpu f=,g=1"), "syntax: col 7: field \"f\": missing value");
  EXPECT_EQ(parse_error("cpu f= 1"), "syntax: col 7: field \"f\": missing value");
}

TEST(LineParserTest, ExplainsDecimalComma) {
  EXPECT_EQ(parse_error("ads,tenant=a spend=12,5 1"),
            "syntax: col 20: field \"spend\": invalid number \"12,5\"");
  EXPECT_EQ(parse_error("ads a=1i,spend=12,5"),
            "syntax: col 16: field \"spend\": invalid number \"12,5\"");
}

TEST(LineParserTest, RejectsInvalidNumbersAndValues) {
  struct Case {
    const char* value;
    const char* what;
  };
  const Case cases[] = {
      {"abc", "invalid value"},
      {"nan", "invalid value"},
      {"NaN", "invalid value"},
      {"inf", "invalid value"},
      {"Infinity", "invalid value"},
      {"tru", "invalid value"},
      {"yes", "invalid value"},
      {"-inf", "invalid number"},
      {"0x10", "invalid number"},
      {"+1", "invalid number"},
      {"1e", "invalid number"},
      {"1e+", "invalid number"},
      {"1.2.3", "invalid number"},
      {".", "invalid number"},
      {"-", "invalid number"},
      {"-.", "invalid number"},
      {"1x", "invalid number"},
      {"1e5.0", "invalid number"},
      {"1u5", "invalid number"},
      {"1_000", "invalid number"},
      {".e1", "invalid number"},
      {"1.5i", "invalid integer"},
      {"i", "invalid integer"},
      {"-i", "invalid integer"},
      {"1e3i", "invalid integer"},
      {"+1i", "invalid integer"},
      {"u", "invalid unsigned integer"},
      {"1.0u", "invalid unsigned integer"},
      {"-u", "invalid unsigned integer"},
  };
  for (const Case& c : cases) {
    const std::string line = std::string("cpu f=") + c.value;
    EXPECT_EQ(parse_error(line),
              std::string("syntax: col 7: field \"f\": ") + c.what + " \"" + c.value + "\"")
        << line;
  }
}

TEST(LineParserTest, RejectsBadStrings) {
  EXPECT_EQ(parse_error("cpu f=\"abc"), "syntax: col 7: field \"f\": unterminated string");
  EXPECT_EQ(parse_error("cpu f=\"abc\\\""), "syntax: col 7: field \"f\": unterminated string");
  EXPECT_EQ(parse_error("cpu f=\""), "syntax: col 7: field \"f\": unterminated string");
  EXPECT_EQ(parse_error("cpu f=\"a\"b"),
            "syntax: col 10: field \"f\": unexpected text after the closing quote");
  EXPECT_EQ(parse_error("cpu f=\"a\"\"b\""),
            "syntax: col 10: field \"f\": unexpected text after the closing quote");
}

TEST(LineParserTest, RejectsBadTimestamps) {
  EXPECT_EQ(parse_error("cpu f=1 abc"), "syntax: col 9: invalid timestamp \"abc\"");
  EXPECT_EQ(parse_error("cpu f=1 12a"), "syntax: col 9: invalid timestamp \"12a\"");
  EXPECT_EQ(parse_error("cpu f=1 +5"), "syntax: col 9: invalid timestamp \"+5\"");
  EXPECT_EQ(parse_error("cpu f=1 -"), "syntax: col 9: invalid timestamp \"-\"");
  EXPECT_EQ(parse_error("cpu f=1 1.5"), "syntax: col 9: invalid timestamp \"1.5\"");
  EXPECT_EQ(parse_error("cpu f=1 1e9"), "syntax: col 9: invalid timestamp \"1e9\"");
  EXPECT_EQ(parse_error("cpu f=1 5\tx"), "syntax: col 9: invalid timestamp \"5\\x09x\"");
}

TEST(LineParserTest, RejectsTrailingGarbageAfterTimestamp) {
  EXPECT_EQ(parse_error("cpu f=1 123 456"), "syntax: col 13: unexpected text after the timestamp");
  EXPECT_EQ(parse_error("cpu f=1 123   x  "),
            "syntax: col 15: unexpected text after the timestamp");
  // A tag set after the fields is read as a timestamp.
  EXPECT_EQ(parse_error("cpu f=1 t=a 5"), "syntax: col 9: invalid timestamp \"t=a\"");
}

// ------------------------------------------------------- invalid-input errors

TEST(LineParserTest, RejectsIntegersOutOfRange) {
  EXPECT_EQ(parse_error("m f=9223372036854775808i"),
            "invalid_input: col 5: field \"f\": integer out of range \"9223372036854775808i\"");
  EXPECT_EQ(parse_error("m f=-9223372036854775809i"),
            "invalid_input: col 5: field \"f\": integer out of range \"-9223372036854775809i\"");
  EXPECT_EQ(parse_error("m f=99999999999999999999999999i"),
            "invalid_input: col 5: field \"f\": integer out of range "
            "\"99999999999999999999999999i\"");
}

TEST(LineParserTest, RejectsUnsignedOutOfRange) {
  const std::string what =
      "invalid_input: col 5: field \"f\": unsigned integer out of range [0, 9223372036854775807] ";
  EXPECT_EQ(parse_error("m f=9223372036854775808u"), what + "\"9223372036854775808u\"");
  EXPECT_EQ(parse_error("m f=18446744073709551615u"), what + "\"18446744073709551615u\"");
  EXPECT_EQ(parse_error("m f=-1u"), what + "\"-1u\"");
  EXPECT_EQ(parse_error("m f=-0u"), what + "\"-0u\"");
}

TEST(LineParserTest, RejectsFloatsOutOfRange) {
  EXPECT_EQ(parse_error("m f=1e400"),
            "invalid_input: col 5: field \"f\": number out of range \"1e400\"");
  EXPECT_EQ(parse_error("m f=-1.8e308"),
            "invalid_input: col 5: field \"f\": number out of range \"-1.8e308\"");
  EXPECT_EQ(parse_error("m f=1e-400"),
            "invalid_input: col 5: field \"f\": number out of range \"1e-400\"");
}

TEST(LineParserTest, RejectsTimestampsOutOfRange) {
  EXPECT_EQ(parse_error("m f=1 9223372036854775808"),
            "invalid_input: col 7: timestamp out of range \"9223372036854775808\"");
  EXPECT_EQ(parse_error("m f=1 -9223372036854775809"),
            "invalid_input: col 7: timestamp out of range \"-9223372036854775809\"");
  EXPECT_EQ(parse_error("m f=1 9223372037", Precision::kSeconds),
            "invalid_input: col 7: timestamp out of range \"9223372037\"");
  EXPECT_EQ(parse_error("m f=1 -9223372037", Precision::kSeconds),
            "invalid_input: col 7: timestamp out of range \"-9223372037\"");
  EXPECT_EQ(parse_error("m f=1 9223372036855", Precision::kMilliseconds),
            "invalid_input: col 7: timestamp out of range \"9223372036855\"");
  EXPECT_EQ(parse_error("m f=1 9223372036854776", Precision::kMicroseconds),
            "invalid_input: col 7: timestamp out of range \"9223372036854776\"");
}

TEST(LineParserTest, RejectsReservedTimeKey) {
  EXPECT_EQ(parse_error("cpu,time=a f=1"),
            "invalid_input: col 5: tag key \"time\" is reserved for the timestamp");
  EXPECT_EQ(parse_error("cpu time=1"),
            "invalid_input: col 5: field key \"time\" is reserved for the timestamp");
  // Only the exact key is reserved; the measurement may be called time.
  EXPECT_TRUE(parse_line("time,Time=a times=1", kNs).is_ok());
}

TEST(LineParserTest, RejectsDuplicateKeys) {
  EXPECT_EQ(parse_error("cpu,host=a,host=b f=1"),
            "invalid_input: col 12: duplicate tag key \"host\"");
  EXPECT_EQ(parse_error("cpu f=1,g=2,f=3"), "invalid_input: col 13: duplicate field key \"f\"");
  EXPECT_EQ(parse_error("cpu,f=a f=1"), "invalid_input: col 9: field key \"f\" is also a tag key");
  // Escaped and plain spellings of one key are the same key.
  EXPECT_EQ(parse_error(R"(cpu a\ b=1,a\ b=2)"),
            "invalid_input: col 12: duplicate field key \"a b\"");
}

TEST(LineParserTest, FindsFirstDuplicateAmongManyKeys) {
  // More keys than the hash table check takes, so the sorting path runs.
  std::string line = "m";
  for (int i = 0; i < 20; ++i) {
    line += ",t";
    line += std::to_string(i);
    line += "=v";
  }
  line += " ";
  for (int i = 0; i < 40; ++i) {
    line += "f";
    line += std::to_string(i);
    line += "=1,";
  }
  const size_t f35 = line.size() + 1;  // col of the next key
  line += "f35=2,t3=1,f35=3";
  EXPECT_EQ(parse_error(line), std::string("invalid_input: col ") + std::to_string(f35) +
                                   ": duplicate field key \"f35\"");
  EXPECT_TRUE(parse_line(line.substr(0, f35 - 2), kNs).is_ok());
}

// Random lines of 1-40 keys from names that mostly share their length and first and
// last bytes (the duplicate check's hash), against a reference that compares every
// pair: the same first repeated key, at the same column, or no error.
TEST(LineParserTest, DuplicateKeysMatchAPairwiseReference) {
  std::mt19937 rng(11);
  const std::vector<std::string> names = {"kax",  "kbx",  "kcx", "kdx", "kex",   "k", "kx",
                                          "kaax", "kabx", "a",   "b",   "time2", "t"};
  for (int round = 0; round < 5'000; ++round) {
    const size_t tags = rng() % 20;
    const size_t fields = 1 + rng() % 20;
    std::vector<std::string> keys;
    std::string line = "m";
    std::vector<size_t> cols;
    for (size_t i = 0; i < tags + fields; ++i) {
      keys.push_back(names[rng() % names.size()]);
      line += i < tags ? "," : (i == tags ? " " : ",");
      cols.push_back(line.size() + 1);
      line += keys.back() + (i < tags ? "=v" : "=1");
    }
    size_t first = keys.size();
    size_t repeat = keys.size();
    for (size_t j = 1; j < keys.size() && repeat == keys.size(); ++j) {
      for (size_t i = 0; i < j; ++i) {
        if (keys[i] == keys[j]) {
          first = i;
          repeat = j;
          break;
        }
      }
    }
    if (repeat == keys.size()) {
      ASSERT_TRUE(parse_line(line, kNs).is_ok()) << line;
      continue;
    }
    const std::string what = repeat < tags  ? "duplicate tag key"
                             : first < tags ? "field key"
                                            : "duplicate field key";
    const std::string name = "\"" + keys[repeat] + "\"";
    const std::string expected = "invalid_input: col " + std::to_string(cols[repeat]) + ": " +
                                 what + " " + name +
                                 (what == "field key" ? " is also a tag key" : "");
    ASSERT_EQ(parse_error(line), expected) << line;
  }
}

TEST(LineParserTest, FindsTagFieldCollisionAmongManyKeys) {
  std::string line = "m";
  for (int i = 0; i < 20; ++i) {
    line += ",t";
    line += std::to_string(i);
    line += "=v";
  }
  line += " a=1,b=1,c=1,t7=1";
  EXPECT_EQ(parse_error(line), std::string("invalid_input: col ") +
                                   std::to_string(line.size() - 3) +
                                   ": field key \"t7\" is also a tag key");
}

TEST(LineParserTest, RejectsInvalidUtf8InEachElement) {
  EXPECT_EQ(parse_error("cp\xffu f=1"), "invalid_input: col 3: measurement: invalid UTF-8");
  EXPECT_EQ(parse_error("m,k\xc0\x80=v f=1"), "invalid_input: col 4: tag key: invalid UTF-8");
  EXPECT_EQ(parse_error("m,k=\xed\xa0\x80 f=1"),
            "invalid_input: col 5: tag \"k\" value: invalid UTF-8");
  EXPECT_EQ(parse_error("m \xf4\x90\x80\x80=1"), "invalid_input: col 3: field key: invalid UTF-8");
  EXPECT_EQ(parse_error("m f=\"ok \xe2\x82\""), "invalid_input: col 9: field \"f\": invalid UTF-8");
  EXPECT_EQ(parse_error("m f=1\x80"), "invalid_input: col 6: field \"f\": invalid UTF-8");
  EXPECT_EQ(parse_error("m f=t\xf5"), "invalid_input: col 6: field \"f\": invalid UTF-8");
  EXPECT_EQ(parse_error("m f=1 12\xfe"), "invalid_input: col 9: timestamp: invalid UTF-8");
}

TEST(LineParserTest, QuotesNamesSafelyInMessages) {
  EXPECT_EQ(parse_error(R"(cpu my\ key=abc)"),
            "syntax: col 13: field \"my key\": invalid value \"abc\"");
  EXPECT_EQ(parse_error("cpu a\"b\\c"),
            "syntax: col 10: field \"a\\\"b\\\\c\": missing '=' after the key");
  EXPECT_EQ(parse_error("cpu f=\xc3\xa9t\x01"),
            "syntax: col 7: field \"f\": invalid value \"\xc3\xa9t\\x01\"");
  const std::string long_value(100, '9');
  EXPECT_EQ(parse_error("m f=" + long_value + "x"),
            std::string("syntax: col 5: field \"f\": invalid number \"") + std::string(64, '9') +
                "...\"");
}

TEST(LineParserTest, ReportsColumnsOfTheOriginalLine) {
  // Leading blanks are skipped but still counted in the column.
  EXPECT_EQ(parse_error("   cpu f=x"), "syntax: col 10: field \"f\": invalid value \"x\"");
}

// ------------------------------------------------------------------ format_line

TEST(LineFormatTest, WritesCanonicalLineWithEscapes) {
  ParsedLine line;
  line.measurement = "my meas,ure=x\\";
  line.tags = {{"t k=,", "v a=l,"}, {"b\\", "\\"}};
  line.fields = {float_field("f 1", 1.5), int_field("i=", -3), bool_field("b,", true),
                 bool_field("c", false), string_field("s", "say \"hi\" \\ ok, = done")};
  line.timestamp_ns = -17;
  EXPECT_EQ(format_line(line),
            R"(my\ meas\,ure=x\\,t\ k\=\,=v\ a\=l\,,b\\=\\ f\ 1=1.5,i\==-3i,b\,=true,c=false,)"
            R"(s="say \"hi\" \\ ok, = done" -17)");
}

TEST(LineFormatTest, WritesShortestRoundTrippingFloats) {
  ParsedLine line;
  line.measurement = "m";
  line.fields = {float_field("a", 1),      float_field("b", 0.1),    float_field("c", -0.0),
                 float_field("d", 1e308),  float_field("e", 5e-324), float_field("f", 1e16),
                 float_field("g", 123.456)};
  EXPECT_EQ(format_line(line), "m a=1,b=0.1,c=-0,d=1e+308,e=5e-324,f=1e+16,g=123.456");
}

TEST(LineFormatTest, WritesIntegerLimitsAndOmitsMissingTimestamp) {
  ParsedLine line;
  line.measurement = "m";
  line.fields = {int_field("a", INT64_MIN), int_field("b", INT64_MAX)};
  EXPECT_EQ(format_line(line), "m a=-9223372036854775808i,b=9223372036854775807i");
  line.timestamp_ns = INT64_MIN;
  EXPECT_EQ(format_line(line),
            "m a=-9223372036854775808i,b=9223372036854775807i -9223372036854775808");
}

TEST(LineFormatTest, ParsesBackToTheSameLine) {
  const char* lines[] = {
      "ad_snapshot,entity_id=ent_000123,tenant=ws_0007 spend=12.34,clicks=41i 1735689600000000000",
      R"(a\ b\,c\\,k\ \=\,\\=v\ \=\,\\ f\ \=\,\\="q\"\\" 1)",
      R"(m\x,k=v\y f=1u,g=-0,h=TRUE,i="\a")",
  };
  for (const char* text : lines) {
    const ParsedLine first = parse_ok(text);
    const std::string formatted = format_line(first);
    EXPECT_EQ(render(parse_ok(formatted)), render(first)) << text << "\n" << formatted;
  }
}

// parse_line into a reused ParsedLine keeps the capacity of the previous line's
// tags and fields; what it returns must still be exactly the line just parsed.
TEST(LineParserTest, ParsingIntoAReusedLineGivesWhatAFreshParseGives) {
  const std::vector<std::string> lines = {
      "ad,entity=e1,tenant=a spend=1.5,clicks=3i,note=\"long string value here\" 100",
      "ad,entity=e2,tenant=a spend=2,clicks=4i 200",           // fewer fields
      "ad spend=t",                                            // no tags, a bool, no time
      "ad,entity=e3 f=1,f=2",                                  // an error: duplicate key
      "ad,a=1,b=2,c=3,d=4,e=5,f=6,g=7,h=8,i=9 s=\"\",u=5u 9",  // more tags than before
      "ad,entity=e\\ 4,tenant=b clicks=1.5",                   // escapes, a float now
      "other,x=y v=-0 -5",
  };
  ParsedLine reused;
  for (const std::string& line : lines) {
    Result<ParsedLine> fresh = parse_line(line, kNs);
    Status status = parse_line(line, kNs, reused);
    ASSERT_EQ(status.is_ok(), fresh.is_ok()) << line;
    if (!fresh.is_ok()) {
      EXPECT_EQ(status.message(), fresh.error().message) << line;
      continue;
    }
    EXPECT_EQ(render(reused), render(*fresh)) << line;
    EXPECT_EQ(reused.timestamp_ns, fresh->timestamp_ns) << line;
  }
  // Independently of the fresh parse: the last line by hand.
  EXPECT_EQ(reused.measurement, "other");
  ASSERT_EQ(reused.tags.size(), 1u);
  EXPECT_EQ(reused.tags[0].first, "x");
  ASSERT_EQ(reused.fields.size(), 1u);
  EXPECT_EQ(reused.fields[0].key, "v");
  EXPECT_TRUE(std::signbit(reused.fields[0].float_value));
  EXPECT_EQ(reused.timestamp_ns, -5);
}

// Names are scanned 32 bytes at a time while 32 remain: an escape or a terminator at
// every offset around and across those steps, in names shorter and longer than one.
TEST(LineParserTest, FindsEscapesAndTerminatorsAtEveryOffsetOfLongNames) {
  for (size_t length = 1; length <= 70; ++length) {
    for (size_t at = 0; at <= length; ++at) {
      std::string name(length, 'n');
      std::string escaped = name;
      escaped.insert(at, "\\ ");  // an escaped space inside the name
      name.insert(at, " ");
      const std::string value = std::string(length, 'v');
      const std::string line = "m" + escaped + ",k" + escaped + "=" + value + " f" + escaped +
                               "=1i,g=" + std::to_string(length) + " 7";
      auto parsed = parse_line(line, Precision::kNanoseconds);
      ASSERT_TRUE(parsed.is_ok()) << line << ": " << parsed.status().to_string();
      EXPECT_EQ(parsed->measurement, "m" + name) << line;
      ASSERT_EQ(parsed->tags.size(), 1u) << line;
      EXPECT_EQ(parsed->tags[0].first, "k" + name);
      EXPECT_EQ(parsed->tags[0].second, value);
      ASSERT_EQ(parsed->fields.size(), 2u) << line;
      EXPECT_EQ(parsed->fields[0].key, "f" + name);
      EXPECT_EQ(parsed->fields[1].int_value, 0);  // "g=<length>" is a float
      EXPECT_EQ(parsed->fields[1].float_value, static_cast<double>(length));
      EXPECT_EQ(parsed->timestamp_ns, 7);
    }
  }
}

}  // namespace
}  // namespace tessera::engine
