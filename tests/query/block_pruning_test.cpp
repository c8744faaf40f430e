// Block pruning rules against hand-built block statistics: which blocks can be
// skipped, and which blocks satisfy a rule (or one WHERE conjunct) in every row, so
// that the scan need not evaluate it.
#include "query/block_pruning.h"

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <random>

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

// A block that is only its statistics: run_blocks_holding reads nothing else.
class StatsOnlySource final : public engine::BlockSource {
 public:
  explicit StatsOnlySource(BlockStats stats) : stats_(std::move(stats)) {}
  const BlockStats& stats() const override { return stats_; }
  Result<std::shared_ptr<const storage::Block>> load() const override {
    return make_error(ErrorCode::kInternal, "a statistics-only block has no rows");
  }

 private:
  BlockStats stats_;
};

TEST(BlockPruningTest, FindsATenantsBlocksInASortedRunByBinarySearch) {
  const uint32_t seed = 20261206;
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937 rng(seed);
  const std::vector<std::string> tenants = {"b", "d", "f", "h", "j"};
  for (int trial = 0; trial < 200; ++trial) {
    // A sorted column of NULLs (empty optionals) then tenants, cut into blocks at
    // random, behind a few blocks that are in no run.
    std::vector<std::optional<std::string>> rows(rng() % 4, std::nullopt);
    for (const std::string& t : tenants) rows.insert(rows.end(), rng() % 12, t);
    engine::TableSnapshot snapshot;
    const size_t unsorted = rng() % 3;
    for (size_t i = 0; i < unsorted; ++i) {
      snapshot.add_block(std::make_shared<StatsOnlySource>(block(0, 1, "a", "z")));
    }
    for (size_t start = 0; start < rows.size();) {
      const size_t end = std::min(rows.size(), start + 1 + rng() % 9);
      BlockStats stats = block(0, 1, "", "");
      ColumnStats& tenant = stats.columns[0];
      tenant.has_min_max = false;
      for (size_t r = start; r < end; ++r) {
        if (!rows[r]) {
          ++tenant.null_count;
        } else if (!tenant.has_min_max) {
          tenant.has_min_max = true;
          tenant.min_string = tenant.max_string = *rows[r];
        } else {
          tenant.max_string = *rows[r];  // sorted: each value is the largest so far
        }
      }
      if (!tenant.has_min_max && rng() % 2 == 0) {  // all NULL: the column may be absent
        stats.column_names.clear();
        stats.column_types.clear();
        stats.columns.clear();
      }
      snapshot.add_block(std::make_shared<StatsOnlySource>(stats));
      start = end;
    }
    const engine::TableSnapshot::SortedRun run{unsorted, snapshot.blocks.size()};
    // Every probe, present or not, before, between and after the tenants.
    for (const std::string value : {"a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k"}) {
      // The blocks that can hold `value`, found by checking each block of the run.
      std::vector<size_t> expected;
      for (size_t b = run.begin; b < run.end; ++b) {
        const BlockStats& stats = snapshot.blocks[b].source->stats();
        const int i = stats.find("tenant");
        if (i < 0) continue;
        const ColumnStats& cs = stats.columns[static_cast<size_t>(i)];
        if (cs.has_min_max && cs.min_string <= value && value <= cs.max_string) {
          expected.push_back(b);
        }
      }
      const auto [first, last] = run_blocks_holding(snapshot, run, "tenant", value);
      std::vector<size_t> found;
      for (size_t b = first; b < last; ++b) found.push_back(b);
      EXPECT_EQ(found, expected) << "trial " << trial << ", tenant " << value;
      if (expected.empty()) {  // the empty range sits where the value would go
        EXPECT_GE(first, run.begin);
        EXPECT_LE(first, run.end);
      }
    }
  }
}

}  // namespace
}  // namespace tessera::query::detail
