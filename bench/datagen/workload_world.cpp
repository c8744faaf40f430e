#include "bench/datagen/workload_world.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "bench/datagen/random.h"
#include "bench/datagen/weighted_choice.h"

namespace tessera::datagen {

const std::array<const char*, 30> kDeliveryAreas = {
    "nasr-city",   "heliopolis", "maadi",        "zamalek",         "dokki",
    "mohandessin", "giza",       "6th-october",  "new-cairo",       "shubra",
    "abbasia",     "downtown",   "sheikh-zayed", "helwan",          "obour",
    "rehab",       "madinaty",   "shorouk",      "alexandria-east", "alexandria-west",
    "smouha",      "sidi-gaber", "montaza",      "tanta",           "mansoura",
    "zagazig",     "ismailia",   "suez",         "port-said",       "hurghada"};

const char* provider_name(Provider p) {
  switch (p) {
    case Provider::kMeta:
      return "meta";
    case Provider::kGoogle:
      return "google";
    case Provider::kTiktok:
      return "tiktok";
  }
  return "meta";
}

const char* level_name(AdLevel l) {
  switch (l) {
    case AdLevel::kCampaign:
      return "campaign";
    case AdLevel::kAdset:
      return "adset";
    case AdLevel::kAd:
      return "ad";
  }
  return "ad";
}

const char* goal_name(AdGoal g) {
  switch (g) {
    case AdGoal::kAwareness:
      return "awareness";
    case AdGoal::kTraffic:
      return "traffic";
    case AdGoal::kLeads:
      return "leads";
    case AdGoal::kPurchases:
      return "purchases";
    case AdGoal::kConversions:
      return "conversions";
  }
  return "purchases";
}

namespace {

std::string numbered(const char* format, long long n) {
  char buf[48];
  std::snprintf(buf, sizeof buf, format, n);
  return buf;
}

constexpr double kProviderWeights[] = {0.5, 0.35, 0.15};
constexpr double kLevelWeights[] = {0.1, 0.3, 0.6};
constexpr double kGoalWeights[] = {0.12, 0.18, 0.15, 0.35, 0.20};
constexpr double kBaseCpm[] = {9.0, 5.0, 6.5};        // meta, google, tiktok
constexpr double kBaseCtr[] = {0.012, 0.025, 0.009};  // meta, google, tiktok
constexpr int kUtcOffsets[] = {-8, -7, -6, -5, -4, 0, 1, 2, 3, 4};
constexpr double kPauseChoices[] = {0.0, 0.0, 0.03, 0.08, 0.2};
constexpr double kAiDraftChoices[] = {0.0, 0.2, 0.5, 0.8};

void shuffle(std::vector<int>& v, Rng& rng) {
  for (size_t i = v.size(); i > 1; --i) std::swap(v[i - 1], v[rng.below(i)]);
}

}  // namespace

WorkloadWorld::WorkloadWorld(const WorkloadShape& s) : shape(s) {
  Rng rng(stream_seed(s.seed, "world", 0));
  const auto n_tenants = static_cast<size_t>(s.tenants);

  for (int i = 0; i < s.tenants; ++i) tenants.push_back(numbered("ws_%04lld", i));
  tenant_weight = zipf_weights(n_tenants, 1.1);
  for (int i = 0; i < s.tenants; ++i) {
    tenant_utc_offset_hours.push_back(kUtcOffsets[rng.below(std::size(kUtcOffsets))]);
  }

  // Every tenant gets one entity while there are enough; the rest by weight.
  std::vector<int> owners;
  for (int i = 0; i < std::min(s.tenants, s.entities); ++i) owners.push_back(i);
  const WeightedChoice tenant_choice(tenant_weight);
  while (static_cast<int>(owners.size()) < s.entities) {
    owners.push_back(static_cast<int>(tenant_choice.pick(rng)));
  }
  std::sort(owners.begin(), owners.end());
  tenant_entity_count.assign(n_tenants, 0);

  const WeightedChoice provider_choice(kProviderWeights);
  const WeightedChoice level_choice(kLevelWeights);
  const WeightedChoice goal_choice(kGoalWeights);
  entities.reserve(owners.size());
  for (size_t i = 0; i < owners.size(); ++i) {
    AdEntity e;
    e.tenant = owners[i];
    ++tenant_entity_count[static_cast<size_t>(e.tenant)];
    e.provider = static_cast<Provider>(provider_choice.pick(rng));
    e.level = static_cast<AdLevel>(level_choice.pick(rng));
    e.goal = static_cast<AdGoal>(goal_choice.pick(rng));
    // The three biggest tenants also spend more per entity.
    e.daily_budget_dollars = rng.lognormal(60.0, 0.9) * (e.tenant < 3 ? 1.6 : 1.0);
    if (e.level == AdLevel::kCampaign) e.daily_budget_dollars *= 2.5;
    const auto p = static_cast<size_t>(e.provider);
    e.cpm_dollars = kBaseCpm[p] * rng.lognormal(1.0, 0.3);
    e.ctr = kBaseCtr[p] * rng.lognormal(1.0, 0.4);
    switch (e.goal) {
      case AdGoal::kPurchases:
      case AdGoal::kConversions:
        e.cvr = rng.lognormal(0.03, 0.5);
        break;
      case AdGoal::kLeads:
        e.cvr = rng.lognormal(0.06, 0.5);
        break;
      case AdGoal::kTraffic:
        e.cvr = rng.lognormal(0.008, 0.5);
        break;
      case AdGoal::kAwareness:
        e.cvr = 0.002;
        break;
    }
    e.aov_dollars = rng.lognormal(55.0, 0.5);
    e.pause_probability = kPauseChoices[rng.below(std::size(kPauseChoices))];
    e.id = numbered("ent_%06lld", static_cast<long long>(i));
    const std::string& tenant = tenants[static_cast<size_t>(e.tenant)];
    // Tags sorted by key: entity_id, goal, level, provider, tenant.
    e.line_prefix = "ad_snapshot,entity_id=" + e.id + ",goal=" + goal_name(e.goal) +
                    ",level=" + level_name(e.level) + ",provider=" + provider_name(e.provider) +
                    ",tenant=" + tenant + " ";
    entities.push_back(std::move(e));
  }

  const auto n_shops = static_cast<size_t>(s.shops);
  for (int i = 0; i < s.shops; ++i) shops.push_back(numbered("shop-%03lld.myshopify.com", i));
  for (double w : zipf_weights(n_shops, 1.0)) {
    shop_conversations_per_day.push_back(s.conversations_per_day * w);
  }
  for (size_t i = 0; i < n_shops; ++i) shop_response_factor.push_back(0.7 + 0.7 * rng.uniform());
  for (size_t i = 0; i < n_shops; ++i) {
    shop_ai_draft_rate.push_back(kAiDraftChoices[rng.below(std::size(kAiDraftChoices))]);
  }

  const std::vector<double> event_weight = zipf_weights(n_tenants, 1.05);
  std::vector<int> perm(n_tenants);
  for (size_t i = 0; i < n_tenants; ++i) perm[i] = static_cast<int>(i);
  shuffle(perm, rng);
  for (size_t i = 0; i < n_tenants; ++i) {
    tryon_jobs_per_day.push_back(s.tryon_jobs_per_day * event_weight[static_cast<size_t>(perm[i])]);
  }
  shuffle(perm, rng);
  int next_agent = 1;
  for (size_t i = 0; i < n_tenants; ++i) {
    const double w = event_weight[static_cast<size_t>(perm[i])];
    cod_orders_per_day.push_back(s.cod_orders_per_day * w);
    const int pool = std::max(
        2,
        static_cast<int>(std::lround(3 + 40 * w * std::sqrt(static_cast<double>(s.tenants)) / 3)));
    std::vector<std::string> agents;
    for (int j = 0; j < pool; ++j) agents.push_back(numbered("agt_%05lld", next_agent + j));
    next_agent += pool;
    cod_agents.push_back(std::move(agents));
  }

  // Fees are a fixed function of the area name: 15.00 to 35.00 in steps of 5.
  for (const char* area : kDeliveryAreas) {
    area_fee_cents.push_back(1500 + static_cast<int64_t>(stream_seed(0, area, 0) % 5) * 500);
  }
  area_weight = zipf_weights(kDeliveryAreas.size(), 0.8);
}

}  // namespace tessera::datagen
