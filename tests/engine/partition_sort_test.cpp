#include "engine/partition_sort.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <tuple>

#include "engine/block_builder.h"

namespace tessera::engine {
namespace {

using ::testing::ElementsAre;

// One row of the brute-force model: three tags that may be NULL, a time, two fields.
struct ModelRow {
  std::optional<std::string> tenant, entity, provider;
  int64_t time_ns = 0;
  std::optional<double> spend;
  std::optional<std::string> note;
};

std::string opt(const std::optional<std::string>& s) { return s ? *s : "NULL"; }

std::string render(const ModelRow& r) {
  return opt(r.tenant) + " " + opt(r.entity) + " " + opt(r.provider) + " " +
         std::to_string(r.time_ns) + " " + (r.spend ? std::to_string(*r.spend) : "NULL") + " " +
         opt(r.note);
}

std::optional<std::string> string_at(const storage::Block& block, const char* name, size_t row) {
  const storage::Column* column = block.find(name);
  if (column == nullptr || !column->is_valid(row)) return std::nullopt;
  return std::string(column->string_at(row));
}

// The rows of each output block, rendered like the model's.
std::vector<std::vector<std::string>> render_blocks(const std::vector<storage::Block>& blocks) {
  std::vector<std::vector<std::string>> out;
  for (const storage::Block& block : blocks) {
    auto& rows = out.emplace_back();
    for (size_t i = 0; i < block.row_count(); ++i) {
      ModelRow r;
      r.tenant = string_at(block, "tenant", i);
      r.entity = string_at(block, "entity", i);
      r.provider = string_at(block, "provider", i);
      r.time_ns = block.time_ns[i];
      const storage::Column* spend = block.find("spend");
      if (spend != nullptr && spend->is_valid(i)) r.spend = spend->floats[i];
      r.note = string_at(block, "note", i);
      rows.push_back(render(r));
    }
  }
  return out;
}

std::shared_ptr<const storage::Block> build(const std::vector<ModelRow>& rows) {
  BlockBuilder builder;
  for (const ModelRow& r : rows) {
    builder.begin_row(r.time_ns);
    if (r.tenant) builder.set_string("tenant", *r.tenant);
    if (r.entity) builder.set_string("entity", *r.entity);
    if (r.provider) builder.set_string("provider", *r.provider);
    if (r.spend) builder.set_float("spend", *r.spend);
    if (r.note) builder.set_string("note", *r.note);
  }
  return std::make_shared<const storage::Block>(builder.take());
}

SortKey test_key(bool has_tenant, bool has_dedup) {
  SortKey key;
  if (has_tenant) key.tenant_column = "tenant";
  key.tag_columns = {"entity", "provider"};
  if (!has_tenant) key.tag_columns.insert(key.tag_columns.begin(), "tenant");
  if (has_dedup) key.dedup_columns = {"tenant", "entity"};
  return key;
}

// The expected output, computed the slow obvious way from the model rows in write order.
std::vector<std::vector<std::string>> reference(std::vector<ModelRow> rows, bool has_tenant,
                                                bool has_dedup, BlockCut cut) {
  if (has_dedup) {
    using Identity = std::tuple<std::optional<std::string>, std::optional<std::string>, int64_t>;
    std::map<Identity, size_t> last;
    for (size_t i = 0; i < rows.size(); ++i)
      last[{rows[i].tenant, rows[i].entity, rows[i].time_ns}] = i;
    std::vector<ModelRow> kept;
    for (size_t i = 0; i < rows.size(); ++i) {
      if (last[{rows[i].tenant, rows[i].entity, rows[i].time_ns}] == i) kept.push_back(rows[i]);
    }
    rows = std::move(kept);
  }
  // std::optional orders nullopt first, as NULL tags sort.
  std::stable_sort(rows.begin(), rows.end(), [](const ModelRow& a, const ModelRow& b) {
    return std::tie(a.tenant, a.entity, a.provider, a.time_ns) <
           std::tie(b.tenant, b.entity, b.provider, b.time_ns);
  });
  // Tenant runs (without a tenant column: one run of every row, cut only by size).
  std::vector<std::vector<std::string>> tenant_runs;
  for (size_t i = 0; i < rows.size(); ++i) {
    if (i == 0 || (has_tenant && rows[i].tenant != rows[i - 1].tenant)) tenant_runs.emplace_back();
    tenant_runs.back().push_back(render(rows[i]));
  }
  std::vector<std::vector<std::string>> out;
  std::vector<std::string> shared;
  auto close_shared = [&] {
    if (!shared.empty()) out.push_back(std::move(shared));
    shared.clear();
  };
  for (const std::vector<std::string>& run : tenant_runs) {
    if (!has_tenant || run.size() >= cut.min_own_rows) {
      close_shared();
      for (size_t i = 0; i < run.size(); ++i) {
        if (i % cut.max_rows == 0) out.emplace_back();
        out.back().push_back(run[i]);
      }
    } else {
      if (shared.size() + run.size() > cut.max_rows) close_shared();
      shared.insert(shared.end(), run.begin(), run.end());
    }
  }
  close_shared();
  return out;
}

TEST(PartitionSortTest, SortKeyIsTenantThenDedupTagsThenOtherTagsByName) {
  TableSchema schema;
  schema.columns = {{"time", ColumnKind::kTime, storage::ColumnType::kInt64},
                    {"zone", ColumnKind::kTag, storage::ColumnType::kString},
                    {"tenant", ColumnKind::kTag, storage::ColumnType::kString},
                    {"spend", ColumnKind::kField, storage::ColumnType::kFloat64},
                    {"entity", ColumnKind::kTag, storage::ColumnType::kString},
                    {"app", ColumnKind::kTag, storage::ColumnType::kString}};
  schema.options.dedup_columns = {"tenant", "entity"};
  SortKey key = sort_key_for(schema);
  EXPECT_EQ(key.tenant_column, "tenant");
  EXPECT_THAT(key.tag_columns, ElementsAre("entity", "app", "zone"));
  schema.options.tenant_column.reset();
  EXPECT_THAT(sort_key_for(schema).tag_columns, ElementsAre("tenant", "entity", "app", "zone"));
}

TEST(PartitionSortTest, SortsNullTagsFirstAndCutsAtEachTenant) {
  std::vector<ModelRow> rows = {{"b", "e1", {}, 5, 1.0, {}},
                                {"a", "e2", {}, 1, 2.0, {}},
                                {{}, "e1", {}, 9, {}, "x"},
                                {"a", {}, {}, 3, 4.0, {}},
                                {"a", "e2", {}, 0, 5.0, {}}};
  auto sorted = sort_partition(std::vector{build(rows)}, test_key(true, false), BlockCut{8, 1});
  ASSERT_TRUE(sorted.is_ok()) << sorted.status().to_string();
  EXPECT_THAT(render_blocks(sorted->blocks),
              ElementsAre(ElementsAre("NULL e1 NULL 9 NULL x"),
                          ElementsAre("a NULL NULL 3 4.000000 NULL", "a e2 NULL 0 5.000000 NULL",
                                      "a e2 NULL 1 2.000000 NULL"),
                          ElementsAre("b e1 NULL 5 1.000000 NULL")));
  // Columns that are NULL in every row of a block are left out of it.
  EXPECT_EQ(sorted->blocks[0].find("spend"), nullptr);
  EXPECT_EQ(sorted->blocks[1].find("note"), nullptr);
  EXPECT_TRUE(sorted->blocks[1].find("entity")->has_nulls());
  EXPECT_FALSE(sorted->blocks[2].find("entity")->has_nulls());
}

TEST(PartitionSortTest, SmallTenantsShareBlocksAndLargeOnesGetTheirOwn) {
  std::vector<ModelRow> rows;
  auto add = [&](const char* tenant, int count) {
    for (int t = 0; t < count; ++t) rows.push_back({tenant, "e", {}, t, {}, {}});
  };
  add("a", 1);
  add("b", 2);
  add("c", 5);  // >= min_own_rows: blocks of its own, cut at max_rows
  add("d", 2);
  add("e", 2);
  add("f", 1);  // would make the shared block of d and e hold 5 > max_rows rows
  auto sorted = sort_partition(std::vector{build(rows)}, test_key(true, false), BlockCut{4, 3});
  ASSERT_TRUE(sorted.is_ok()) << sorted.status().to_string();
  std::vector<std::string> tenants_per_block;
  for (const storage::Block& block : sorted->blocks) {
    std::string tenants;
    const storage::Column& column = *block.find("tenant");
    for (uint32_t code : column.codes) tenants += column.dictionary[code];
    tenants_per_block.push_back(tenants);
  }
  EXPECT_THAT(tenants_per_block, ElementsAre("abb", "cccc", "c", "ddee", "f"));
}

TEST(PartitionSortTest, LaterWriteOfTheSameKeyWinsAcrossRuns) {
  auto first = build({{"a", "e1", "p", 10, 1.0, {}}, {"a", "e1", "p", 10, 2.0, {}}});
  // Same dedup key (tenant, entity, time) with another provider: still a replacement.
  auto second = build({{"a", "e1", "q", 10, 3.0, {}}, {"a", "e1", "p", 20, 4.0, {}}});
  auto sorted = sort_partition(std::vector{first, second}, test_key(true, true), BlockCut{8, 1});
  ASSERT_TRUE(sorted.is_ok()) << sorted.status().to_string();
  EXPECT_EQ(sorted->duplicates_dropped, 2u);
  EXPECT_THAT(render_blocks(sorted->blocks),
              ElementsAre(ElementsAre("a e1 p 20 4.000000 NULL", "a e1 q 10 3.000000 NULL")));
}

TEST(PartitionSortTest, EmptyInputGivesNoBlocks) {
  auto sorted = sort_partition({}, test_key(true, true), BlockCut{8, 1});
  ASSERT_TRUE(sorted.is_ok());
  EXPECT_TRUE(sorted->blocks.empty());
}

// Rows are ordered by a radix sort of packed keys when ranks, time steps and row index
// fit in 64 bits, by comparisons otherwise: the seeds cycle through times that pack
// plainly (small, some negative), times on a wide 15-minute grid (packed as steps of
// their common divisor) and six arbitrary int64 times (too wide: the comparison sort).
TEST(PartitionSortTest, MatchesBruteForceOnRandomRuns) {
  for (uint32_t seed = 1; seed <= 90; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    std::mt19937 rng(seed);
    auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<uint32_t>(n)); };
    std::vector<int64_t> times;
    for (int64_t i = 0; i < 6; ++i) {
      switch (seed % 3) {
        case 0:
          times.push_back(i - 2);
          break;
        case 1:
          times.push_back(1'735'689'600'000'000'000 + (i * 7 % 6) * 900'000'000'000);
          break;
        default:
          times.push_back(static_cast<int64_t>((uint64_t{rng()} << 32) | rng()));
          break;
      }
    }
    auto maybe_tag = [&](const char* prefix, int values) -> std::optional<std::string> {
      int v = pick(values + 1);
      if (v == values) return std::nullopt;
      return std::string(prefix) + std::to_string(v);
    };
    const bool has_tenant = seed % 2 == 0;
    const bool has_dedup = seed % 3 != 0;
    BlockCut cut;
    cut.max_rows = 1 + static_cast<size_t>(pick(12));
    cut.min_own_rows = 1 + static_cast<size_t>(pick(static_cast<int>(cut.max_rows)));
    const int tenants = 3 + pick(30);  // many tenants: short runs that share blocks
    std::vector<ModelRow> all;
    std::vector<std::shared_ptr<const storage::Block>> runs;
    const int run_count = pick(5);
    for (int r = 0; r < run_count; ++r) {
      std::vector<ModelRow> run;
      const int rows = 1 + pick(40);
      for (int i = 0; i < rows; ++i) {
        ModelRow row{
            maybe_tag("t", tenants), maybe_tag("e", 4), maybe_tag("p", 2), times[pick(6)], {}, {}};
        if (pick(4) != 0) row.spend = pick(1000) / 8.0;
        if (pick(5) == 0) row.note = maybe_tag("n", 3);
        run.push_back(row);
      }
      all.insert(all.end(), run.begin(), run.end());
      runs.push_back(build(run));
    }
    auto sorted = sort_partition(runs, test_key(has_tenant, has_dedup), cut);
    ASSERT_TRUE(sorted.is_ok()) << sorted.status().to_string();
    auto expected = reference(all, has_tenant, has_dedup, cut);
    EXPECT_EQ(render_blocks(sorted->blocks), expected);
    size_t expected_rows = 0;
    for (const auto& block : expected) expected_rows += block.size();
    EXPECT_EQ(sorted->duplicates_dropped, all.size() - expected_rows);
  }
}

}  // namespace
}  // namespace tessera::engine
