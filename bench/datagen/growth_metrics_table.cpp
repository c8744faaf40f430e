// Line shape: growth_metrics_daily,tenant=ws_0000 organic_sessions=1843i,...,
//   ad_spend=10234.56,ad_impressions=...i,...,revenue_from_ads=31234.00,... 1735689600000000000
#include "bench/datagen/growth_metrics_table.h"

#include <cmath>
#include <string>

#include "bench/datagen/civil_date.h"
#include "bench/datagen/random.h"

namespace tessera::datagen {

void write_growth_metrics_day(const WorkloadWorld& world, int day,
                              const std::vector<TenantAdTotals>& ad_totals, LineWriter& out) {
  Rng rng(stream_seed(world.shape.seed, "growth", static_cast<uint64_t>(day)));
  const int64_t day_index = world.shape.start_day + day;
  const double dow = kDayOfWeek[static_cast<size_t>(weekday_monday0(day_index))];
  const int64_t ts_ns = day_index * kSecondsPerDay * kNanosPerSecond;
  const auto as_int = [](double x) { return static_cast<int64_t>(x); };
  std::string prefix;
  for (size_t ti = 0; ti < world.tenants.size(); ++ti) {
    const double size = world.tenant_weight[ti] * static_cast<double>(world.tenants.size());
    const int64_t sessions =
        as_int(800 * size * dow * rng.lognormal(1.0, 0.2)) + as_int(rng.uniform() * 20);
    const int64_t pageviews = as_int(static_cast<double>(sessions) * (1.8 + rng.uniform() * 1.6));
    const int64_t bounce_hundredths = std::llround((35 + rng.uniform() * 30) * 100);
    const bool sent_email = rng.uniform() < 0.4;
    const int64_t emails = sent_email ? as_int(3000 * size * rng.lognormal(1.0, 0.3)) : 0;
    const int64_t open_rate_hundredths = std::llround((18 + rng.uniform() * 20) * 100);
    const int64_t social_impressions = as_int(5000 * size * rng.lognormal(1.0, 0.5));
    const int64_t social_engagement =
        as_int(static_cast<double>(social_impressions) * (0.01 + 0.04 * rng.uniform()));
    const int64_t organic_conversions =
        as_int(static_cast<double>(sessions) * 0.012 + rng.uniform());
    const int64_t social_conversions =
        as_int(static_cast<double>(social_engagement) * 0.01 + rng.uniform());
    const int64_t organic_revenue_cents =
        as_int(static_cast<double>(organic_conversions) * 5500 * (0.7 + 0.6 * rng.uniform()));
    const int64_t social_revenue_cents =
        as_int(static_cast<double>(social_conversions) * 5000 * (0.7 + 0.6 * rng.uniform()));
    const TenantAdTotals& ad = ad_totals[ti];
    const double ad_conversions = static_cast<double>(ad.conversions_halves) / 2.0;

    prefix = "growth_metrics_daily,tenant=" + world.tenants[ti] + " ";
    out.begin_line(prefix);
    out.int_field("organic_sessions", sessions);
    out.int_field("organic_pageviews", pageviews);
    out.scaled_field("organic_bounce_rate_pct", bounce_hundredths, 2);
    out.scaled_field("ad_spend", ad.spend_cents, 2);
    out.int_field("ad_impressions", ad.impressions);
    out.int_field("ad_clicks", ad.clicks);
    if (ad.impressions > 0) {
      out.float4_field("ad_ctr_pct", 100.0 * static_cast<double>(ad.clicks) /
                                         static_cast<double>(ad.impressions));
    }
    out.scaled_field("ad_conversions", ad.conversions_halves * 5, 1);
    if (ad.clicks > 0) {
      out.float4_field("ad_conversion_rate_pct",
                       100.0 * ad_conversions / static_cast<double>(ad.clicks));
    }
    if (ad.spend_cents > 0) {
      out.float4_field("ad_roas",
                       static_cast<double>(ad.revenue_cents) / static_cast<double>(ad.spend_cents));
    }
    out.int_field("emails_sent", emails);
    if (emails > 0) out.scaled_field("email_open_rate_pct", open_rate_hundredths, 2);
    out.int_field("social_impressions", social_impressions);
    out.int_field("social_engagement_count", social_engagement);
    out.scaled_field("total_conversions",
                     (ad.conversions_halves + 2 * (organic_conversions + social_conversions)) * 5,
                     1);
    out.scaled_field("revenue_from_organic", organic_revenue_cents, 2);
    out.scaled_field("revenue_from_ads", ad.revenue_cents, 2);
    out.scaled_field("revenue_from_social", social_revenue_cents, 2);
    out.end_line(ts_ns);
  }
}

}  // namespace tessera::datagen
