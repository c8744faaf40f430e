#include "storage/segment/vector_chunk.h"

#include <gtest/gtest.h>

#include <limits>
#include <random>

#include "storage/base/little_endian.h"
#include "storage/codec/codec_registry.h"
#include "storage/codec/vector_header.h"
#include "storage/segment/plain_chunk.h"
#include "tests/storage/segment/segment_test_blocks.h"

namespace tessera::storage {
namespace {

constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
constexpr double kInf = std::numeric_limits<double>::infinity();

// A one-column block for render().
Block one_column(std::vector<int64_t> time, Column column) {
  Block block;
  block.time_ns = std::move(time);
  block.column_names = {"c"};
  block.columns = {std::move(column)};
  return block;
}

// Encodes with the vector layout and decodes, expecting the column back bit for
// bit; and checks it against the plain chunk's decoding of the same column (the
// differential: both encodings must mean the same rows).
void expect_round_trip(const Column& column) {
  const uint64_t rows = column.size();
  std::vector<int64_t> time(rows, 0);
  const std::string encoded = encode_column_vectors(column);
  auto decoded = decode_column_vectors(encoded, column.type, rows);
  ASSERT_TRUE(decoded.is_ok()) << decoded.status().to_string();
  auto plain = decode_column_chunk(encode_column_chunk(column), column.type, rows);
  ASSERT_TRUE(plain.is_ok()) << plain.status().to_string();
  EXPECT_EQ(testing::render(one_column(time, *decoded)), testing::render(one_column(time, *plain)));
  EXPECT_EQ(testing::render(one_column(time, *decoded)), testing::render(one_column(time, column)));
}

TEST(VectorChunkTest, EncodesSmallIntColumnAsDocumented) {
  // docs/format/segment.md, "Vector chunks": 3 rows, row 1 NULL. The bitmap (1
  // byte) beats validity vectors; for 3 values plain (27 bytes) beats every
  // packed encoding, whose bit-packed body alone rounds up to 32 bytes.
  Column column = testing::int_column({1, 0, -2}, {1, 0, 1});
  std::string expected("\x01\x05\x1b\x00\x01\x03\x00", 7);
  append_u64(&expected, 1);
  append_u64(&expected, 0);
  append_u64(&expected, static_cast<uint64_t>(-2));
  EXPECT_EQ(encode_column_vectors(column), expected);
}

TEST(VectorChunkTest, EncodesBoolsAsBitmap) {
  // No NULLs (00), then the bitmap of 1,0,1,1 = 0b1101 = 0d.
  EXPECT_EQ(encode_column_vectors(testing::bool_column({1, 0, 1, 1})), std::string("\x00\x0d", 2));
}

TEST(VectorChunkTest, EncodesStringsAsDictionaryThenCodeVectors) {
  Column column = testing::string_column({"ab", ""}, {1, 0, 0});
  std::string expected(1, '\0');
  append_u32(&expected, 2);
  append_u32(&expected, 2);
  expected += "ab";
  append_u32(&expected, 0);
  // Codes 1,0,0 as one encoded vector, whatever encoding wins.
  std::string codes;
  ASSERT_TRUE(encode_int64_vector(std::vector<int64_t>{1, 0, 0}, &codes).is_ok());
  append_u16(&expected, static_cast<uint16_t>(codes.size()));
  expected += codes;
  EXPECT_EQ(encode_column_vectors(column), expected);
}

TEST(VectorChunkTest, LongNullRunsUseValidityVectors) {
  std::vector<uint8_t> valid(5000, 1);
  std::fill(valid.begin() + 100, valid.begin() + 4000, 0);
  const std::string encoded =
      encode_column_vectors(testing::int_column(std::vector<int64_t>(5000, 7), valid));
  EXPECT_EQ(encoded[0], static_cast<char>(kNullsVectors));
  EXPECT_LT(encoded.size(), 5000u / 8);  // smaller than the bitmap alone
  expect_round_trip(testing::int_column(std::vector<int64_t>(5000, 7), valid));
}

TEST(VectorChunkTest, TimeRoundTripsAndCadenceIsSmall) {
  std::vector<int64_t> time;
  for (int64_t i = 0; i < 3000; ++i)
    time.push_back(1'700'000'000'000'000'000 + i * 900'000'000'000);
  const std::string encoded = encode_time_vectors(time);
  EXPECT_LT(encoded.size(), 100u);  // three vectors of a constant cadence
  auto decoded = decode_time_vectors(encoded, time.size());
  ASSERT_TRUE(decoded.is_ok()) << decoded.status().to_string();
  EXPECT_EQ(*decoded, time);
  auto ids = list_vector_encodings(encoded, ColumnType::kInt64, time.size(), /*is_time=*/true);
  ASSERT_TRUE(ids.is_ok());
  EXPECT_EQ(*ids, std::vector<uint8_t>(3, static_cast<uint8_t>(EncodingId::kDelta)));
}

TEST(VectorChunkTest, RoundTripsEdgeCases) {
  expect_round_trip(testing::int_column({kMin, kMax, 0, -1, kMin, kMax}));
  expect_round_trip(testing::int_column({42}));                  // one row
  expect_round_trip(testing::int_column({0, 0, 0}, {0, 0, 0}));  // all NULL
  expect_round_trip(testing::float_column({std::nan(""), kInf, -kInf, -0.0, 0.0, 1e-308}));
  expect_round_trip(testing::float_column({-0.0}));
  expect_round_trip(testing::float_column({0.0, 0.0}, {0, 0}));
  expect_round_trip(testing::bool_column({1}));
  expect_round_trip(testing::bool_column({0, 1, 0}, {0, 0, 0}));
  expect_round_trip(testing::string_column({""}, {0, 0}));     // empty string
  expect_round_trip(testing::string_column({"x"}, {0}, {0}));  // all NULL, one row
  std::vector<double> floats(2049);
  for (size_t i = 0; i < floats.size(); ++i) floats[i] = static_cast<double>(i % 97) / 100;
  floats[1024] = std::nan("");
  floats[2048] = -0.0;
  expect_round_trip(testing::float_column(floats));
}

TEST(VectorChunkTest, EmptyDictionaryOnlyDecodesWithNoRows) {
  // A dictionary of 0 entries cannot hold any code: with rows, the codes fail.
  std::string raw(1, '\0');
  append_u32(&raw, 0);
  std::string codes;
  ASSERT_TRUE(encode_int64_vector(std::vector<int64_t>{0}, &codes).is_ok());
  append_u16(&raw, static_cast<uint16_t>(codes.size()));
  raw += codes;
  auto column = decode_column_vectors(raw, ColumnType::kString, 1);
  ASSERT_FALSE(column.is_ok());
  EXPECT_EQ(column.error().code, ErrorCode::kCorruption);
}

// Random columns of every type, sizes across vector boundaries, NULL patterns
// (none, random, runs, all), and values from narrow ranges, runs and raw bits.
Column random_column(std::mt19937_64& rng, ColumnType type, size_t rows) {
  Column column;
  column.type = type;
  const int null_mode = static_cast<int>(rng() % 4);
  if (null_mode != 0) {
    column.valid.resize(rows);
    size_t row = 0;
    while (row < rows) {
      const size_t run = null_mode == 2 ? 1 + rng() % 300 : 1;
      const uint8_t v = null_mode == 3 ? 0 : static_cast<uint8_t>(rng() % 3 != 0);
      for (size_t r = 0; r < run && row < rows; ++r) column.valid[row++] = v;
    }
  }
  const int value_mode = static_cast<int>(rng() % 3);
  auto next_int = [&](int64_t prev) -> int64_t {
    switch (value_mode) {
      case 0:
        return static_cast<int64_t>(rng() % 100);
      case 1:
        return rng() % 50 == 0 ? static_cast<int64_t>(rng()) : prev;
      default:
        return static_cast<int64_t>(rng()) >> (rng() % 64);
    }
  };
  int64_t prev = 0;
  for (size_t row = 0; row < rows; ++row) {
    prev = next_int(prev);
    switch (type) {
      case ColumnType::kInt64:
        column.ints.push_back(prev);
        break;
      case ColumnType::kFloat64: {
        double v = static_cast<double>(prev % 100000) / 100;
        if (value_mode == 2) {
          const uint64_t bits = rng();
          std::memcpy(&v, &bits, 8);
        }
        const double specials[] = {std::nan(""), kInf, -kInf, -0.0};
        if (rng() % 50 == 0) v = specials[rng() % 4];
        column.floats.push_back(v);
        break;
      }
      case ColumnType::kBool:
        column.bools.push_back(static_cast<uint8_t>(prev & 1));
        break;
      case ColumnType::kString:
        column.codes.push_back(static_cast<uint32_t>(static_cast<uint64_t>(prev) % 37));
        break;
    }
  }
  if (type == ColumnType::kString) {
    for (int i = 0; i < 37; ++i) column.dictionary.push_back(std::string(i % 5, 'a' + i % 26));
  }
  return column;
}

TEST(VectorChunkTest, RandomColumnsMatchThePlainColumn) {
  for (uint32_t seed = 1; seed <= 60; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    std::mt19937_64 rng(seed);
    const size_t sizes[] = {1, 7, 1023, 1024, 1025, 2500};
    const size_t rows = sizes[rng() % std::size(sizes)];
    const auto type = static_cast<ColumnType>(1 + rng() % 4);
    expect_round_trip(random_column(rng, type, rows));
  }
}

TEST(VectorChunkTest, RandomTimeColumnsRoundTrip) {
  for (uint32_t seed = 1; seed <= 20; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    std::mt19937_64 rng(seed);
    std::vector<int64_t> time(1 + rng() % 3000);
    uint64_t t = rng();
    for (int64_t& v : time) {
      t += rng() % 20 == 0 ? rng() : 900;  // cadence with jumps, wrapping
      v = static_cast<int64_t>(t);
    }
    auto decoded = decode_time_vectors(encode_time_vectors(time), time.size());
    ASSERT_TRUE(decoded.is_ok()) << decoded.status().to_string();
    EXPECT_EQ(*decoded, time);
  }
}

// Chunks have no checksum of their own (the segment's crc covers them), but the
// decoder must still never crash or overrun on any damage: an error or a column
// of the right shape.
void expect_damage_is_safe(const std::string& raw, ColumnType type, uint64_t rows) {
  auto check = [&](std::string_view bytes) {
    auto column = decode_column_vectors(bytes, type, rows);
    if (!column.is_ok()) {
      ASSERT_EQ(column.error().code, ErrorCode::kCorruption);
      return;
    }
    ASSERT_EQ(column->size(), rows);
    for (uint32_t code : column->codes) ASSERT_LT(code, column->dictionary.size());
  };
  for (size_t length = 0; length < raw.size(); ++length) {
    SCOPED_TRACE("length " + std::to_string(length));
    auto column = decode_column_vectors(std::string_view(raw).substr(0, length), type, rows);
    ASSERT_FALSE(column.is_ok());
    ASSERT_EQ(column.error().code, ErrorCode::kCorruption);
  }
  for (size_t at = 0; at < raw.size(); ++at) {
    for (int bit : {0, 7}) {
      SCOPED_TRACE("byte " + std::to_string(at) + " bit " + std::to_string(bit));
      std::string damaged = raw;
      damaged[at] = static_cast<char>(damaged[at] ^ (1 << bit));
      check(damaged);
    }
  }
  // An absurd row count for a small chunk fails before allocating.
  auto column = decode_column_vectors(raw, type, uint64_t{1} << 40);
  ASSERT_FALSE(column.is_ok());
}

TEST(VectorChunkTest, DamagedChunksNeverCrash) {
  std::mt19937_64 rng(99);
  for (auto type :
       {ColumnType::kInt64, ColumnType::kFloat64, ColumnType::kBool, ColumnType::kString}) {
    SCOPED_TRACE(std::string(column_type_name(type)));
    const Column column = random_column(rng, type, 1100);
    expect_damage_is_safe(encode_column_vectors(column), type, 1100);
  }
}

}  // namespace
}  // namespace tessera::storage
