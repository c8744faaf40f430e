// ad_snapshot: one row per ad entity per 15-minute UTC slot (values within the
// slot), plus about 0.5% restated rows: the same tags and time written again
// 1..24 slots later in the file (never past the end of that UTC day; a
// restatement of the day's last slot follows that slot), with spend,
// impressions and clicks changed by up to ±8% and sometimes one late
// conversion with its revenue. The later row wins.
//
// Also computes each tenant's deduplicated (latest-wins) daily sums, which
// growth_metrics_daily reports; money in integer cents so they are exact.
#pragma once

#include <cstdint>
#include <vector>

#include "bench/datagen/line_writer.h"
#include "bench/datagen/workload_world.h"

namespace tessera::datagen {

// Final (deduplicated) totals of one tenant's ad rows for one UTC day.
struct TenantAdTotals {
  int64_t spend_cents = 0;
  int64_t impressions = 0;
  int64_t clicks = 0;
  int64_t conversions_halves = 0;  // conversions are whole or x.5
  int64_t revenue_cents = 0;
};

// The restatements file's header line (CSV, with '\n').
inline constexpr const char* kRestatementsHeader =
    "entity_id,time,original_spend,corrected_spend,original_revenue,corrected_revenue,"
    "written_after_slot\n";

// Generates day `day` (0-based) of ad_snapshot. `lines` gets the rows in file
// order and `restatements` one CSV row per restated key; either may be null
// (then nothing is formatted). Returns the tenant totals, indexed like
// world.tenants; adds to *rows / *restated_rows.
// Deterministic in (world.shape, day).
std::vector<TenantAdTotals> generate_ad_snapshot_day(const WorkloadWorld& world, int day,
                                                     LineWriter* lines, LineWriter* restatements,
                                                     uint64_t* rows, uint64_t* restated_rows);

}  // namespace tessera::datagen
