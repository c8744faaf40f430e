#include "engine/manifest.h"

#include <gtest/gtest.h>

namespace tessera::engine {
namespace {

Manifest sample() {
  Manifest m;
  m.wal_start = 7;
  m.next_file_number = 12;
  TableSchema t;
  t.name = "ad snapshot,1";  // needs escaping
  t.columns = {{"time", ColumnKind::kTime, storage::ColumnType::kInt64},
               {"tenant", ColumnKind::kTag, storage::ColumnType::kString},
               {"100%", ColumnKind::kField, storage::ColumnType::kFloat64},
               {"", ColumnKind::kField, storage::ColumnType::kBool}};
  t.options.dedup_columns = {"tenant", "entity id"};
  t.options.retention_ns = 3;
  m.tables.push_back(t);
  TableSchema u;
  u.name = "u";
  u.columns = {{"time", ColumnKind::kTime, storage::ColumnType::kInt64}};
  u.options.tenant_column.reset();
  m.tables.push_back(u);
  m.segments.push_back({"ad snapshot,1", -86'400'000'000'000, "0000000003.tsg", false});
  m.segments.push_back({"u", 0, "0000000004.tsg", true});
  return m;
}

TEST(ManifestTest, RoundTripsSchemasOptionsAndSegments) {
  Manifest m = sample();
  auto decoded = decode_manifest(encode_manifest(m));
  ASSERT_TRUE(decoded.is_ok()) << decoded.status().to_string();
  EXPECT_EQ(decoded->wal_start, 7u);
  EXPECT_EQ(decoded->next_file_number, 12u);
  ASSERT_EQ(decoded->tables.size(), 2u);
  EXPECT_EQ(decoded->tables[0].name, m.tables[0].name);
  EXPECT_EQ(decoded->tables[0].columns, m.tables[0].columns);
  EXPECT_EQ(decoded->tables[0].options, m.tables[0].options);
  EXPECT_EQ(decoded->tables[1].options, m.tables[1].options);
  EXPECT_EQ(decoded->segments, m.segments);
}

TEST(ManifestTest, EveryFlippedByteOrTruncationIsReportedAsCorruption) {
  std::string text = encode_manifest(sample());
  for (size_t i = 0; i < text.size(); ++i) {
    std::string damaged = text;
    damaged[i] ^= 0x20;
    auto decoded = decode_manifest(damaged);
    ASSERT_FALSE(decoded.is_ok()) << "flip at " << i;
    EXPECT_EQ(decoded.error().code, ErrorCode::kCorruption);
  }
  for (size_t n = 0; n < text.size(); ++n) {
    EXPECT_FALSE(decode_manifest(text.substr(0, n)).is_ok()) << "truncated to " << n;
  }
}

TEST(ManifestTest, SchemaRecordRoundTrips) {
  TableSchema t = sample().tables[0];
  auto decoded = decode_schema(encode_schema(t));
  ASSERT_TRUE(decoded.is_ok()) << decoded.status().to_string();
  EXPECT_EQ(decoded->name, t.name);
  EXPECT_EQ(decoded->columns, t.columns);
  EXPECT_EQ(decoded->options, t.options);
}

}  // namespace
}  // namespace tessera::engine
