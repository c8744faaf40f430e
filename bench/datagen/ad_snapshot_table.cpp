// Line shape (tags sorted by key; conversions and leads are whole or x.5):
//   ad_snapshot,entity_id=ent_000123,goal=purchases,level=ad,provider=meta,tenant=ws_0007
//     spend=12.34,impressions=1371i,clicks=16i,conversions=1.0,revenue=61.20,leads=0.0,
//     purchases=1i 1735689600000000000
#include "bench/datagen/ad_snapshot_table.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "bench/datagen/civil_date.h"
#include "bench/datagen/random.h"

namespace tessera::datagen {
namespace {

constexpr double kRestateProbability = 0.005;
constexpr int kMaxRestateDelaySlots = 24;

struct AdValues {
  int64_t spend_cents = 0;
  int64_t impressions = 0;
  int64_t clicks = 0;
  int64_t conversions_halves = 0;
  int64_t revenue_cents = 0;
  int64_t leads_halves = 0;
  int64_t purchases = 0;
};

struct PendingRestatement {
  size_t entity;
  int slot;
  AdValues values;
};

bool sells(AdGoal g) { return g == AdGoal::kPurchases || g == AdGoal::kConversions; }

// The values one entity produces in one slot.
AdValues slot_values(const AdEntity& e, double mean_cents, bool is_night, Rng& rng) {
  AdValues v;
  if (is_night && rng.uniform() < 0.75) return v;
  v.spend_cents = static_cast<int64_t>(mean_cents * (0.4 + 1.2 * rng.uniform()));
  if (v.spend_cents <= 0) return AdValues{};
  v.impressions = static_cast<int64_t>(static_cast<double>(v.spend_cents) / e.cpm_dollars * 10.0 *
                                       (0.8 + 0.4 * rng.uniform()));
  v.clicks =
      std::min(v.impressions,
               static_cast<int64_t>(static_cast<double>(v.impressions) * e.ctr + rng.uniform()));
  const double expected_conversions = static_cast<double>(v.clicks) * e.cvr;
  const double u = rng.uniform();
  if (expected_conversions > 0 && u < expected_conversions * 3) {
    v.conversions_halves = 2 * static_cast<int64_t>(expected_conversions + rng.uniform());
    if (u < 0.1 * expected_conversions) v.conversions_halves += 1;  // a shared attribution
  }
  const double aov_cents = e.aov_dollars * 100.0;
  if (sells(e.goal)) {
    v.purchases = v.conversions_halves / 2;
    if (v.purchases > 0) {
      v.revenue_cents = static_cast<int64_t>(static_cast<double>(v.purchases) * aov_cents *
                                             (0.6 + 0.8 * rng.uniform()));
    }
  } else if (e.goal == AdGoal::kLeads) {
    v.leads_halves = v.conversions_halves;
  } else {
    // Traffic and awareness campaigns sell now and then.
    v.purchases = v.conversions_halves >= 2 && rng.uniform() < 0.2 ? 1 : 0;
    if (v.purchases > 0)
      v.revenue_cents = static_cast<int64_t>(aov_cents * (0.6 + 0.8 * rng.uniform()));
  }
  return v;
}

AdValues corrected(const AdEntity& e, const AdValues& v, Rng& rng) {
  AdValues c = v;
  const double f = 0.92 + 0.16 * rng.uniform();
  c.spend_cents = static_cast<int64_t>(static_cast<double>(v.spend_cents) * f);
  c.impressions = static_cast<int64_t>(static_cast<double>(v.impressions) * f);
  c.clicks = std::min(c.impressions,
                      static_cast<int64_t>(static_cast<double>(v.clicks) * f + rng.uniform()));
  const bool late_conversion = c.clicks > 0 && rng.uniform() < 0.3;
  if (late_conversion) {
    c.conversions_halves += 2;
    if (sells(e.goal)) {
      c.purchases += 1;
      c.revenue_cents += static_cast<int64_t>(e.aov_dollars * 100.0);
    } else if (e.goal == AdGoal::kLeads) {
      c.leads_halves += 2;
    }
  }
  return c;
}

void write_row(LineWriter& out, const AdEntity& e, const AdValues& v, int64_t ts_ns) {
  out.begin_line(e.line_prefix);
  out.scaled_field("spend", v.spend_cents, 2);
  out.int_field("impressions", v.impressions);
  out.int_field("clicks", v.clicks);
  out.scaled_field("conversions", v.conversions_halves * 5, 1);
  out.scaled_field("revenue", v.revenue_cents, 2);
  out.scaled_field("leads", v.leads_halves * 5, 1);
  out.int_field("purchases", v.purchases);
  out.end_line(ts_ns);
}

}  // namespace

std::vector<TenantAdTotals> generate_ad_snapshot_day(const WorkloadWorld& world, int day,
                                                     LineWriter* lines, LineWriter* restatements,
                                                     uint64_t* rows, uint64_t* restated_rows) {
  Rng rng(stream_seed(world.shape.seed, "ad", static_cast<uint64_t>(day)));
  const int64_t day_index = world.shape.start_day + day;
  const int64_t day0 = day_index * kSecondsPerDay;
  const double dow = kDayOfWeek[static_cast<size_t>(weekday_monday0(day_index))];
  const double diurnal_sum = std::accumulate(kDiurnal.begin(), kDiurnal.end(), 0.0);
  const size_t n = world.entities.size();

  // Per entity and day: paused or not, and a day-to-day budget wobble folded
  // into the mean spend per slot at diurnal factor 1.
  std::vector<bool> paused(n);
  std::vector<double> slot_base_cents(n);
  for (size_t i = 0; i < n; ++i) paused[i] = rng.uniform() < world.entities[i].pause_probability;
  for (size_t i = 0; i < n; ++i) {
    slot_base_cents[i] = world.entities[i].daily_budget_dollars * 100.0 * dow *
                         rng.lognormal(1.0, 0.25) / (diurnal_sum * 4);
  }

  std::vector<TenantAdTotals> totals(world.tenants.size());
  std::vector<std::vector<PendingRestatement>> due_after(kSlotsPerDay);
  for (int slot = 0; slot < kSlotsPerDay; ++slot) {
    const int64_t slot_seconds = day0 + slot * kSlotSeconds;
    const int64_t ts_ns = slot_seconds * kNanosPerSecond;
    const int utc_hour = slot / 4;
    for (size_t i = 0; i < n; ++i) {
      const AdEntity& e = world.entities[i];
      AdValues v;
      if (!paused[i]) {
        const int local_hour =
            ((utc_hour + world.tenant_utc_offset_hours[static_cast<size_t>(e.tenant)]) % 24 + 24) %
            24;
        const double d = kDiurnal[static_cast<size_t>(local_hour)];
        v = slot_values(e, slot_base_cents[i] * d, d < 0.2, rng);
      }
      AdValues final_values = v;
      if (rng.uniform() < kRestateProbability) {
        final_values = corrected(e, v, rng);
        const int delay = 1 + static_cast<int>(rng.below(kMaxRestateDelaySlots));
        const int written_after = std::min(slot + delay, kSlotsPerDay - 1);
        due_after[static_cast<size_t>(written_after)].push_back({i, slot, final_values});
        ++*restated_rows;
        if (restatements != nullptr) {
          restatements->append(e.id);
          restatements->append(",");
          restatements->append(format_iso_seconds(slot_seconds));
          for (int64_t cents : {v.spend_cents, final_values.spend_cents, v.revenue_cents,
                                final_values.revenue_cents}) {
            restatements->append(",");
            restatements->append_scaled(cents, 2);
          }
          restatements->append(",");
          restatements->append(format_iso_seconds(day0 + written_after * kSlotSeconds));
          restatements->append("\n");
        }
      }
      if (lines != nullptr) write_row(*lines, e, v, ts_ns);
      ++*rows;
      TenantAdTotals& t = totals[static_cast<size_t>(e.tenant)];
      t.spend_cents += final_values.spend_cents;
      t.impressions += final_values.impressions;
      t.clicks += final_values.clicks;
      t.conversions_halves += final_values.conversions_halves;
      t.revenue_cents += final_values.revenue_cents;
    }
    for (const PendingRestatement& p : due_after[static_cast<size_t>(slot)]) {
      if (lines != nullptr) {
        write_row(*lines, world.entities[p.entity], p.values,
                  (day0 + p.slot * kSlotSeconds) * kNanosPerSecond);
      }
      ++*rows;
    }
  }
  return totals;
}

}  // namespace tessera::datagen
