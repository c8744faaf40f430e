#include "engine/line_shape.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "engine/line_protocol/line_parser.h"

namespace tessera::engine {
namespace {

using ::testing::ElementsAre;

ParsedLine parsed(const std::string& text) {
  auto line = parse_line(text, Precision::kNanoseconds);
  EXPECT_TRUE(line.is_ok()) << text;
  return line.is_ok() ? std::move(line).value() : ParsedLine{};
}

TEST(LineShapeTest, ValuesAndTimestampsDoNotChangeTheShape) {
  const ParsedLine example = parsed("ad,tenant=a,entity=e1 spend=1.5,clicks=3i,ok=t,note=\"x\" 1");
  EXPECT_TRUE(has_same_shape(
      parsed("ad,tenant=b,entity=e2 spend=2,clicks=-7i,ok=false,note=\"y z\" 2"), example));
  EXPECT_TRUE(
      has_same_shape(parsed("ad,tenant=a,entity=e1 spend=1.5,clicks=3i,ok=t,note=\"x\""), example));
}

TEST(LineShapeTest, AnyDifferenceInTableKeysOrderOrTypesChangesTheShape) {
  const ParsedLine example = parsed("ad,tenant=a,entity=e1 spend=1.5,clicks=3i 1");
  for (const char* other : {
           "ads,tenant=a,entity=e1 spend=1.5,clicks=3i 1",         // table
           "ad,tenant=a,entitx=e1 spend=1.5,clicks=3i 1",          // tag key
           "ad,entity=e1,tenant=a spend=1.5,clicks=3i 1",          // tag order
           "ad,tenant=a spend=1.5,clicks=3i 1",                    // a tag fewer
           "ad,tenant=a,entity=e1,x=1 spend=1.5,clicks=3i 1",      // a tag more
           "ad,tenant=a,entity=e1 spend=1.5,clickz=3i 1",          // field key
           "ad,tenant=a,entity=e1 clicks=3i,spend=1.5 1",          // field order
           "ad,tenant=a,entity=e1 spend=1.5,clicks=3 1",           // field type
           "ad,tenant=a,entity=e1 spend=1.5 1",                    // a field fewer
           "ad,tenant=a,entity=e1 spend=1.5,clicks=3i,x=\"s\" 1",  // a field more
       }) {
    EXPECT_FALSE(has_same_shape(parsed(other), example)) << other;
  }
}

// Keys of every length from 1 to 24 that differ in one byte anywhere (the compare
// reads short keys through overlapping words) change the shape; equal ones do not.
TEST(LineShapeTest, KeysDifferingInAnyOneByteChangeTheShape) {
  auto line = [](const std::string& table, const std::string& tag, const std::string& field) {
    return parsed(table + "," + tag + "=v " + field + "=1 1");
  };
  for (size_t length = 1; length <= 24; ++length) {
    const std::string key(length, 'k');
    const ParsedLine example = line(key, key, key + "x");
    EXPECT_TRUE(has_same_shape(parsed(key + "," + key + "=w " + key + "x=2 2"), example));
    for (size_t at = 0; at < length; ++at) {
      std::string other = key;
      other[at] = 'j';
      EXPECT_FALSE(has_same_shape(line(other, key, key + "x"), example)) << "table " << other;
      EXPECT_FALSE(has_same_shape(line(key, other, key + "x"), example)) << "tag " << other;
      EXPECT_FALSE(has_same_shape(line(key, key, other + "x"), example)) << "field " << other;
    }
  }
}

TEST(LineShapeTest, ShapeNamesTheSchemaColumnOfEveryKeyInLineOrder) {
  TableSchema schema;
  schema.name = "ad";
  schema.columns = {{"time", ColumnKind::kTime, storage::ColumnType::kInt64},
                    {"spend", ColumnKind::kField, storage::ColumnType::kFloat64},
                    {"tenant", ColumnKind::kTag, storage::ColumnType::kString},
                    {"clicks", ColumnKind::kField, storage::ColumnType::kInt64},
                    {"entity", ColumnKind::kTag, storage::ColumnType::kString}};
  const ParsedLine line = parsed("ad,entity=e1,tenant=a clicks=3i,spend=1.5 1");
  const LineShape shape = shape_of(line, schema);
  EXPECT_EQ(shape.example, &line);
  EXPECT_THAT(shape.columns, ElementsAre(4u, 2u, 3u, 1u));
}

}  // namespace
}  // namespace tessera::engine
