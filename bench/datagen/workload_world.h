// WorkloadWorld: the fixed cast of a generated workload — ws_ tenants with
// their size skew and time zones, ad entities with budgets and rates, support
// shops, per-tenant try-on and COD volumes, delivery areas — built from the
// resolved sizes and the seed alone. The per-table generators read it; it
// never changes after construction.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace tessera::datagen {

inline constexpr int kSlotsPerDay = 96;  // 15-minute slots
inline constexpr int64_t kSlotSeconds = 900;
inline constexpr int64_t kNanosPerSecond = 1'000'000'000;
inline constexpr int64_t kSlaTargetMinutes = 120;

// Relative activity by local hour (0..23): low at night, peak in the evening.
inline constexpr std::array<double, 24> kDiurnal = {0.10, 0.06, 0.04, 0.03, 0.03, 0.05, 0.15, 0.35,
                                                    0.60, 0.80, 0.90, 1.00, 1.05, 1.00, 0.95, 0.95,
                                                    1.00, 1.10, 1.25, 1.40, 1.50, 1.35, 0.90, 0.40};
// Day-of-week factor, Monday..Sunday.
inline constexpr std::array<double, 7> kDayOfWeek = {1.00, 0.98, 0.97, 1.00, 1.05, 1.15, 1.10};

// Sizes after applying overrides to the scale preset. Volumes are per UTC day
// across all shops / tenants (a preset's total divided by its days), so
// overriding `days` scales the totals instead of squeezing them.
struct WorkloadShape {
  uint64_t seed = 42;
  int64_t start_day = 0;  // days since 1970-01-01
  int days = 0;
  int entities = 0;
  int tenants = 0;
  int shops = 0;
  double conversations_per_day = 0;
  double tryon_jobs_per_day = 0;
  double cod_orders_per_day = 0;

  int64_t start_seconds() const { return start_day * 86400; }
  int64_t end_seconds() const { return (start_day + days) * 86400; }
};

enum class Provider : uint8_t { kMeta, kGoogle, kTiktok };
enum class AdLevel : uint8_t { kCampaign, kAdset, kAd };
enum class AdGoal : uint8_t { kAwareness, kTraffic, kLeads, kPurchases, kConversions };

const char* provider_name(Provider p);
const char* level_name(AdLevel l);
const char* goal_name(AdGoal g);

struct AdEntity {
  int tenant = 0;  // index into WorkloadWorld::tenants
  Provider provider = Provider::kMeta;
  AdLevel level = AdLevel::kAd;
  AdGoal goal = AdGoal::kPurchases;
  double daily_budget_dollars = 0;
  double cpm_dollars = 0;        // per 1000 impressions
  double ctr = 0;                // clicks per impression
  double cvr = 0;                // conversions per click
  double aov_dollars = 0;        // average order value
  double pause_probability = 0;  // chance of being paused for a whole day
  std::string id;                // "ent_000123"
  std::string line_prefix;       // "ad_snapshot,entity_id=...,tenant=ws_0000 "
};

struct WorkloadWorld {
  explicit WorkloadWorld(const WorkloadShape& shape);

  WorkloadShape shape;
  // ws_ tenants (ad data, growth, try-on, COD).
  std::vector<std::string> tenants;
  std::vector<double> tenant_weight;  // Zipf(1.1), sums to 1
  std::vector<int> tenant_utc_offset_hours;
  std::vector<int> tenant_entity_count;
  std::vector<AdEntity> entities;  // sorted by tenant, ids in index order
  // Support shops (their own tenant namespace).
  std::vector<std::string> shops;
  std::vector<double> shop_conversations_per_day;  // Zipf(1.0)
  std::vector<double> shop_response_factor;        // first-response speed, 0.7..1.4
  std::vector<double> shop_ai_draft_rate;
  // Try-on and COD volume per tenant per day: Zipf(1.05), shuffled so the
  // order differs from the ad data's.
  std::vector<double> tryon_jobs_per_day;
  std::vector<double> cod_orders_per_day;
  std::vector<std::vector<std::string>> cod_agents;  // each tenant's own pool
  std::vector<int64_t> area_fee_cents;               // per delivery area
  std::vector<double> area_weight;                   // Zipf(0.8)
};

// The 30 named delivery areas, most frequent first.
extern const std::array<const char*, 30> kDeliveryAreas;

}  // namespace tessera::datagen
