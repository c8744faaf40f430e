// Tests of the workload generator through its public API: the files it writes
// are parsed here with a tiny test-local line-protocol splitter (independent of
// the engine's parser) and checked against brute-force recomputations.
#include "bench/datagen/workload_generator.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace tessera::datagen {
namespace {

namespace fs = std::filesystem;

constexpr int64_t kNsPerSecond = 1'000'000'000;
constexpr int64_t kNsPerDay = 86400 * kNsPerSecond;
constexpr int64_t kNsPerSlot = 900 * kNsPerSecond;

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<std::string> split(std::string_view text, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  for (;;) {
    const size_t pos = text.find(sep, start);
    out.emplace_back(
        text.substr(start, pos == std::string_view::npos ? std::string_view::npos : pos - start));
    if (pos == std::string_view::npos) return out;
    start = pos + 1;
  }
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines = split(text, '\n');
  EXPECT_TRUE(!lines.empty() && lines.back().empty()) << "file must end with a newline";
  if (!lines.empty()) lines.pop_back();
  return lines;
}

// One line-protocol line, split naively: the generator never escapes, so a
// space separates series, fields and timestamp.
struct Line {
  std::string measurement;
  std::vector<std::pair<std::string, std::string>> tags;    // in line order
  std::vector<std::pair<std::string, std::string>> fields;  // raw text, in line order
  int64_t ts = 0;

  const std::string& tag(const std::string& key) const {
    for (const auto& [k, v] : tags) {
      if (k == key) return v;
    }
    static const std::string kNone = "<no tag>";
    return kNone;
  }
  const std::string* find(const std::string& key) const {
    for (const auto& [k, v] : fields) {
      if (k == key) return &v;
    }
    return nullptr;
  }
  bool has(const std::string& key) const { return find(key) != nullptr; }
  const std::string& text(const std::string& key) const {
    static const std::string kNone = "<absent>";
    const std::string* v = find(key);
    EXPECT_TRUE(v != nullptr) << key;
    return v != nullptr ? *v : kNone;
  }
  int64_t i(const std::string& key) const {
    const std::string& raw = text(key);
    EXPECT_EQ(raw.back(), 'i') << key << "=" << raw;
    return std::stoll(raw.substr(0, raw.size() - 1));
  }
  double f(const std::string& key) const { return std::stod(text(key)); }
  bool b(const std::string& key) const { return text(key) == "true"; }
  // Exact value of a decimal with exactly two digits after the point, in cents.
  int64_t cents(const std::string& key) const {
    const std::string& raw = text(key);
    const size_t dot = raw.find('.');
    EXPECT_TRUE(dot != std::string::npos && raw.size() - dot == 3) << key << "=" << raw;
    return std::stoll(raw.substr(0, dot)) * 100 + std::stoll(raw.substr(dot + 1));
  }
  // conversions are printed with one decimal, whole or .5: value in halves.
  int64_t halves(const std::string& key) const {
    const std::string& raw = text(key);
    const size_t dot = raw.find('.');
    EXPECT_TRUE(dot != std::string::npos && raw.size() - dot == 2) << key << "=" << raw;
    const int64_t tenths = std::stoll(raw.substr(0, dot)) * 10 + std::stoll(raw.substr(dot + 1));
    EXPECT_EQ(tenths % 5, 0) << key << "=" << raw;
    return tenths / 5;
  }
  std::string series() const {
    std::string s = measurement;
    for (const auto& [k, v] : tags) s += "," + k + "=" + v;
    return s;
  }
};

Line parse(const std::string& text) {
  Line line;
  const std::vector<std::string> parts = split(text, ' ');
  EXPECT_EQ(parts.size(), 3u) << text;
  if (parts.size() != 3) return line;
  const std::vector<std::string> series = split(parts[0], ',');
  line.measurement = series[0];
  for (size_t k = 1; k < series.size(); ++k) {
    const size_t eq = series[k].find('=');
    line.tags.emplace_back(series[k].substr(0, eq), series[k].substr(eq + 1));
  }
  for (const std::string& kv : split(parts[1], ',')) {
    const size_t eq = kv.find('=');
    EXPECT_NE(eq, std::string::npos) << text;
    EXPECT_FALSE(line.has(kv.substr(0, eq))) << "duplicate field: " << text;
    line.fields.emplace_back(kv.substr(0, eq), kv.substr(eq + 1));
  }
  line.ts = std::stoll(parts[2]);
  return line;
}

std::vector<Line> parse_file(const fs::path& dir, const std::string& table) {
  std::vector<Line> out;
  for (const std::string& text : lines_of(read_file(dir / (table + ".lp")))) {
    out.push_back(parse(text));
  }
  return out;
}

fs::path temp_dir(const std::string& name) {
  return fs::temp_directory_path() /
         ("tessera_datagen_test_" + std::to_string(::getpid()) + "_" + name);
}

GenReport generate(const GenOptions& options, const fs::path& dir) {
  fs::remove_all(dir);
  Result<GenReport> report = generate_workload(options, dir);
  EXPECT_TRUE(report.is_ok()) << report.status().to_string();
  return report.is_ok() ? std::move(report).value() : GenReport{};
}

// Two workloads generated once for the whole suite: tiny, and tiny's daily
// volumes spread over 2 days, 100 entities, 20 tenants and 30 shops (about 100
// restatements; many shop-days without conversations).
class WorkloadGeneratorTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    tiny_dir_ = new fs::path(temp_dir("tiny"));
    tiny_report_ = new GenReport(generate(GenOptions{}, *tiny_dir_));
    GenOptions small;
    small.days = 2;
    small.entities = 100;
    small.tenants = 20;
    small.shops = 30;
    small.seed = 7;
    small_dir_ = new fs::path(temp_dir("small2"));
    small_report_ = new GenReport(generate(small, *small_dir_));
  }
  static void TearDownTestSuite() {
    fs::remove_all(*tiny_dir_);
    fs::remove_all(*small_dir_);
    delete tiny_dir_;
    delete tiny_report_;
    delete small_dir_;
    delete small_report_;
    delete parsed_;
  }
  // Each file is parsed once for the whole suite (sanitizer builds parse slowly).
  static const std::vector<Line>& parse_table(const fs::path& dir, const std::string& table) {
    if (parsed_ == nullptr) parsed_ = new std::map<std::string, std::vector<Line>>;
    const std::string key = (dir / table).string();
    auto it = parsed_->find(key);
    if (it == parsed_->end()) it = parsed_->emplace(key, parse_file(dir, table)).first;
    return it->second;
  }
  static std::vector<fs::path> dirs() { return {*tiny_dir_, *small_dir_}; }

  static fs::path* tiny_dir_;
  static GenReport* tiny_report_;
  static fs::path* small_dir_;
  static GenReport* small_report_;
  static std::map<std::string, std::vector<Line>>* parsed_;
};
std::map<std::string, std::vector<Line>>* WorkloadGeneratorTest::parsed_ = nullptr;
fs::path* WorkloadGeneratorTest::tiny_dir_ = nullptr;
GenReport* WorkloadGeneratorTest::tiny_report_ = nullptr;
fs::path* WorkloadGeneratorTest::small_dir_ = nullptr;
GenReport* WorkloadGeneratorTest::small_report_ = nullptr;

TEST(WorkloadGeneratorScaleTest, ParsesTheFourScaleNames) {
  EXPECT_EQ(*parse_scale("tiny"), Scale::kTiny);
  EXPECT_EQ(*parse_scale("small"), Scale::kSmall);
  EXPECT_EQ(*parse_scale("medium"), Scale::kMedium);
  EXPECT_EQ(*parse_scale("large"), Scale::kLarge);
  for (std::string_view bad : {"", "huge", "Tiny", "tiny "}) {
    Result<Scale> r = parse_scale(bad);
    ASSERT_FALSE(r.is_ok()) << bad;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidInput);
  }
}

TEST(WorkloadGeneratorOptionsTest, RejectsBadOptionsWithInvalidInput) {
  const fs::path dir = temp_dir("bad");
  std::vector<GenOptions> bad(6);
  bad[0].tables = {"ad_snapshot", "nope"};
  bad[1].start_date = "2025-02-30";
  bad[2].start_date = "1969-12-31";
  bad[3].days = 0;
  bad[4].entities = kMaxEntities + 1;
  bad[5].shops = -3;
  for (size_t k = 0; k < bad.size(); ++k) {
    Result<GenReport> r = generate_workload(bad[k], dir);
    ASSERT_FALSE(r.is_ok()) << "case " << k;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidInput) << r.error().message;
  }
  fs::remove_all(dir);
}

TEST(WorkloadGeneratorOptionsTest, ReportsAnUnwritableOutputDirAsIoError) {
  const fs::path file = temp_dir("not_a_dir");
  std::ofstream(file) << "x";
  Result<GenReport> r = generate_workload(GenOptions{}, file / "sub");
  ASSERT_FALSE(r.is_ok());
  EXPECT_EQ(r.error().code, ErrorCode::kIoError) << r.error().message;
  fs::remove(file);
}

TEST_F(WorkloadGeneratorTest, SameOptionsGiveByteIdenticalFilesAndOtherSeedsDiffer) {
  const fs::path again = temp_dir("tiny_again");
  generate(GenOptions{}, again);
  size_t compared = 0;
  for (const auto& entry : fs::directory_iterator(*tiny_dir_)) {
    const fs::path other = again / entry.path().filename();
    ASSERT_TRUE(fs::exists(other)) << other;
    EXPECT_TRUE(read_file(entry.path()) == read_file(other)) << entry.path().filename();
    ++compared;
  }
  EXPECT_EQ(compared, 8u);  // six tables, manifest, restatements

  GenOptions other_seed;
  other_seed.seed = 43;
  generate(other_seed, again);
  for (const char* table : kWorkloadTables) {
    EXPECT_NE(read_file(*tiny_dir_ / (std::string(table) + ".lp")),
              read_file(again / (std::string(table) + ".lp")))
        << table;
  }
  fs::remove_all(again);
}

TEST_F(WorkloadGeneratorTest, SelectedTablesMatchTheFullRun) {
  GenOptions options;
  options.tables = {"cx_metrics_daily", "growth_metrics_daily", "cx_metrics_daily"};
  const fs::path dir = temp_dir("subset");
  const GenReport report = generate(options, dir);
  ASSERT_EQ(report.tables.size(), 2u);
  EXPECT_EQ(report.tables[0].table, "cx_metrics_daily");
  EXPECT_EQ(report.tables[1].table, "growth_metrics_daily");
  EXPECT_FALSE(fs::exists(dir / "ad_snapshot.lp"));
  EXPECT_FALSE(fs::exists(dir / "cx_conversation.lp"));
  EXPECT_TRUE(fs::exists(dir / "manifest.json"));
  for (const char* table : {"cx_metrics_daily", "growth_metrics_daily"}) {
    EXPECT_EQ(read_file(dir / (std::string(table) + ".lp")),
              read_file(*tiny_dir_ / (std::string(table) + ".lp")))
        << table;
  }
  fs::remove_all(dir);
}

TEST_F(WorkloadGeneratorTest, ReportMatchesFilesAndAdRowCountFollowsTheFormula) {
  struct Case {
    fs::path dir;
    const GenReport* report;
    int64_t entities, days, shops, tenants;
  };
  for (const Case& c : {Case{*tiny_dir_, tiny_report_, 8, 3, 3, 3},
                        Case{*small_dir_, small_report_, 100, 2, 30, 20}}) {
    SCOPED_TRACE(c.dir.string());
    ASSERT_EQ(c.report->tables.size(), 6u);
    for (const TableOutput& t : c.report->tables) {
      const std::string text = read_file(t.path);
      EXPECT_EQ(t.path, c.dir / (t.table + ".lp"));
      EXPECT_EQ(t.bytes, text.size()) << t.table;
      EXPECT_EQ(t.rows, lines_of(text).size()) << t.table;
      EXPECT_GT(t.rows, 0u) << t.table;
    }
    const std::vector<std::string> restated =
        lines_of(read_file(c.dir / "ad_snapshot_restatements.csv"));
    ASSERT_FALSE(restated.empty());
    const uint64_t restated_rows = restated.size() - 1;  // minus the header
    EXPECT_EQ(c.report->tables[0].table, "ad_snapshot");
    EXPECT_EQ(c.report->tables[0].rows,
              static_cast<uint64_t>(c.entities * c.days * 96) + restated_rows);
    // About 0.5% of keys are restated.
    const double share =
        static_cast<double>(restated_rows) / static_cast<double>(c.entities * c.days * 96);
    EXPECT_GT(share, 0.001);
    EXPECT_LT(share, 0.012);
    EXPECT_EQ(c.report->tables[2].rows, static_cast<uint64_t>(c.shops * c.days));
    EXPECT_EQ(c.report->tables[3].rows, static_cast<uint64_t>(c.tenants * c.days));
    EXPECT_EQ(c.report->start_ns, 1735689600 * kNsPerSecond);  // 2025-01-01
    EXPECT_EQ(c.report->end_ns, c.report->start_ns + c.days * kNsPerDay);
    EXPECT_EQ(c.report->biggest_tenant, "ws_0000");
    EXPECT_EQ(c.report->biggest_shop, "shop-000.myshopify.com");
  }
  // Tiny: roughly the preset volumes (600 / 300 / 300 over three days).
  EXPECT_NEAR(static_cast<double>(tiny_report_->tables[1].rows), 600, 200);
  EXPECT_NEAR(static_cast<double>(tiny_report_->tables[4].rows), 300, 100);
  EXPECT_NEAR(static_cast<double>(tiny_report_->tables[5].rows), 300, 100);
  EXPECT_NE(read_file(*tiny_dir_ / "manifest.json").find("\"ad_snapshot_restated_rows\""),
            std::string::npos);
}

// Every restated key appears exactly twice, with the same tags and time; the
// second copy follows the rows of a slot 1..24 slots later on the same UTC day
// (the day's last slot: right after it); values move as the rules say; and
// ad_snapshot_restatements.csv lists exactly these keys.
TEST_F(WorkloadGeneratorTest, RestatementsObeyTheRules) {
  for (const fs::path& dir : dirs()) {
    SCOPED_TRACE(dir.string());
    const std::vector<Line> rows = parse_table(dir, "ad_snapshot");
    std::map<std::pair<std::string, int64_t>, size_t> first_seen;
    struct Restated {
      size_t original, corrected;
      int64_t written_after_ts;
    };
    std::map<std::pair<std::string, int64_t>, Restated> restated;
    int64_t latest_slot_ts = INT64_MIN;  // newest original slot written so far
    for (size_t k = 0; k < rows.size(); ++k) {
      const Line& r = rows[k];
      const auto key = std::make_pair(r.tag("entity_id"), r.ts);
      auto [it, inserted] = first_seen.emplace(key, k);
      if (inserted) {
        ASSERT_GE(r.ts, latest_slot_ts) << "original rows go out in slot order, line " << k + 1;
        latest_slot_ts = r.ts;
        continue;
      }
      ASSERT_EQ(restated.count(key), 0u) << "key written three times, line " << k + 1;
      restated[key] = {it->second, k, latest_slot_ts};
      const Line& orig = rows[it->second];
      EXPECT_EQ(r.series(), orig.series()) << "line " << k + 1;
      const int64_t delay_slots = (latest_slot_ts - r.ts) / kNsPerSlot;
      const bool last_slot_of_day = (r.ts % kNsPerDay) == kNsPerDay - kNsPerSlot;
      EXPECT_TRUE((delay_slots >= 1 && delay_slots <= 24) || (last_slot_of_day && delay_slots == 0))
          << "line " << k + 1 << " delay " << delay_slots;
      EXPECT_EQ(latest_slot_ts / kNsPerDay, r.ts / kNsPerDay) << "line " << k + 1;
      // Rows of slot latest_slot_ts end right before the restatement or other
      // restatements: the next original row (if any) is of a later slot.
      for (size_t n = k + 1; n < rows.size(); ++n) {
        const auto next_key = std::make_pair(rows[n].tag("entity_id"), rows[n].ts);
        if (first_seen.count(next_key) != 0) continue;  // another restatement
        EXPECT_GT(rows[n].ts, latest_slot_ts) << "line " << n + 1;
        break;
      }
      // ±8% on spend, impressions, clicks; at most one late conversion.
      for (const char* field : {"impressions", "clicks"}) {
        const double before = static_cast<double>(orig.i(field));
        const double after = static_cast<double>(r.i(field));
        EXPECT_GE(after, std::floor(before * 0.92) - 1) << field << " line " << k + 1;
        EXPECT_LE(after, std::ceil(before * 1.08) + 1) << field << " line " << k + 1;
      }
      const double spend_before = static_cast<double>(orig.cents("spend"));
      const double spend_after = static_cast<double>(r.cents("spend"));
      EXPECT_GE(spend_after, std::floor(spend_before * 0.92) - 1) << "line " << k + 1;
      EXPECT_LE(spend_after, std::ceil(spend_before * 1.08)) << "line " << k + 1;
      const int64_t added = r.halves("conversions") - orig.halves("conversions");
      EXPECT_TRUE(added == 0 || added == 2) << "line " << k + 1;
      if (added == 0) {
        EXPECT_EQ(r.cents("revenue"), orig.cents("revenue")) << "line " << k + 1;
      }
      if (added != 0) {
        EXPECT_GT(r.i("clicks"), 0) << "line " << k + 1;
      }
      EXPECT_GE(r.cents("revenue"), orig.cents("revenue")) << "line " << k + 1;
      const int64_t purchases_added = r.i("purchases") - orig.i("purchases");
      const std::string& goal = r.tag("goal");
      if (goal == "purchases" || goal == "conversions") {
        EXPECT_EQ(purchases_added * 2, added) << "line " << k + 1;
        EXPECT_EQ(added != 0, r.cents("revenue") > orig.cents("revenue")) << "line " << k + 1;
      } else {
        EXPECT_EQ(purchases_added, 0) << "line " << k + 1;
      }
    }
    ASSERT_FALSE(restated.empty());

    const std::vector<std::string> csv = lines_of(read_file(dir / "ad_snapshot_restatements.csv"));
    ASSERT_EQ(csv[0],
              "entity_id,time,original_spend,corrected_spend,original_revenue,corrected_revenue,"
              "written_after_slot");
    ASSERT_EQ(csv.size() - 1, restated.size());
    const auto iso = [](int64_t ts_ns) {
      // Test-local formatting of a 2025-01 timestamp (the suite's ranges).
      const int64_t s = ts_ns / kNsPerSecond - 1735689600;
      char buf[32];
      std::snprintf(buf, sizeof buf, "2025-01-%02dT%02d:%02d:%02dZ",
                    static_cast<int>(1 + s / 86400), static_cast<int>(s / 3600 % 24),
                    static_cast<int>(s / 60 % 60), static_cast<int>(s % 60));
      return std::string(buf);
    };
    const auto money = [](int64_t cents) {
      char buf[32];
      std::snprintf(buf, sizeof buf, "%lld.%02lld", static_cast<long long>(cents / 100),
                    static_cast<long long>(cents % 100));
      return std::string(buf);
    };
    std::set<std::string> expected_csv;
    for (const auto& [key, r] : restated) {
      const Line& o = rows[r.original];
      const Line& c = rows[r.corrected];
      expected_csv.insert(key.first + "," + iso(key.second) + "," + money(o.cents("spend")) + "," +
                          money(c.cents("spend")) + "," + money(o.cents("revenue")) + "," +
                          money(c.cents("revenue")) + "," + iso(r.written_after_ts));
    }
    EXPECT_EQ(std::set<std::string>(csv.begin() + 1, csv.end()), expected_csv);
  }
}

double sorted_percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  const double pos = p * static_cast<double>(v.size() - 1);
  const size_t lo = static_cast<size_t>(pos);
  const size_t hi = std::min(lo + 1, v.size() - 1);
  return v[lo] + (v[hi] - v[lo]) * (pos - static_cast<double>(lo));
}

TEST_F(WorkloadGeneratorTest, CxMetricsDailyAgreesWithBruteForceAggregation) {
  for (const fs::path& dir : dirs()) {
    SCOPED_TRACE(dir.string());
    std::map<std::pair<std::string, int64_t>, std::vector<Line>> groups;
    for (const Line& r : parse_table(dir, "cx_conversation")) {
      groups[{r.tag("tenant"), r.ts / kNsPerDay * kNsPerDay}].push_back(r);
    }
    const std::vector<Line> daily = parse_table(dir, "cx_metrics_daily");
    size_t conversations_seen = 0;
    for (const Line& d : daily) {
      SCOPED_TRACE(d.tag("tenant") + " @ " + std::to_string(d.ts));
      ASSERT_EQ(d.ts % kNsPerDay, 0);
      const std::vector<Line>& g = groups[{d.tag("tenant"), d.ts}];
      conversations_seen += g.size();
      std::map<std::string, int64_t> count;
      std::vector<double> frm, res, tone, acc, pol;
      int64_t met = 0, breached = 0, esc = 0, msgs = 0, drafted = 0, approved = 0;
      for (const Line& c : g) {
        ++count[c.tag("status")];
        ++count["sentiment_" + c.tag("sentiment")];
        if (c.has("first_response_minutes")) {
          frm.push_back(c.f("first_response_minutes"));
          (frm.back() <= 120 ? met : breached) += 1;
        }
        if (c.has("resolution_minutes")) res.push_back(c.f("resolution_minutes"));
        esc += c.b("escalated");
        msgs += c.i("messages");
        if (c.b("ai_drafted")) {
          ++drafted;
          approved += c.b("ai_approved");
          tone.push_back(static_cast<double>(c.i("tone_grade")));
          acc.push_back(static_cast<double>(c.i("accuracy_grade")));
          pol.push_back(static_cast<double>(c.i("policy_grade")));
        }
      }
      const auto n = static_cast<int64_t>(g.size());
      EXPECT_EQ(d.i("conversations_total"), n);
      EXPECT_EQ(d.i("conversations_new"), count["new"]);
      EXPECT_EQ(d.i("conversations_resolved"), count["resolved"]);
      EXPECT_EQ(d.i("conversations_pending"), count["pending"]);
      for (const char* s : {"positive", "neutral", "negative", "very_negative"}) {
        EXPECT_EQ(d.i(std::string("sentiment_") + s + "_count"),
                  count[std::string("sentiment_") + s]);
      }
      EXPECT_EQ(d.i("sla_target_minutes"), 120);
      EXPECT_EQ(d.i("sla_met_count"), met);
      EXPECT_EQ(d.i("sla_breached_count"), breached);
      EXPECT_EQ(d.i("escalations_count"), esc);
      EXPECT_EQ(d.i("ai_drafted_count"), drafted);

      // Floats: rounded to 4 decimals, and absent when there is nothing to average.
      const auto expect_float = [&](const char* key, bool present, double value) {
        ASSERT_EQ(d.has(key), present) << key;
        if (present) {
          EXPECT_NEAR(d.f(key), value, 0.5e-4 + 1e-9) << key;
        }
      };
      const auto mean = [](const std::vector<double>& v) {
        double s = 0;
        for (double x : v) s += x;
        return v.empty() ? 0.0 : s / static_cast<double>(v.size());
      };
      expect_float("avg_first_response_minutes", !frm.empty(), mean(frm));
      expect_float("median_first_response_minutes", !frm.empty(),
                   frm.empty() ? 0 : sorted_percentile(frm, 0.5));
      expect_float("p95_first_response_minutes", !frm.empty(),
                   frm.empty() ? 0 : sorted_percentile(frm, 0.95));
      expect_float("avg_resolution_minutes", !res.empty(), mean(res));
      expect_float("median_resolution_minutes", !res.empty(),
                   res.empty() ? 0 : sorted_percentile(res, 0.5));
      expect_float("sla_compliance_pct", met + breached > 0,
                   met + breached > 0
                       ? 100.0 * static_cast<double>(met) / static_cast<double>(met + breached)
                       : 0);
      expect_float("escalation_rate_pct", n > 0,
                   n > 0 ? 100.0 * static_cast<double>(esc) / static_cast<double>(n) : 0);
      expect_float("avg_messages_per_conversation", n > 0,
                   n > 0 ? static_cast<double>(msgs) / static_cast<double>(n) : 0);
      expect_float(
          "ai_approval_rate_pct", drafted > 0,
          drafted > 0 ? 100.0 * static_cast<double>(approved) / static_cast<double>(drafted) : 0);
      expect_float("avg_tone_grade", drafted > 0, mean(tone));
      expect_float("avg_accuracy_grade", drafted > 0, mean(acc));
      expect_float("avg_policy_grade", drafted > 0, mean(pol));
      for (const auto& [key, raw] : d.fields) {
        const size_t dot = raw.find('.');
        EXPECT_TRUE(dot == std::string::npos || raw.size() - dot <= 5) << key << "=" << raw;
      }
    }
    // Every conversation is counted on its own UTC day.
    size_t total = 0;
    for (const auto& [key, g] : groups) total += g.size();
    EXPECT_EQ(conversations_seen, total);
  }
}

TEST_F(WorkloadGeneratorTest, GrowthAdColumnsAreDeduplicatedDailySums) {
  for (const fs::path& dir : dirs()) {
    SCOPED_TRACE(dir.string());
    // Latest write wins per (series, time).
    std::map<std::pair<std::string, int64_t>, const Line*> latest;
    for (const Line& r : parse_table(dir, "ad_snapshot")) latest[{r.series(), r.ts}] = &r;
    struct Sums {
      int64_t spend = 0, impressions = 0, clicks = 0, conversion_halves = 0, revenue = 0;
    };
    std::map<std::pair<std::string, int64_t>, Sums> expected;
    for (const auto& [key, row] : latest) {
      const Line& r = *row;
      Sums& s = expected[{r.tag("tenant"), r.ts / kNsPerDay * kNsPerDay}];
      s.spend += r.cents("spend");
      s.impressions += r.i("impressions");
      s.clicks += r.i("clicks");
      s.conversion_halves += r.halves("conversions");
      s.revenue += r.cents("revenue");
    }
    const std::vector<Line> growth = parse_table(dir, "growth_metrics_daily");
    ASSERT_EQ(growth.size(), expected.size());
    bool any_spend = false;
    for (const Line& g : growth) {
      SCOPED_TRACE(g.tag("tenant") + " @ " + std::to_string(g.ts));
      const auto it = expected.find({g.tag("tenant"), g.ts});
      ASSERT_NE(it, expected.end());
      const Sums& s = it->second;
      EXPECT_EQ(g.cents("ad_spend"), s.spend);
      EXPECT_EQ(g.cents("revenue_from_ads"), s.revenue);
      EXPECT_EQ(g.i("ad_impressions"), s.impressions);
      EXPECT_EQ(g.i("ad_clicks"), s.clicks);
      EXPECT_EQ(g.halves("ad_conversions"), s.conversion_halves);
      any_spend |= s.spend > 0;
      ASSERT_EQ(g.has("ad_roas"), s.spend > 0);
      if (s.spend > 0) {
        EXPECT_NEAR(g.f("ad_roas"), static_cast<double>(s.revenue) / static_cast<double>(s.spend),
                    0.5e-4 + 1e-9);
      }
      ASSERT_EQ(g.has("ad_ctr_pct"), s.impressions > 0);
      if (s.impressions > 0) {
        EXPECT_NEAR(g.f("ad_ctr_pct"),
                    100.0 * static_cast<double>(s.clicks) / static_cast<double>(s.impressions),
                    0.5e-4 + 1e-9);
      }
      ASSERT_EQ(g.has("ad_conversion_rate_pct"), s.clicks > 0);
      if (s.clicks > 0) {
        EXPECT_NEAR(g.f("ad_conversion_rate_pct"),
                    50.0 * static_cast<double>(s.conversion_halves) / static_cast<double>(s.clicks),
                    0.5e-4 + 1e-9);
      }
      // total = ad + organic + social conversions, so never below the ad part.
      EXPECT_GE(g.halves("total_conversions"), s.conversion_halves);
      g.cents("revenue_from_organic");
      g.cents("revenue_from_social");
    }
    EXPECT_TRUE(any_spend);
  }
}

// Expected keys and types per table: tags (sorted), then fields with their
// type ('i' int, 'f' float, 'b' bool) and whether every row must have them.
struct FieldSpec {
  const char* name;
  char type;
  bool required;
};
struct TableSpec {
  const char* table;
  std::vector<std::string> tags;
  std::vector<FieldSpec> fields;
};

std::vector<TableSpec> table_specs() {
  return {
      {"ad_snapshot",
       {"entity_id", "goal", "level", "provider", "tenant"},
       {{"spend", 'f', true},
        {"impressions", 'i', true},
        {"clicks", 'i', true},
        {"conversions", 'f', true},
        {"revenue", 'f', true},
        {"leads", 'f', true},
        {"purchases", 'i', true}}},
      {"cx_conversation",
       {"channel", "sentiment", "status", "tenant"},
       {{"first_response_minutes", 'f', false},
        {"resolution_minutes", 'f', false},
        {"messages", 'i', true},
        {"escalated", 'b', true},
        {"ai_drafted", 'b', true},
        {"ai_approved", 'b', true},
        {"tone_grade", 'i', false},
        {"accuracy_grade", 'i', false},
        {"policy_grade", 'i', false}}},
      {"cx_metrics_daily",
       {"tenant"},
       {{"conversations_total", 'i', true},
        {"conversations_new", 'i', true},
        {"conversations_resolved", 'i', true},
        {"conversations_pending", 'i', true},
        {"avg_first_response_minutes", 'f', false},
        {"median_first_response_minutes", 'f', false},
        {"p95_first_response_minutes", 'f', false},
        {"avg_resolution_minutes", 'f', false},
        {"median_resolution_minutes", 'f', false},
        {"sla_target_minutes", 'i', true},
        {"sla_met_count", 'i', true},
        {"sla_breached_count", 'i', true},
        {"sla_compliance_pct", 'f', false},
        {"escalations_count", 'i', true},
        {"escalation_rate_pct", 'f', false},
        {"avg_messages_per_conversation", 'f', false},
        {"sentiment_positive_count", 'i', true},
        {"sentiment_neutral_count", 'i', true},
        {"sentiment_negative_count", 'i', true},
        {"sentiment_very_negative_count", 'i', true},
        {"ai_drafted_count", 'i', true},
        {"ai_approval_rate_pct", 'f', false},
        {"avg_tone_grade", 'f', false},
        {"avg_accuracy_grade", 'f', false},
        {"avg_policy_grade", 'f', false}}},
      {"growth_metrics_daily",
       {"tenant"},
       {{"organic_sessions", 'i', true},
        {"organic_pageviews", 'i', true},
        {"organic_bounce_rate_pct", 'f', true},
        {"ad_spend", 'f', true},
        {"ad_impressions", 'i', true},
        {"ad_clicks", 'i', true},
        {"ad_ctr_pct", 'f', false},
        {"ad_conversions", 'f', true},
        {"ad_conversion_rate_pct", 'f', false},
        {"ad_roas", 'f', false},
        {"emails_sent", 'i', true},
        {"email_open_rate_pct", 'f', false},
        {"social_impressions", 'i', true},
        {"social_engagement_count", 'i', true},
        {"total_conversions", 'f', true},
        {"revenue_from_organic", 'f', true},
        {"revenue_from_ads", 'f', true},
        {"revenue_from_social", 'f', true}}},
      {"tryon_job",
       {"failure_reason", "model", "status", "tenant"},
       {{"lifecycle_seconds", 'f', false}, {"credits_charged", 'i', true}}},
      {"cod_order",
       {"agent_id", "delivery_area", "payment_status", "status", "tenant"},
       {{"total_amount", 'f', true},
        {"delivery_fee", 'f', true},
        {"rating", 'i', false},
        {"delivery_minutes", 'f', false}}},
  };
}

char type_of(const std::string& raw) {
  if (raw == "true" || raw == "false") return 'b';
  if (!raw.empty() && raw.back() == 'i') return 'i';
  return 'f';
}

bool is_number(const std::string& raw, char type) {
  const std::string digits = type == 'i' ? raw.substr(0, raw.size() - 1) : raw;
  if (digits.empty()) return false;
  size_t dots = 0;
  for (size_t k = 0; k < digits.size(); ++k) {
    const char c = digits[k];
    if (c == '.') {
      ++dots;
    } else if (!(c >= '0' && c <= '9') && !(k == 0 && c == '-')) {
      return false;
    }
  }
  return type == 'i' ? dots == 0 : dots <= 1;
}

TEST_F(WorkloadGeneratorTest, EveryLineHasTheExpectedKeysAndTypes) {
  for (const fs::path& dir : dirs()) {
    SCOPED_TRACE(dir.string());
    const GenReport& report = dir == *tiny_dir_ ? *tiny_report_ : *small_report_;
    for (const TableSpec& spec : table_specs()) {
      SCOPED_TRACE(spec.table);
      const std::vector<Line> rows = parse_table(dir, spec.table);
      int64_t previous_ts = INT64_MIN;
      for (size_t k = 0; k < rows.size(); ++k) {
        const Line& r = rows[k];
        SCOPED_TRACE("line " + std::to_string(k + 1));
        ASSERT_EQ(r.measurement, spec.table);
        std::vector<std::string> tag_keys;
        for (const auto& [key, value] : r.tags) {
          tag_keys.push_back(key);
          EXPECT_FALSE(value.empty()) << key;
        }
        ASSERT_EQ(tag_keys, spec.tags);
        std::vector<std::string> expected_order;
        for (const FieldSpec& f : spec.fields) {
          if (f.required) {
            EXPECT_TRUE(r.has(f.name)) << f.name;
          }
          if (!r.has(f.name)) continue;
          expected_order.push_back(f.name);
          const std::string& raw = r.text(f.name);
          EXPECT_EQ(type_of(raw), f.type) << f.name << "=" << raw;
          if (f.type != 'b') {
            EXPECT_TRUE(is_number(raw, f.type)) << f.name << "=" << raw;
          }
        }
        std::vector<std::string> field_order;
        for (const auto& [key, value] : r.fields) field_order.push_back(key);
        EXPECT_EQ(field_order, expected_order) << "unknown or reordered fields";
        EXPECT_GE(r.ts, report.start_ns);
        EXPECT_LT(r.ts, report.end_ns);
        if (std::string_view(spec.table) != "ad_snapshot") {
          EXPECT_GE(r.ts, previous_ts) << "rows go out in time order";
        } else {
          EXPECT_EQ(r.ts % kNsPerSlot, 0);
        }
        previous_ts = r.ts;
      }
    }
  }
}

// The conditional columns follow their row's status, as the README says.
TEST_F(WorkloadGeneratorTest, ConditionalFieldsFollowStatus) {
  for (const fs::path& dir : dirs()) {
    SCOPED_TRACE(dir.string());
    for (const Line& r : parse_table(dir, "cx_conversation")) {
      SCOPED_TRACE(r.series());
      EXPECT_EQ(r.has("resolution_minutes"), r.tag("status") == "resolved");
      if (r.tag("status") != "new") {
        EXPECT_TRUE(r.has("first_response_minutes"));
      }
      EXPECT_EQ(r.has("tone_grade"), r.b("ai_drafted"));
      if (r.b("ai_approved")) {
        EXPECT_TRUE(r.b("ai_drafted"));
      }
      if (r.b("ai_drafted")) {
        for (const char* g : {"tone_grade", "accuracy_grade", "policy_grade"}) {
          EXPECT_GE(r.i(g), 1);
          EXPECT_LE(r.i(g), 5);
        }
      }
      EXPECT_EQ(r.ts % 1'000'000, 0) << "millisecond timestamps";
    }
    for (const Line& r : parse_table(dir, "tryon_job")) {
      SCOPED_TRACE(r.series());
      const std::string& status = r.tag("status");
      const bool running = status == "queued" || status == "processing";
      EXPECT_EQ(r.has("lifecycle_seconds"), !running);
      EXPECT_EQ(r.i("credits_charged") > 0, status == "completed");
      EXPECT_EQ(r.tag("failure_reason") == "none",
                status != "failed" && status != "provider_expired");
      if (status == "provider_expired") {
        EXPECT_GE(r.f("lifecycle_seconds"), 900.0);
        EXPECT_LE(r.f("lifecycle_seconds"), 3600.0);
      }
    }
    for (const Line& r : parse_table(dir, "cod_order")) {
      SCOPED_TRACE(r.series());
      const std::string& status = r.tag("status");
      if (r.has("rating")) {
        EXPECT_EQ(status, "delivered");
      }
      EXPECT_EQ(r.has("delivery_minutes"), status == "delivered" || status == "returned");
      if (status != "delivered" && status != "returned") {
        EXPECT_EQ(r.tag("payment_status"), "pending");
      }
      EXPECT_EQ(r.ts % kNsPerSecond, 0) << "whole seconds";
      EXPECT_GT(r.cents("total_amount"), 0);
      r.cents("delivery_fee");
    }
  }
}

}  // namespace
}  // namespace tessera::datagen
