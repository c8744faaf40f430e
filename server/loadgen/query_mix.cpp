#include "server/loadgen/query_mix.h"

#include <algorithm>
#include <set>

#include "bench/datagen/civil_date.h"

namespace tessera::loadgen {
namespace {

std::string quoted(std::string_view text) {
  std::string out = "'";
  for (char c : text) {
    out += c;
    if (c == '\'') out += '\'';
  }
  return out + "'";
}

// 'YYYY-MM-DD' of now - days_back.
std::string day(const QueryMixParams& p, int64_t days_back) {
  const int64_t d = p.now_day - days_back;
  return quoted(datagen::format_iso_seconds(d * datagen::kSecondsPerDay).substr(0, 10));
}

std::string range(const QueryMixParams& p, int64_t days_back) {
  return "time >= " + day(p, days_back) + " AND time < " + day(p, 0);
}

std::string q1(const QueryMixParams& p, const std::string& tenant) {
  return "SELECT sum(revenue) / sum(spend) AS roas FROM ad_snapshot WHERE tenant = " +
         quoted(tenant) + " AND " + range(p, 30) + " GROUP BY time(1d)";
}

std::string q2(const QueryMixParams& p, const std::string& tenant) {
  return "SELECT provider, 100.0 * sum(clicks) / sum(impressions) AS ctr_pct, sum(spend) / "
         "sum(clicks) AS cpc, 1000.0 * sum(spend) / sum(impressions) AS cpm, sum(revenue) / "
         "sum(spend) AS roas FROM ad_snapshot WHERE tenant = " +
         quoted(tenant) + " AND " + range(p, 7) + " GROUP BY provider ORDER BY provider";
}

std::string q3(const QueryMixParams& p, const std::string& shop) {
  return "SELECT median(first_response_minutes) AS p50, percentile(first_response_minutes, "
         "0.95) AS p95 FROM cx_conversation WHERE tenant = " +
         quoted(shop) + " AND " + range(p, 30) + " GROUP BY time(1d)";
}

std::string q4a(const QueryMixParams& p, const std::string& shop) {
  return "SELECT sla_pct(first_response_minutes, 120) AS sla_pct FROM cx_conversation WHERE "
         "tenant = " +
         quoted(shop) + " AND " + range(p, 30) + " GROUP BY time(1d)";
}

constexpr const char* kTryonAggregates =
    "count(*) AS total, count_if(status = 'completed') AS completed, count_if(status IN "
    "('failed', 'provider_expired')) AS failed, 1.0 * count_if(status = 'completed') / "
    "count_if(status IN ('completed', 'failed', 'provider_expired')) AS success_rate, "
    "avg(lifecycle_seconds) FILTER (WHERE status = 'completed') AS avg_lc, "
    "percentile(lifecycle_seconds, 0.95) FILTER (WHERE status = 'completed') AS p95_lc";

std::string q5a(const std::string& tenant) {
  return std::string("SELECT ") + kTryonAggregates +
         " FROM tryon_job WHERE tenant = " + quoted(tenant);
}

std::string q8(const QueryMixParams& p, const std::string& entity) {
  return "SELECT sum(spend) AS spend FROM ad_snapshot WHERE entity_id = " + quoted(entity) +
         " AND " + range(p, 2) + " GROUP BY time(15m)";
}

}  // namespace

Result<MixSet> parse_mix_set(std::string_view text) {
  if (text == "peers") return MixSet::kPeers;
  if (text == "spec") return MixSet::kSpec;
  if (text == "all") return MixSet::kAll;
  return make_error(ErrorCode::kInvalidInput,
                    "--mix: expected peers, spec or all, got \"" + std::string(text) + "\"");
}

Result<int64_t> parse_now_day(std::string_view text) {
  std::string_view date = text;
  if (text.size() == 20 && text.substr(10) == "T00:00:00Z") date = text.substr(0, 10);
  if (date.size() != 10) {
    return make_error(
        ErrorCode::kInvalidInput,
        "--now: expected YYYY-MM-DD or YYYY-MM-DDT00:00:00Z, got \"" + std::string(text) + "\"");
  }
  auto days = datagen::parse_civil_date(date);
  if (!days.is_ok()) return make_error(ErrorCode::kInvalidInput, "--now: " + days.error().message);
  return *days;
}

std::vector<QueryKind> build_query_mix(const QueryMixParams& p, MixSet set) {
  std::vector<QueryKind> kinds;
  if (set != MixSet::kSpec) {
    kinds.push_back({"Q1", q1(p, p.big_tenant)});
    kinds.push_back({"Q1s", q1(p, p.small_tenant)});
    kinds.push_back({"Q2", q2(p, p.big_tenant)});
    kinds.push_back({"Q2s", q2(p, p.small_tenant)});
    kinds.push_back({"Q3", q3(p, p.big_shop)});
    kinds.push_back({"Q3s", q3(p, p.small_shop)});
    kinds.push_back({"Q4a", q4a(p, p.big_shop)});
    kinds.push_back({"Q4as", q4a(p, p.small_shop)});
    kinds.push_back({"Q4b",
                     "SELECT tenant, sla_pct(first_response_minutes, 120) AS sla_pct FROM "
                     "cx_conversation GROUP BY tenant ORDER BY tenant"});
    kinds.push_back({"Q5a", q5a(p.big_tryon_tenant)});
    kinds.push_back({"Q5as", q5a(p.small_tryon_tenant)});
    kinds.push_back({"Q5b", std::string("SELECT tenant, ") + kTryonAggregates +
                                " FROM tryon_job GROUP BY tenant ORDER BY tenant"});
    kinds.push_back({"Q6",
                     "SELECT sum(spend) AS spend, sum(revenue) AS revenue FROM ad_snapshot "
                     "GROUP BY time(1d)"});
    kinds.push_back(
        {"Q7", "SELECT entity_id, sum(revenue) / sum(spend) AS roas FROM ad_snapshot WHERE " +
                   range(p, 7) +
                   " GROUP BY entity_id HAVING sum(spend) >= 100 ORDER BY roas DESC, "
                   "entity_id LIMIT 10"});
    kinds.push_back({"Q8", q8(p, p.big_entity)});
    kinds.push_back({"Q8s", q8(p, p.small_entity)});
  }
  if (set != MixSet::kPeers) {
    // SPEC.md's dashboard examples, with "now() - Nd" pinned to the same day.
    kinds.push_back({"spec_roas_day",
                     "SELECT sum(revenue) / sum(spend) AS roas FROM ad_snapshot WHERE tenant = " +
                         quoted(p.big_tenant) + " AND time >= " + day(p, 30) +
                         " GROUP BY time(1d)"});
    kinds.push_back({"spec_provider",
                     "SELECT provider, sum(clicks) / sum(impressions) * 100 AS ctr_pct, "
                     "sum(spend) / sum(clicks) AS cpc, sum(spend) / sum(impressions) * 1000 AS "
                     "cpm FROM ad_snapshot WHERE tenant = " +
                         quoted(p.big_tenant) + " AND time >= " + day(p, 7) +
                         " GROUP BY provider"});
    kinds.push_back({"spec_cx_day",
                     "SELECT median(first_response_minutes), percentile(first_response_minutes, "
                     "0.95), sla_pct(first_response_minutes, 120) FROM cx_conversation WHERE "
                     "tenant = " +
                         quoted(p.big_shop) + " GROUP BY time(1d)"});
    kinds.push_back({"spec_tryon",
                     "SELECT count(*) AS total_jobs, 100.0 * count_if(status = 'completed') / "
                     "count_if(status IN ('completed', 'failed', 'provider_expired')) AS "
                     "success_rate_pct, percentile(lifecycle_seconds, 0.95) AS p95_lifecycle "
                     "FROM tryon_job GROUP BY tenant"});
    kinds.push_back({"spec_global_daily",
                     "SELECT sum(spend) AS spend, sum(revenue) AS revenue FROM ad_snapshot "
                     "WHERE " +
                         range(p, 30) + " GROUP BY time(1d)"});
    kinds.push_back({"spec_top10_roas",
                     "SELECT entity_id, sum(revenue) / sum(spend) AS roas FROM ad_snapshot WHERE " +
                         range(p, 30) +
                         " GROUP BY entity_id HAVING sum(spend) >= 100 ORDER BY roas DESC, "
                         "entity_id LIMIT 10"});
    kinds.push_back({"spec_entity_15m",
                     "SELECT sum(spend) AS spend FROM ad_snapshot WHERE entity_id = " +
                         quoted(p.big_entity) + " AND " + range(p, 1) + " GROUP BY time(15m)"});
  }
  return kinds;
}

Result<std::vector<QueryKind>> select_query_kinds(std::vector<QueryKind> kinds,
                                                  std::string_view names) {
  std::set<std::string, std::less<>> wanted;
  size_t start = 0;
  while (start <= names.size()) {
    const size_t comma = std::min(names.find(',', start), names.size());
    if (comma > start) wanted.insert(std::string(names.substr(start, comma - start)));
    start = comma + 1;
  }
  for (const auto& name : wanted) {
    bool found = false;
    for (const auto& k : kinds) found |= k.name == name;
    if (!found)
      return make_error(ErrorCode::kInvalidInput, "--only: unknown query \"" + name + "\"");
  }
  std::vector<QueryKind> out;
  for (auto& k : kinds) {
    if (wanted.count(k.name)) out.push_back(std::move(k));
  }
  return out;
}

}  // namespace tessera::loadgen
