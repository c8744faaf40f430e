#include "engine/data_dir_inspector.h"

#include <gtest/gtest.h>

#include <fstream>

#include "engine/engine.h"
#include "tests/support/temp_dir.h"

namespace tessera::engine {
namespace {

using tessera::testing::TempDir;

void write_and_close(const std::filesystem::path& dir, std::string_view text) {
  EngineOptions options;
  options.data_dir = dir;
  auto engine = Engine::open(options);
  ASSERT_TRUE(engine.is_ok()) << engine.status().to_string();
  auto report = (*engine)->write_text(text, {});
  ASSERT_TRUE(report.is_ok()) << report.status().to_string();
  ASSERT_TRUE((*engine)->flush().is_ok());
}

TEST(DataDirInspectorTest, CountsRowsBlocksPartitionsAndNullsPerColumn) {
  TempDir dir;
  // Two days: two partitions. `clicks` is NULL in one of three rows (in a block of one
  // tenant that has a value too: a block where a column is all NULL leaves it out).
  write_and_close(dir.path(),
                  "ad,tenant=a spend=1.5,clicks=3i 0\n"
                  "ad,tenant=b spend=2.5 86400000000000\n"
                  "ad,tenant=b spend=0.5,clicks=1i 86400000000001\n");
  auto report = inspect_data_dir(dir.path());
  ASSERT_TRUE(report.is_ok()) << report.status().to_string();
  ASSERT_EQ(report->tables.size(), 1u);
  const TableStorage& table = report->tables[0];
  EXPECT_EQ(table.name, "ad");
  EXPECT_EQ(table.partitions, 2u);
  EXPECT_EQ(table.segments, 2u);
  EXPECT_EQ(table.rows, 3u);
  ASSERT_EQ(table.columns.size(), 4u);  // time, clicks, spend, tenant
  EXPECT_EQ(table.columns[0].name, "time");
  EXPECT_EQ(table.columns[0].values, 3u);
  EXPECT_EQ(table.columns[1].name, "clicks");
  EXPECT_EQ(table.columns[1].type, "INT");
  EXPECT_EQ(table.columns[1].values, 3u);
  EXPECT_EQ(table.columns[1].null_values, 1u);
  // Two partitions, one block each: two small vector chunks (too small for zstd).
  EXPECT_EQ(table.columns[1].encoding, "vectors:2");
  EXPECT_EQ(table.columns[1].vector_encodings, "plain:2");  // 1-2 values: plain is smallest
  EXPECT_EQ(table.columns[1].baseline_bytes, 3u * 8);
  EXPECT_GT(table.columns[2].stored_bytes, 0u);
  EXPECT_TRUE(report->problems.empty());
}

TEST(DataDirInspectorTest, ReportsACorruptSegmentAndKeepsGoing) {
  TempDir dir;
  write_and_close(dir.path(), "a v=1 1\nb v=2 2\n");
  // Damage one of the two segment files.
  auto segments = std::filesystem::directory_iterator(dir / "segments");
  std::filesystem::path victim = segments->path();
  { std::ofstream(victim, std::ios::binary | std::ios::trunc) << "not a segment"; }
  auto report = inspect_data_dir(dir.path());
  ASSERT_TRUE(report.is_ok()) << report.status().to_string();
  ASSERT_EQ(report->problems.size(), 1u);
  EXPECT_NE(report->problems[0].find(victim.filename().string()), std::string::npos)
      << report->problems[0];
  uint64_t rows = 0;
  for (const TableStorage& t : report->tables) rows += t.rows;
  EXPECT_EQ(rows, 1u);
}

TEST(DataDirInspectorTest, ADirectoryWithoutTesseraFilesIsNotFound) {
  TempDir dir;
  auto report = inspect_data_dir(dir.path());
  ASSERT_FALSE(report.is_ok());
  EXPECT_EQ(report.error().code, ErrorCode::kNotFound);
}

}  // namespace
}  // namespace tessera::engine
