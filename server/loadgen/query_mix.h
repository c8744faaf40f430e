// The dashboard query mix of `tessera bench`: the PEERS.md queries Q1-Q8 with
// their big- and small-tenant variants, and the SPEC.md dashboard examples,
// instantiated for one data set (tenants, shops, entities and the pinned "now").
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "storage/base/status.h"

namespace tessera::loadgen {

// What the queries are about. The defaults are PEERS.md's parameters for
// `gen.py --scale medium --seed 42`.
struct QueryMixParams {
  int64_t now_day = 20134;  // days since 1970-01-01 of "now": 2025-02-15
  std::string big_tenant = "ws_0000", small_tenant = "ws_0059";
  std::string big_shop = "shop-000.myshopify.com", small_shop = "shop-149.myshopify.com";
  std::string big_tryon_tenant = "ws_0059", small_tryon_tenant = "ws_0052";
  std::string big_entity = "ent_000000", small_entity = "ent_002309";
};

struct QueryKind {
  std::string name;       // "Q1", "Q1s", "spec_roas_day", ...
  std::string statement;  // one line of the query protocol
};

enum class MixSet { kPeers, kSpec, kAll };

// "peers" | "spec" | "all"; else kInvalidInput.
Result<MixSet> parse_mix_set(std::string_view text);

// "2025-02-15" or "2025-02-15T00:00:00Z" (midnight only: the queries are
// day-aligned) -> days since 1970-01-01. kInvalidInput otherwise.
Result<int64_t> parse_now_day(std::string_view text);

// The statements, in a fixed order. Every parameter is inserted as a quoted
// literal with `'` doubled, so any tenant name gives a well-formed statement.
std::vector<QueryKind> build_query_mix(const QueryMixParams& params, MixSet set);

// Keeps the kinds whose name is in the comma-separated `names` ("Q1,Q8s");
// kInvalidInput naming the first unknown one.
Result<std::vector<QueryKind>> select_query_kinds(std::vector<QueryKind> kinds,
                                                  std::string_view names);

}  // namespace tessera::loadgen
