#include "server/loadgen/pass_time_shift.h"

#include <gtest/gtest.h>

#include <fstream>

#include "server/loadgen/line_block_source.h"
#include "tests/support/temp_dir.h"

namespace tessera::loadgen {
namespace {

void write_file(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
}

// The blocks the source hands out until it has sent at least `lines` lines, concatenated.
std::string take_lines(LineBlockSource& source, uint64_t lines) {
  std::string all, block;
  uint64_t sent = 0;
  while (sent < lines) {
    auto n = source.next_block(block);
    EXPECT_TRUE(n.is_ok()) << n.error().message;
    if (!n.is_ok() || *n == 0) break;
    sent += *n;
    all += block;
  }
  return all;
}

TEST(PassTimeShiftTest, FindsTheTimestampAfterTheFieldSet) {
  EXPECT_EQ(line_timestamp_ns("m,t=a f=1 1735689600000000000"), 1735689600000000000);
  EXPECT_EQ(line_timestamp_ns("m f=1i -5\r"), -5);
  EXPECT_EQ(line_timestamp_ns("m f=1"), std::nullopt);                       // no timestamp
  EXPECT_EQ(line_timestamp_ns("m s=\"a 12\""), std::nullopt);                // a string's last word
  EXPECT_EQ(line_timestamp_ns("m,t=a f=1 12x"), std::nullopt);               // not a number
  EXPECT_EQ(line_timestamp_ns("m 12"), std::nullopt);                        // only one space
  EXPECT_EQ(line_timestamp_ns("m f=1 99999999999999999999"), std::nullopt);  // too large
}

TEST(PassTimeShiftTest, AppendsTheLineWithItsTimestampMoved) {
  std::string out;
  ASSERT_TRUE(append_shifted_line("m,t=a f=1 100", 86'400, out).is_ok());
  ASSERT_TRUE(append_shifted_line("m f=\"x 7\"", 86'400, out).is_ok());  // no timestamp
  ASSERT_TRUE(append_shifted_line("m f=2 -100\r", 50, out).is_ok());
  EXPECT_EQ(out, "m,t=a f=1 86500\nm f=\"x 7\"\nm f=2 -50\n");
  EXPECT_EQ(append_shifted_line("m f=1 9223372036854775800", 8, out).code(),
            ErrorCode::kLimitExceeded);
}

TEST(PassTimeShiftTest, SpanIsRoundedUpToWholeDays) {
  testing::TempDir dir;
  // 2025-01-01T00:00 to 2025-01-02T23:45 over two files: 2 days less 15 minutes.
  write_file(dir / "a.lp", "a f=1 1735776000000000000\n#comment\na f=2 1735689600000000000\n");
  write_file(dir / "b.lp", "b f=1\nb f=1 1735861500000000000");  // no final '\n'
  auto span = files_time_span_ns({dir / "a.lp", dir / "b.lp"});
  ASSERT_TRUE(span.is_ok()) << span.error().message;
  EXPECT_EQ(*span, 2 * kNanosPerDay);

  // Exactly one day apart: the next pass must start after the last row, so two days.
  write_file(dir / "c.lp", "c f=1 0\nc f=1 86400000000000\n");
  EXPECT_EQ(*files_time_span_ns({dir / "c.lp"}), 2 * kNanosPerDay);

  write_file(dir / "d.lp", "d f=1\n");
  EXPECT_EQ(files_time_span_ns({dir / "d.lp"}).error().code, ErrorCode::kInvalidInput);
  EXPECT_EQ(files_time_span_ns({dir / "missing.lp"}).error().code, ErrorCode::kIoError);
}

TEST(PassTimeShiftTest, LoopedPassesMoveForwardBySpan) {
  testing::TempDir dir;
  write_file(dir / "a.lp", "m f=1 10\nm f=2 20\n");
  write_file(dir / "b.lp", "n f=3 15\n");
  LineBlockSource source({dir / "a.lp", dir / "b.lp"}, 2, /*loop=*/true, PassShift{1000, 0});
  // Blocks of two lines: the second and fifth blocks straddle a pass boundary.
  EXPECT_EQ(take_lines(source, 10),
            "m f=1 10\nm f=2 20\nn f=3 15\n"
            "m f=1 1010\nm f=2 1020\nn f=3 1015\n"
            "m f=1 2010\nm f=2 2020\nn f=3 2015\n"
            "m f=1 3010\n");
}

TEST(PassTimeShiftTest, AfterLoadedShiftsTheFirstPassToo) {
  testing::TempDir dir;
  write_file(dir / "a.lp", "m,t=x f=1 10\nm f=2\n");
  LineBlockSource source({dir / "a.lp"}, 2, /*loop=*/true, PassShift{500, 1});
  EXPECT_EQ(take_lines(source, 4), "m,t=x f=1 510\nm f=2\nm,t=x f=1 1010\nm f=2\n");
}

TEST(PassTimeShiftTest, RestatingLoopRepeatsTheFilesTimestamps) {
  testing::TempDir dir;
  write_file(dir / "a.lp", "m f=1 10\n");
  LineBlockSource source({dir / "a.lp"}, 1, /*loop=*/true);
  EXPECT_EQ(take_lines(source, 3), "m f=1 10\nm f=1 10\nm f=1 10\n");
}

TEST(PassTimeShiftTest, ShiftPastInt64IsAnErrorNotAWrap) {
  testing::TempDir dir;
  write_file(dir / "a.lp", "m f=1 10\n");
  LineBlockSource source({dir / "a.lp"}, 1, /*loop=*/true, PassShift{int64_t{1} << 62, 0});
  std::string block;
  EXPECT_TRUE(source.next_block(block).is_ok());  // pass 0: + 0
  EXPECT_TRUE(source.next_block(block).is_ok());  // pass 1: + 2^62
  auto third = source.next_block(block);          // pass 2: 2^63 overflows
  ASSERT_FALSE(third.is_ok());
  EXPECT_EQ(third.error().code, ErrorCode::kLimitExceeded);
}

}  // namespace
}  // namespace tessera::loadgen
