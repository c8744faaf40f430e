// growth_metrics_daily: one row per ws_ tenant per UTC day. The ad_* columns
// and revenue_from_ads are the tenant's deduplicated ad_snapshot totals for
// the day (exact to the cent); ad_ctr_pct = 100 × clicks / impressions,
// ad_conversion_rate_pct = 100 × conversions / clicks, ad_roas = revenue /
// spend (absent when the denominator is 0). Organic, email and social columns
// are random, scaled to the tenant's size; total_conversions = ad + organic +
// social conversions.
#pragma once

#include <vector>

#include "bench/datagen/ad_snapshot_table.h"
#include "bench/datagen/line_writer.h"
#include "bench/datagen/workload_world.h"

namespace tessera::datagen {

// Writes day `day` (0-based); `ad_totals` is indexed like world.tenants.
void write_growth_metrics_day(const WorkloadWorld& world, int day,
                              const std::vector<TenantAdTotals>& ad_totals, LineWriter& out);

}  // namespace tessera::datagen
