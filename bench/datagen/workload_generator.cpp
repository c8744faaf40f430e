#include "bench/datagen/workload_generator.h"

#include <algorithm>
#include <memory>
#include <system_error>

#include "bench/datagen/ad_snapshot_table.h"
#include "bench/datagen/civil_date.h"
#include "bench/datagen/cod_order_table.h"
#include "bench/datagen/cx_conversation_table.h"
#include "bench/datagen/cx_metrics_daily_table.h"
#include "bench/datagen/growth_metrics_table.h"
#include "bench/datagen/line_writer.h"
#include "bench/datagen/tryon_job_table.h"
#include "bench/datagen/workload_world.h"

namespace tessera::datagen {
namespace {

struct Preset {
  const char* name;
  int days, entities, tenants, shops;
  double conversations, tryon_jobs, cod_orders;  // totals over `days`
};
constexpr Preset kPresets[] = {
    {"tiny", 3, 8, 3, 3, 600, 300, 300},
    {"small", 30, 350, 20, 30, 200'000, 100'000, 100'000},
    {"medium", 45, 2315, 60, 150, 2'000'000, 1'000'000, 1'000'000},
    {"large", 90, 11600, 200, 400, 10'000'000, 5'000'000, 5'000'000},
};

constexpr size_t kTableCount = std::size(kWorkloadTables);
enum TableIndex : size_t { kAd, kCx, kCxDaily, kGrowth, kTryon, kCod };

Result<int> resolve(const std::optional<int>& override_value, int preset, int limit,
                    const char* what) {
  if (!override_value) return preset;
  if (*override_value < 1 || *override_value > limit) {
    return make_error(ErrorCode::kInvalidInput, std::string(what) + " must be 1.." +
                                                    std::to_string(limit) + ", got " +
                                                    std::to_string(*override_value));
  }
  return *override_value;
}

Result<WorkloadShape> resolve_shape(const GenOptions& o) {
  const Preset& p = kPresets[static_cast<size_t>(o.scale)];
  WorkloadShape s;
  s.seed = o.seed;
  TESSERA_ASSIGN_OR_RETURN(s.start_day, parse_civil_date(o.start_date));
  TESSERA_ASSIGN_OR_RETURN(s.days, resolve(o.days, p.days, kMaxDays, "days"));
  TESSERA_ASSIGN_OR_RETURN(s.entities, resolve(o.entities, p.entities, kMaxEntities, "entities"));
  TESSERA_ASSIGN_OR_RETURN(s.tenants, resolve(o.tenants, p.tenants, kMaxTenants, "tenants"));
  TESSERA_ASSIGN_OR_RETURN(s.shops, resolve(o.shops, p.shops, kMaxShops, "shops"));
  s.conversations_per_day = p.conversations / p.days;
  s.tryon_jobs_per_day = p.tryon_jobs / p.days;
  s.cod_orders_per_day = p.cod_orders / p.days;
  return s;
}

std::string json_string(std::string_view s) {
  // Names here are generated ASCII without quotes; escape anyway for safety.
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

size_t argmax(const std::vector<double>& v) {
  return static_cast<size_t>(std::max_element(v.begin(), v.end()) - v.begin());
}
size_t argmin(const std::vector<double>& v) {
  return static_cast<size_t>(std::min_element(v.begin(), v.end()) - v.begin());
}

std::string scale_name(Scale s) { return kPresets[static_cast<size_t>(s)].name; }

}  // namespace

Result<Scale> parse_scale(std::string_view name) {
  for (size_t i = 0; i < std::size(kPresets); ++i) {
    if (name == kPresets[i].name) return static_cast<Scale>(i);
  }
  return make_error(ErrorCode::kInvalidInput,
                    "unknown scale \"" + std::string(name) + "\" (tiny, small, medium, large)");
}

Result<GenReport> generate_workload(const GenOptions& options,
                                    const std::filesystem::path& out_dir) {
  if (static_cast<size_t>(options.scale) >= std::size(kPresets)) {
    return make_error(ErrorCode::kInvalidInput, "unknown scale");
  }
  bool selected[kTableCount] = {};
  for (const std::string& t : options.tables) {
    auto it = std::find_if(std::begin(kWorkloadTables), std::end(kWorkloadTables),
                           [&](const char* name) { return t == name; });
    if (it == std::end(kWorkloadTables)) {
      return make_error(ErrorCode::kInvalidInput,
                        "unknown table \"" + t +
                            "\" (ad_snapshot, cx_conversation, cx_metrics_daily, "
                            "growth_metrics_daily, tryon_job, cod_order)");
    }
    selected[it - std::begin(kWorkloadTables)] = true;
  }
  if (options.tables.empty()) std::fill(std::begin(selected), std::end(selected), true);
  TESSERA_ASSIGN_OR_RETURN(const WorkloadShape shape, resolve_shape(options));

  std::error_code ec;
  std::filesystem::create_directories(out_dir, ec);
  if (ec) {
    return make_error(ErrorCode::kIoError,
                      "cannot create directory " + out_dir.string() + ": " + ec.message());
  }

  const WorkloadWorld world(shape);
  std::unique_ptr<LineWriter> writers[kTableCount];
  for (size_t t = 0; t < kTableCount; ++t) {
    if (!selected[t]) continue;
    writers[t] = std::make_unique<LineWriter>();
    TESSERA_RETURN_IF_ERROR(writers[t]->open(out_dir / (std::string(kWorkloadTables[t]) + ".lp")));
  }
  std::unique_ptr<LineWriter> restatements;
  if (selected[kAd]) {
    restatements = std::make_unique<LineWriter>();
    TESSERA_RETURN_IF_ERROR(restatements->open(out_dir / "ad_snapshot_restatements.csv"));
    restatements->append(kRestatementsHeader);
  }

  uint64_t ad_rows = 0, restated_rows = 0;
  for (int day = 0; day < shape.days; ++day) {
    if (selected[kAd] || selected[kGrowth]) {
      const std::vector<TenantAdTotals> totals = generate_ad_snapshot_day(
          world, day, writers[kAd].get(), restatements.get(), &ad_rows, &restated_rows);
      if (selected[kGrowth]) write_growth_metrics_day(world, day, totals, *writers[kGrowth]);
    }
    if (selected[kCx] || selected[kCxDaily]) {
      const std::vector<Conversation> conversations = generate_conversations_day(world, day);
      if (selected[kCx]) write_conversations(world, conversations, *writers[kCx]);
      if (selected[kCxDaily]) write_cx_metrics_day(world, day, conversations, *writers[kCxDaily]);
    }
    if (selected[kTryon]) write_tryon_jobs_day(world, day, *writers[kTryon]);
    if (selected[kCod]) write_cod_orders_day(world, day, *writers[kCod]);
  }

  GenReport report;
  for (size_t t = 0; t < kTableCount; ++t) {
    if (!selected[t]) continue;
    TESSERA_RETURN_IF_ERROR(writers[t]->finish());
    report.tables.push_back({kWorkloadTables[t],
                             out_dir / (std::string(kWorkloadTables[t]) + ".lp"),
                             writers[t]->rows(), writers[t]->bytes()});
  }
  if (restatements) TESSERA_RETURN_IF_ERROR(restatements->finish());

  report.biggest_tenant = world.tenants.front();
  report.smallest_tenant = world.tenants.back();
  report.biggest_shop = world.shops.front();
  report.smallest_shop = world.shops.back();
  report.biggest_tryon_tenant = world.tenants[argmax(world.tryon_jobs_per_day)];
  report.smallest_tryon_tenant = world.tenants[argmin(world.tryon_jobs_per_day)];
  report.start_ns = shape.start_seconds() * kNanosPerSecond;
  report.end_ns = shape.end_seconds() * kNanosPerSecond;

  // No wall-clock fields, so the manifest is as reproducible as the data.
  LineWriter manifest;
  TESSERA_RETURN_IF_ERROR(manifest.open(out_dir / "manifest.json"));
  const auto kv = [&](std::string_view key, const std::string& json_value, bool last = false) {
    manifest.append("  ");
    manifest.append(json_string(key));
    manifest.append(": ");
    manifest.append(json_value);
    manifest.append(last ? "\n" : ",\n");
  };
  const auto num = [](int64_t v) { return std::to_string(v); };
  manifest.append("{\n");
  kv("generator", json_string("tessera"));
  kv("seed", std::to_string(shape.seed));
  kv("scale", json_string(scale_name(options.scale)));
  kv("start", json_string(options.start_date));
  kv("days", num(shape.days));
  kv("first_time", json_string(format_iso_seconds(shape.start_seconds())));
  kv("end_time_exclusive", json_string(format_iso_seconds(shape.end_seconds())));
  kv("entities", num(shape.entities));
  kv("tenants", num(shape.tenants));
  kv("shops", num(shape.shops));
  std::string tables = "[", rows = "{", files = "{";
  for (const TableOutput& t : report.tables) {
    // Plain appends: GCC 12 -O3 warns (-Wrestrict) on `const char* + std::string`.
    if (tables.size() > 1) {
      tables.append(", ");
      rows.append(", ");
      files.append(", ");
    }
    tables.append(json_string(t.table));
    rows.append(json_string(t.table)).append(": ").append(std::to_string(t.rows));
    files.append(json_string(t.table + ".lp")).append(": ").append(std::to_string(t.bytes));
  }
  kv("formats", "[\"ilp\"]");
  kv("tables", tables + "]");
  kv("rows", rows + "}");
  if (selected[kAd]) kv("ad_snapshot_restated_rows", std::to_string(restated_rows));
  kv("biggest_tenant", json_string(report.biggest_tenant));
  kv("biggest_tenant_entities", num(world.tenant_entity_count.front()));
  kv("smallest_tenant", json_string(report.smallest_tenant));
  kv("smallest_tenant_entities", num(world.tenant_entity_count.back()));
  kv("biggest_shop", json_string(report.biggest_shop));
  kv("smallest_shop", json_string(report.smallest_shop));
  kv("biggest_tryon_tenant", json_string(report.biggest_tryon_tenant));
  kv("smallest_tryon_tenant", json_string(report.smallest_tryon_tenant));
  kv("biggest_cod_tenant", json_string(world.tenants[argmax(world.cod_orders_per_day)]));
  kv("files", files + "}", /*last=*/true);
  manifest.append("}\n");
  TESSERA_RETURN_IF_ERROR(manifest.finish());
  return report;
}

}  // namespace tessera::datagen
