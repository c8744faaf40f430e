#include "storage/segment/plain_chunk.h"

#include <gtest/gtest.h>

#include "storage/base/little_endian.h"
#include "tests/storage/segment/segment_test_blocks.h"

namespace tessera::storage {
namespace {

std::string u32s(std::initializer_list<uint32_t> values) {
  std::string out;
  for (uint32_t v : values) append_u32(&out, v);
  return out;
}

TEST(PlainChunkTest, EncodesIntsWithBitmapAsDocumented) {
  // 3 rows, row 1 NULL: has_nulls 01, bitmap 0b101 = 05, then three i64.
  Column column = testing::int_column({1, 0, -2}, {1, 0, 1});
  std::string expected("\x01\x05", 2);
  append_u64(&expected, 1);
  append_u64(&expected, 0);
  append_u64(&expected, static_cast<uint64_t>(-2));
  EXPECT_EQ(encode_column_chunk(column), expected);
  EXPECT_EQ(fixed_column_chunk_bytes(ColumnType::kInt64, 3, true), expected.size());
}

TEST(PlainChunkTest, EncodesStringsAsDictionaryThenCodes) {
  Column column = testing::string_column({"ab", ""}, {1, 0, 0});
  const std::string expected =
      std::string(1, '\0') + u32s({2, 2}) + "ab" + u32s({0}) + u32s({1, 0, 0});
  EXPECT_EQ(encode_column_chunk(column), expected);
}

TEST(PlainChunkTest, RejectsMalformedChunks) {
  auto expect_corrupt = [](std::string raw, ColumnType type, uint64_t rows, std::string_view why) {
    auto column = decode_column_chunk(raw, type, rows);
    ASSERT_FALSE(column.is_ok()) << why;
    EXPECT_EQ(column.error().code, ErrorCode::kCorruption) << why;
  };
  expect_corrupt("", ColumnType::kInt64, 0, "no has_nulls flag");
  expect_corrupt(std::string("\x02", 1) + std::string(8, '\0'), ColumnType::kInt64, 1, "flag 2");
  expect_corrupt(std::string("\x01\x03", 2) + std::string(1, '\0'), ColumnType::kBool, 1,
                 "padding bit set");
  expect_corrupt(std::string("\x00\x02", 2), ColumnType::kBool, 1, "bool 2");
  expect_corrupt(std::string(1, '\0') + std::string(7, '\0'), ColumnType::kInt64, 1, "short value");
  expect_corrupt(std::string(1, '\0') + std::string(9, '\0'), ColumnType::kInt64, 1,
                 "trailing byte");
  expect_corrupt(std::string(1, '\0') + u32s({0xFFFFFFFFu, 0}), ColumnType::kString, 1,
                 "absurd dictionary");
  expect_corrupt(std::string(1, '\0') + u32s({1, 0xFFFFFFF0u, 0}), ColumnType::kString, 1,
                 "absurd entry");
  expect_corrupt(std::string(1, '\0') + u32s({1, 0, 1}), ColumnType::kString, 1,
                 "code past dictionary");
  expect_corrupt(std::string(1, '\0') + u32s({0, 0}), ColumnType::kString, 1, "empty dictionary");
  expect_corrupt(std::string(16, '\0'), ColumnType::kInt64, 1u << 30, "absurd row count");
  EXPECT_FALSE(decode_time_chunk(std::string(15, '\0'), 2).is_ok());
  EXPECT_FALSE(decode_time_chunk(std::string(16, '\0'), UINT64_MAX / 4).is_ok());
}

TEST(PlainChunkTest, RoundTripsEveryRandomColumn) {
  for (const Block& block : testing::random_blocks(3, 30, 100)) {
    for (size_t c = 0; c < block.columns.size(); ++c) {
      const Column& column = block.columns[c];
      auto decoded = decode_column_chunk(encode_column_chunk(column), column.type, column.size());
      ASSERT_TRUE(decoded.is_ok()) << decoded.status().to_string();
      Block one, back;
      one.column_names = back.column_names = {"c"};
      one.columns = {column};
      back.columns = {*decoded};
      ASSERT_EQ(testing::render(back), testing::render(one));
    }
    auto time = decode_time_chunk(encode_time_chunk(block.time_ns), block.time_ns.size());
    ASSERT_TRUE(time.is_ok());
    EXPECT_EQ(*time, block.time_ns);
  }
}

}  // namespace
}  // namespace tessera::storage
