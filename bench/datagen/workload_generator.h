// Tessera's deterministic generator of the example e-commerce workloads
// (`tessera gen`): six tables as InfluxDB line protocol, modelled on the
// shared reference generator (tables, columns, types, 15-minute cadence, skew,
// restatement rules, rollup definitions). Standard library only; the workload
// itself is described in bench/datagen/README.md.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "storage/base/status.h"

namespace tessera::datagen {

enum class Scale { kTiny, kSmall, kMedium, kLarge };

// "tiny" | "small" | "medium" | "large"; anything else is kInvalidInput.
Result<Scale> parse_scale(std::string_view name);

// Limits on the overrides (each must also be >= 1); exceeding one is kInvalidInput.
inline constexpr int kMaxDays = 3660;
inline constexpr int kMaxEntities = 1'000'000;
inline constexpr int kMaxTenants = 100'000;
inline constexpr int kMaxShops = 100'000;

// The six tables, in the order they are generated and reported.
inline constexpr const char* kWorkloadTables[] = {"ad_snapshot",      "cx_conversation",
                                                  "cx_metrics_daily", "growth_metrics_daily",
                                                  "tryon_job",        "cod_order"};

struct GenOptions {
  Scale scale = Scale::kTiny;
  uint64_t seed = 42;
  std::string start_date = "2025-01-01";  // first UTC day, YYYY-MM-DD (1970..2199)
  // Overrides of the scale preset. Conversation, try-on and COD volumes per day
  // stay those of the preset, so `days` scales their totals.
  std::optional<int> days, entities, tenants, shops;
  std::vector<std::string> tables;  // empty = all six; duplicates are ignored
};

struct TableOutput {
  std::string table;
  std::filesystem::path path;
  uint64_t rows;
  uint64_t bytes;
};

struct GenReport {
  std::vector<TableOutput> tables;  // in kWorkloadTables order
  std::string biggest_tenant, smallest_tenant, biggest_shop, smallest_shop, biggest_tryon_tenant,
      smallest_tryon_tenant;
  int64_t start_ns, end_ns;  // [first day's midnight, midnight after the last day)
};

// Writes <out_dir>/<table>.lp for each selected table (line protocol, ns
// timestamps, tags sorted by key, ints with the i suffix, absent fields
// omitted), plus manifest.json and, when ad_snapshot is selected,
// ad_snapshot_restatements.csv. Creates out_dir if needed; overwrites those
// files. Deterministic: the same options give byte-identical files.
// Errors: kInvalidInput (unknown table, bad date, override out of range),
// kIoError (directory or file cannot be created or written).
// Single-threaded; memory is bounded by one day of one table's events.
Result<GenReport> generate_workload(const GenOptions& options,
                                    const std::filesystem::path& out_dir);

}  // namespace tessera::datagen
