#include "server/loadgen/query_mix.h"

#include <gtest/gtest.h>

namespace tessera::loadgen {
namespace {

const QueryKind* find(const std::vector<QueryKind>& kinds, const std::string& name) {
  for (const auto& k : kinds) {
    if (k.name == name) return &k;
  }
  return nullptr;
}

// Expected texts are PEERS.md's, copied by hand.
TEST(QueryMixTest, DefaultsReproducePeersStatements) {
  const auto kinds = build_query_mix(QueryMixParams{}, MixSet::kPeers);
  ASSERT_NE(find(kinds, "Q1"), nullptr);
  EXPECT_EQ(find(kinds, "Q1")->statement,
            "SELECT sum(revenue) / sum(spend) AS roas FROM ad_snapshot WHERE tenant = 'ws_0000' "
            "AND time >= '2025-01-16' AND time < '2025-02-15' GROUP BY time(1d)");
  EXPECT_EQ(find(kinds, "Q7")->statement,
            "SELECT entity_id, sum(revenue) / sum(spend) AS roas FROM ad_snapshot WHERE time >= "
            "'2025-02-08' AND time < '2025-02-15' GROUP BY entity_id HAVING sum(spend) >= 100 "
            "ORDER BY roas DESC, entity_id LIMIT 10");
  EXPECT_EQ(find(kinds, "Q8s")->statement,
            "SELECT sum(spend) AS spend FROM ad_snapshot WHERE entity_id = 'ent_002309' AND time "
            ">= '2025-02-13' AND time < '2025-02-15' GROUP BY time(15m)");
  EXPECT_EQ(find(kinds, "Q4as")->statement,
            "SELECT sla_pct(first_response_minutes, 120) AS sla_pct FROM cx_conversation WHERE "
            "tenant = 'shop-149.myshopify.com' AND time >= '2025-01-16' AND time < '2025-02-15' "
            "GROUP BY time(1d)");
  EXPECT_EQ(kinds.size(), 16u);
  EXPECT_EQ(find(kinds, "spec_tryon"), nullptr);
}

TEST(QueryMixTest, AllHoldsPeersAndSpecKinds) {
  const auto kinds = build_query_mix(QueryMixParams{}, MixSet::kAll);
  EXPECT_EQ(kinds.size(), 16u + 7u);
  EXPECT_NE(find(kinds, "spec_entity_15m"), nullptr);
}

TEST(QueryMixTest, QuotesInParametersAreDoubled) {
  QueryMixParams p;
  p.big_tenant = "o'neil";
  const auto kinds = build_query_mix(p, MixSet::kPeers);
  EXPECT_NE(find(kinds, "Q1")->statement.find("tenant = 'o''neil' AND"), std::string::npos);
}

TEST(QueryMixTest, ParsesNowAsDayOrMidnight) {
  EXPECT_EQ(*parse_now_day("2025-02-15"), 20134);
  EXPECT_EQ(*parse_now_day("2025-02-15T00:00:00Z"), 20134);
  EXPECT_FALSE(parse_now_day("2025-02-15T01:00:00Z").is_ok());
  EXPECT_FALSE(parse_now_day("2025-02-30").is_ok());
  EXPECT_FALSE(parse_now_day("").is_ok());
}

TEST(QueryMixTest, SelectsByNameAndRejectsUnknown) {
  auto kinds = select_query_kinds(build_query_mix(QueryMixParams{}, MixSet::kAll), "Q8,Q1");
  ASSERT_TRUE(kinds.is_ok());
  ASSERT_EQ(kinds->size(), 2u);
  EXPECT_EQ((*kinds)[0].name, "Q1");
  EXPECT_EQ((*kinds)[1].name, "Q8");
  EXPECT_FALSE(select_query_kinds(build_query_mix(QueryMixParams{}, MixSet::kAll), "Q9").is_ok());
}

}  // namespace
}  // namespace tessera::loadgen
