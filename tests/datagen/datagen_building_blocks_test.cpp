// Tests of the generator's building blocks: calendar arithmetic, exact number
// formatting of LineWriter, percentile_cont, the PRNG and the weighted picker.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include "bench/datagen/civil_date.h"
#include "bench/datagen/line_writer.h"
#include "bench/datagen/percentile.h"
#include "bench/datagen/random.h"
#include "bench/datagen/weighted_choice.h"

namespace tessera::datagen {
namespace {

namespace fs = std::filesystem;

TEST(CivilDateTest, ParsesDatesAndRejectsNonDays) {
  EXPECT_EQ(*parse_civil_date("1970-01-01"), 0);
  EXPECT_EQ(*parse_civil_date("2025-01-01"), 20089);  // 1735689600 / 86400
  EXPECT_EQ(*parse_civil_date("2024-02-29"), 19782);
  for (const char* bad : {"2025-02-29", "2025-13-01", "2025-00-10", "2025-1-01", "20250101",
                          "1969-12-31", "2200-01-01", "2025-01-01x", ""}) {
    Result<int64_t> r = parse_civil_date(bad);
    ASSERT_FALSE(r.is_ok()) << bad;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidInput) << bad;
  }
}

TEST(CivilDateTest, WeekdaysAndIsoFormattingMatchTheCalendar) {
  EXPECT_EQ(weekday_monday0(0), 3);                                // 1970-01-01 was a Thursday
  EXPECT_EQ(weekday_monday0(*parse_civil_date("2025-01-01")), 2);  // a Wednesday
  EXPECT_EQ(weekday_monday0(*parse_civil_date("2025-01-06")), 0);  // a Monday
  EXPECT_EQ(format_iso_seconds(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(format_iso_seconds(1735689600 + 900), "2025-01-01T00:15:00Z");
  EXPECT_EQ(format_iso_seconds(951782400 + 86399), "2000-02-29T23:59:59Z");
  // Round trip over many days, including leap years and century rules.
  for (int64_t day = 0; day < 80000; day += 37) {
    const std::string iso = format_iso_seconds(day * 86400);
    EXPECT_EQ(*parse_civil_date(std::string_view(iso).substr(0, 10)), day) << iso;
  }
}

std::string write_and_read(void (*fill)(LineWriter&)) {
  const fs::path path =
      fs::temp_directory_path() / ("tessera_line_writer_" + std::to_string(::getpid()));
  LineWriter out;
  EXPECT_TRUE(out.open(path).is_ok());
  fill(out);
  EXPECT_TRUE(out.finish().is_ok());
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  fs::remove(path);
  return ss.str();
}

TEST(LineWriterTest, FormatsFieldsExactly) {
  const std::string text = write_and_read([](LineWriter& out) {
    out.begin_line("m,a=1 ");
    out.scaled_field("spend", 1234, 2);
    out.scaled_field("small", 5, 2);
    out.scaled_field("neg", -105, 2);
    out.scaled_field("tenths", 70, 1);
    out.scaled_field("ms", 93417, 3);
    out.int_field("n", -42);
    out.bool_field("t", true);
    out.bool_field("f", false);
    out.float4_field("x", 35.5);
    out.float4_field("y", 12.0);
    out.float4_field("z", 2.0 / 3.0);
    out.float4_field("w", 0.00004);
    out.end_line(1735689600000000000);
  });
  EXPECT_EQ(text,
            "m,a=1 spend=12.34,small=0.05,neg=-1.05,tenths=7.0,ms=93.417,n=-42i,t=true,"
            "f=false,x=35.5,y=12,z=0.6667,w=0 1735689600000000000\n");
}

TEST(LineWriterTest, CountsRowsAndBytesAcrossFlushes) {
  const fs::path path =
      fs::temp_directory_path() / ("tessera_line_writer_big_" + std::to_string(::getpid()));
  LineWriter out;
  ASSERT_TRUE(out.open(path).is_ok());
  const std::string line(1000, 'x');
  for (int k = 0; k < 10000; ++k) out.raw_line(line + "\n");  // > 2 flush thresholds
  EXPECT_EQ(out.rows(), 10000u);
  EXPECT_EQ(out.bytes(), 10010000u);
  ASSERT_TRUE(out.finish().is_ok());
  EXPECT_EQ(fs::file_size(path), 10010000u);
  fs::remove(path);
}

TEST(LineWriterTest, ReportsAnUncreatableFileAsIoError) {
  LineWriter out;
  Status s = out.open("/nonexistent-dir-for-tessera-test/x.lp");
  ASSERT_FALSE(s.is_ok());
  EXPECT_EQ(s.code(), ErrorCode::kIoError);
}

TEST(PercentileContTest, InterpolatesLikePostgres) {
  const std::vector<double> v = {1, 2, 3, 4};
  EXPECT_DOUBLE_EQ(*percentile_cont(v, 0.5), 2.5);
  EXPECT_DOUBLE_EQ(*percentile_cont(v, 0.95), 3.85);  // pos 2.85
  EXPECT_DOUBLE_EQ(*percentile_cont(v, 0.0), 1);
  EXPECT_DOUBLE_EQ(*percentile_cont(v, 1.0), 4);
  const std::vector<double> one = {7};
  EXPECT_DOUBLE_EQ(*percentile_cont(one, 0.95), 7);
  EXPECT_FALSE(percentile_cont(std::vector<double>{}, 0.5).has_value());
}

TEST(RngTest, IsDeterministicAndRoughlyUniformAndNormal) {
  Rng a(42), b(42), c(43);
  bool differs = false;
  for (int k = 0; k < 100; ++k) {
    const uint64_t x = a.next_u64();
    EXPECT_EQ(x, b.next_u64());
    differs |= x != c.next_u64();
  }
  EXPECT_TRUE(differs);
  EXPECT_NE(stream_seed(42, "ad", 0), stream_seed(42, "ad", 1));
  EXPECT_NE(stream_seed(42, "ad", 0), stream_seed(42, "cx", 0));
  EXPECT_NE(stream_seed(42, "ad", 0), stream_seed(43, "ad", 0));

  Rng r(7);
  SCOPED_TRACE("seed 7");
  constexpr int kN = 200000;
  double sum_u = 0, sum_z = 0, sum_z2 = 0;
  for (int k = 0; k < kN; ++k) {
    const double u = r.uniform();
    ASSERT_GE(u, 0.0);
    ASSERT_LT(u, 1.0);
    sum_u += u;
    const double z = r.normal(0, 1);
    sum_z += z;
    sum_z2 += z * z;
  }
  EXPECT_NEAR(sum_u / kN, 0.5, 0.01);
  EXPECT_NEAR(sum_z / kN, 0.0, 0.01);
  EXPECT_NEAR(sum_z2 / kN, 1.0, 0.02);
  for (int k = 0; k < 1000; ++k) EXPECT_LT(r.below(3), 3u);
}

TEST(WeightedChoiceTest, PicksByCumulativeWeight) {
  const std::vector<double> w = {1, 0, 3};
  const WeightedChoice choice(w);
  EXPECT_EQ(choice.index_of(0.0), 0u);
  EXPECT_EQ(choice.index_of(0.2499), 0u);
  EXPECT_EQ(choice.index_of(0.25), 2u);  // the zero weight is never picked
  EXPECT_EQ(choice.index_of(0.9999999), 2u);
  const std::vector<double> z = zipf_weights(4, 1.0);  // 1, 1/2, 1/3, 1/4 over 25/12
  EXPECT_NEAR(z[0], 12.0 / 25.0, 1e-12);
  EXPECT_NEAR(z[3], 3.0 / 25.0, 1e-12);
}

}  // namespace
}  // namespace tessera::datagen
