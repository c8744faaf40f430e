// Block pruning rules against hand-built block statistics: which blocks can be
// skipped, and which blocks satisfy a rule (or one WHERE conjunct) in every row, so
// that the scan need not evaluate it.
#include "query/block_pruning.h"

#include <gtest/gtest.h>

#include "query/binder.h"
#include "query/parser.h"
#include "tests/query/query_test_util.h"

namespace tessera::query::detail {
namespace {

using storage::BlockStats;
using storage::ColumnStats;
using storage::ColumnType;
using testing::kHour;
using testing::utc;

const int64_t kDay0 = utc(2025, 1, 16);

// A block of rows between hours [from, to] of day 0 whose tenant column holds
// values in [min_tenant, max_tenant], with `tenant_nulls` NULLs.
BlockStats block(int from, int to, const std::string& min_tenant, const std::string& max_tenant,
                 uint64_t tenant_nulls = 0) {
  BlockStats stats;
  stats.row_count = 10;
  stats.min_time_ns = kDay0 + from * kHour;
  stats.max_time_ns = kDay0 + to * kHour;
  ColumnStats tenant;
  tenant.null_count = tenant_nulls;
  tenant.has_min_max = true;
  tenant.min_string = min_tenant;
  tenant.max_string = max_tenant;
  stats.column_names = {"tenant"};
  stats.column_types = {ColumnType::kString};
  stats.columns = {tenant};
  return stats;
}

engine::TableSchema schema() {
  engine::TableSchema s;
  s.name = "t";
  s.columns = {{"time", engine::ColumnKind::kTime, ColumnType::kInt64},
               {"tenant", engine::ColumnKind::kTag, ColumnType::kString},
               {"spend", engine::ColumnKind::kField, ColumnType::kFloat64}};
  return s;
}

BoundSelect bind(const std::string& sql) {
  auto statement = parse_statement(sql);
  EXPECT_TRUE(statement.is_ok()) << sql;
  QueryContext context;
  auto plan = bind_select(std::get<SelectStmt>(statement.value()), schema(), context);
  EXPECT_TRUE(plan.is_ok()) << plan.error().message;
  return std::move(plan.value());
}

TEST(BlockPruningTest, EveryRowSatisfiesOnlyWhenStatisticsProveIt) {
  const BoundSelect plan = bind(
      "SELECT sum(spend) FROM t WHERE tenant = 'a' AND time >= '2025-01-16T02:00:00Z' AND "
      "time < '2025-01-16T10:00:00Z'");
  std::vector<std::string> described;
  const PruneRule rule = derive_prune_rule(plan, std::nullopt, &described);
  ASSERT_TRUE(rule.is_exact);
  EXPECT_TRUE(every_row_satisfies(rule, block(2, 9, "a", "a")));
  EXPECT_FALSE(every_row_satisfies(rule, block(1, 9, "a", "a")));     // starts too early
  EXPECT_FALSE(every_row_satisfies(rule, block(2, 10, "a", "a")));    // 10:00 is excluded
  EXPECT_FALSE(every_row_satisfies(rule, block(2, 9, "a", "b")));     // another tenant too
  EXPECT_FALSE(every_row_satisfies(rule, block(2, 9, "a", "a", 1)));  // a NULL tenant
  BlockStats no_tenant = block(2, 9, "a", "a");
  no_tenant.column_names.clear();
  no_tenant.column_types.clear();
  no_tenant.columns.clear();
  EXPECT_FALSE(every_row_satisfies(rule, no_tenant));  // all NULL
  BlockStats empty = block(2, 9, "a", "a");
  empty.row_count = 0;
  EXPECT_FALSE(every_row_satisfies(rule, empty));
  // Skipping is the converse question: some row may match.
  EXPECT_FALSE(can_skip(rule, block(0, 3, "a", "b")));
  EXPECT_TRUE(can_skip(rule, block(10, 12, "a", "a")));
  EXPECT_TRUE(can_skip(rule, block(2, 9, "b", "c")));
}

TEST(BlockPruningTest, ConjunctRulesCoverOnlyWhatTheyCanExpress) {
  const BoundSelect plan = bind(
      "SELECT sum(spend) FROM t WHERE tenant = 'a' AND spend > 1 AND time >= '2025-01-16' AND "
      "(tenant = 'b' OR tenant = 'c')");
  ASSERT_EQ(plan.where_conjuncts.size(), 4u);
  const std::optional<PruneRule> tenant = conjunct_rule(plan.where_conjuncts[0]);
  ASSERT_TRUE(tenant.has_value());
  EXPECT_TRUE(every_row_satisfies(*tenant, block(0, 23, "a", "a")));
  EXPECT_FALSE(every_row_satisfies(*tenant, block(0, 23, "a", "b")));
  EXPECT_FALSE(conjunct_rule(plan.where_conjuncts[1]).has_value());  // a field comparison
  const std::optional<PruneRule> time = conjunct_rule(plan.where_conjuncts[2]);
  ASSERT_TRUE(time.has_value());
  EXPECT_TRUE(time->equalities.empty());
  EXPECT_TRUE(every_row_satisfies(*time, block(0, 23, "x", "z")));
  EXPECT_FALSE(conjunct_rule(plan.where_conjuncts[3]).has_value());  // OR
}

TEST(BlockPruningTest, QueriedTimeRangeIsWhatTheTimeConjunctsAllow) {
  auto range = [](const std::string& where) {
    // (bind) keeps std::bind, found through the std::string argument, out.
    const engine::TimeRange r = queried_time_range((bind)("SELECT spend FROM t WHERE " + where));
    return std::pair{r.min_ns, r.max_ns};
  };
  const int64_t hour1 = kDay0 + kHour;
  EXPECT_EQ(range("time >= '2025-01-16' AND time < '2025-01-16T01:00:00Z'"),
            std::pair(kDay0, hour1 - 1));
  EXPECT_EQ(range("time > '2025-01-16' AND tenant = 'a'"),
            std::pair(kDay0 + 1, std::numeric_limits<int64_t>::max()));
  EXPECT_EQ(range("time = '2025-01-16'"), std::pair(kDay0, kDay0));
  // A disjunction says nothing the range can hold: the whole range.
  EXPECT_EQ(range("time < '2025-01-16' OR spend > 1"),
            std::pair(std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max()));
  EXPECT_EQ(range("tenant = 'a'"),
            std::pair(std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max()));
}

}  // namespace
}  // namespace tessera::query::detail
