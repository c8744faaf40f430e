// assign_group_ids: over random blocks (one or two group tags, NULLs, long and
// short runs, partial selections, groups carried across blocks), every row's group
// must hold that row's tag values, different values must get different groups, and
// the run starts must equal find_group_runs of the group ids. Damaged codes fail.
// groups_in_key_order: the order of the groups' key values.
#include "query/group_table.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <numeric>
#include <random>

#include "query/aggregate.h"
#include "query/expression_eval.h"
#include "query/time_bucket.h"

namespace tessera::query::detail {
namespace {

using storage::Block;
using storage::Column;
using storage::ColumnType;

constexpr size_t kMinAverageRun = 16;

std::shared_ptr<Block> block_with(std::vector<std::string> names, std::vector<Column> columns,
                                  size_t rows) {
  auto block = std::make_shared<Block>();
  block->time_ns.assign(rows, 0);
  block->column_names = std::move(names);
  block->columns = std::move(columns);
  return block;
}

// A tag column of `rows` rows whose values come in runs of 1..max_run rows.
Column random_tag(std::mt19937& rng, size_t rows, size_t max_run, bool with_nulls) {
  Column tag;
  tag.type = ColumnType::kString;
  const size_t dict = 1 + rng() % 6;
  for (size_t c = 0; c < dict; ++c) tag.dictionary.push_back("v" + std::to_string(c));
  while (tag.codes.size() < rows) {
    const uint32_t code = static_cast<uint32_t>(rng() % dict);
    const bool is_null = with_nulls && rng() % 5 == 0;
    const size_t run = 1 + rng() % max_run;
    for (size_t i = 0; i < run && tag.codes.size() < rows; ++i) {
      tag.codes.push_back(code);
      if (with_nulls) tag.valid.push_back(!is_null);
    }
  }
  return tag;
}

std::optional<std::string> value_at(const Column& tag, uint32_t row) {
  if (!tag.is_valid(row)) return std::nullopt;
  return std::string(tag.string_at(row));
}

std::optional<std::string> key_value(const Value& v) {
  if (const std::string* s = std::get_if<std::string>(&v)) return *s;
  return std::nullopt;
}

// Every group's key values, column-major ([key][group]), read through group_key_vec.
std::vector<std::vector<Value>> key_columns(const BoundSelect& plan, const GroupTable& groups) {
  std::vector<size_t> all(groups.count);
  std::iota(all.begin(), all.end(), size_t{0});
  std::vector<std::vector<Value>> keys;
  for (size_t k = 0; k < plan.group_key_count(); ++k) {
    const Vec column = group_key_vec(plan, groups, k, all);
    keys.emplace_back();
    for (size_t g = 0; g < groups.count; ++g) keys.back().push_back(query::value_at(column, g));
  }
  return keys;
}

TEST(GroupTableTest, GroupsHoldTheirRowsValuesAndRunsMatchFindGroupRuns) {
  std::mt19937 rng(11);
  int rows_by_runs_only = 0;  // blocks grouped without per-row ids
  for (int round = 0; round < 200; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    const size_t tag_count = 1 + rng() % 2;
    BoundSelect plan;
    for (size_t k = 0; k < tag_count; ++k) plan.group_tags.push_back("t" + std::to_string(k));
    GroupTable groups;
    groups.dictionaries.resize(tag_count);
    size_t memory = 0;
    using Key = std::vector<std::optional<std::string>>;
    std::map<Key, uint32_t> gid_of_key;
    for (int b = 0; b < 3; ++b) {  // groups carry over from block to block
      const size_t rows = 1 + rng() % 300;
      const size_t max_run = rng() % 2 == 0 ? 3 : 80;
      std::vector<Column> columns;
      for (size_t k = 0; k < tag_count; ++k) {
        columns.push_back(random_tag(rng, rows, max_run, rng() % 2 == 0));
      }
      const auto block = block_with(plan.group_tags, columns, rows);
      const engine::LoadedBlock loaded = engine::LoadedBlock::project(block, plan.group_tags);
      std::vector<uint32_t> sel;
      for (uint32_t r = 0; r < rows; ++r) {
        if (rng() % 4 != 0 || b == 0) sel.push_back(r);
      }
      if (sel.empty()) continue;
      auto grouped =
          assign_group_ids(plan, loaded, sel, int64_t{0}, kMinAverageRun, true, groups, &memory);
      ASSERT_TRUE(grouped.is_ok()) << grouped.error().message;
      const std::vector<uint32_t>& gids = grouped.value().gids;
      ASSERT_EQ(gids.size(), sel.size());
      const std::vector<uint32_t>& runs = grouped.value().run_starts;
      EXPECT_EQ(runs, find_group_runs(gids, kMinAverageRun));
      ASSERT_EQ(grouped.value().run_groups.size(), runs.empty() ? 0 : runs.size() - 1);
      for (size_t r = 0; r + 1 < runs.size(); ++r) {
        EXPECT_EQ(grouped.value().run_groups[r], gids[runs[r]]);
      }
      // Without per-row ids asked for: the same runs, and rows left out only where
      // the runs say every group.
      auto by_runs =
          assign_group_ids(plan, loaded, sel, int64_t{0}, kMinAverageRun, false, groups, &memory);
      ASSERT_TRUE(by_runs.is_ok()) << by_runs.error().message;
      EXPECT_EQ(by_runs.value().run_starts, runs);
      EXPECT_EQ(by_runs.value().run_groups, grouped.value().run_groups);
      if (runs.empty() || !by_runs.value().gids.empty()) {
        EXPECT_EQ(by_runs.value().gids, gids);
      }
      rows_by_runs_only += by_runs.value().gids.empty();
      const std::vector<std::vector<Value>> keys = key_columns(plan, groups);
      for (size_t i = 0; i < sel.size(); ++i) {
        Key key;
        for (size_t k = 0; k < tag_count; ++k) {
          key.push_back(value_at(columns[k], sel[i]));
          ASSERT_LT(gids[i], keys[k].size());
          EXPECT_EQ(key_value(keys[k][gids[i]]), key.back()) << "row " << sel[i];
        }
        // One group per distinct key, in every block.
        const auto [it, inserted] = gid_of_key.emplace(key, gids[i]);
        EXPECT_EQ(it->second, gids[i]) << "row " << sel[i];
      }
    }
    EXPECT_EQ(gid_of_key.size(), groups.count);
  }
  EXPECT_GT(rows_by_runs_only, 50);
}

TEST(GroupTableTest, KeyOrderIsTheOrderOfTheKeyValues) {
  // groups_in_key_order reads buckets and tag ids from the table; it must order the
  // groups as compare_for_sort orders their key values (NULL tags last), ties never.
  std::mt19937 rng(12);
  for (int round = 0; round < 200; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    BoundSelect plan;
    if (rng() % 2 == 0) plan.bucketer = *TimeBucketer::make(10 * kNanosPerSecond, std::nullopt);
    const size_t tag_count = rng() % 3;
    for (size_t k = 0; k < tag_count; ++k) plan.group_tags.push_back("t" + std::to_string(k));
    GroupTable groups;
    groups.dictionaries.resize(tag_count);
    size_t memory = 0;
    const size_t interned = 1 + rng() % 60;
    for (size_t g = 0; g < interned; ++g) {
      std::vector<uint32_t> ids;
      for (size_t k = 0; k < tag_count; ++k) {
        // Names interned in no particular order, "b" < "b0" < "c" among them.
        static const char* kNames[] = {"c", "b0", "a", "b", "A", ""};
        ids.push_back(rng() % 5 == 0 ? kNullTagId
                                     : groups.dictionaries[k].intern(kNames[rng() % 6]));
      }
      const int64_t bucket = static_cast<int64_t>(rng() % 4) * 10 * kNanosPerSecond;
      intern_group(plan, groups, plan.bucketer ? bucket : 0, ids, &memory);
    }
    const std::vector<std::vector<Value>> keys = key_columns(plan, groups);
    std::vector<size_t> expected(groups.count);
    std::iota(expected.begin(), expected.end(), size_t{0});
    std::sort(expected.begin(), expected.end(), [&](size_t a, size_t b) {
      for (const std::vector<Value>& key : keys) {
        const int c = compare_for_sort(key[a], key[b]);
        if (c != 0) return c < 0;
      }
      return a < b;
    });
    EXPECT_EQ(groups_in_key_order(plan, groups), expected);
  }
}

TEST(GroupTableTest, AllRowsOfOneTagValueAreOneRun) {
  BoundSelect plan;
  plan.group_tags = {"t0"};
  GroupTable groups;
  groups.dictionaries.resize(1);
  Column tag;
  tag.type = ColumnType::kString;
  tag.dictionary = {"a", "b"};
  tag.codes = {1, 1, 1, 1};
  const auto block = block_with({"t0"}, {tag}, 4);
  size_t memory = 0;
  auto grouped = assign_group_ids(plan, engine::LoadedBlock::project(block, plan.group_tags),
                                  {0, 1, 2, 3}, int64_t{0}, kMinAverageRun, true, groups, &memory);
  ASSERT_TRUE(grouped.is_ok());
  EXPECT_EQ(grouped.value().gids, (std::vector<uint32_t>{0, 0, 0, 0}));
  EXPECT_EQ(grouped.value().run_starts, (std::vector<uint32_t>{0, 4}));
  EXPECT_EQ(groups.count, 1u);
}

TEST(GroupTableTest, CodeOutsideTheDictionaryIsCorruption) {
  for (size_t tag_count = 1; tag_count <= 2; ++tag_count) {
    SCOPED_TRACE(tag_count);
    BoundSelect plan;
    std::vector<Column> columns;
    for (size_t k = 0; k < tag_count; ++k) {
      plan.group_tags.push_back("t" + std::to_string(k));
      Column tag;
      tag.type = ColumnType::kString;
      tag.dictionary = {"a", "b"};
      tag.codes = {0, 0, 1, 2};  // 2 has no entry
      columns.push_back(tag);
    }
    GroupTable groups;
    groups.dictionaries.resize(tag_count);
    const auto block = block_with(plan.group_tags, columns, 4);
    size_t memory = 0;
    auto grouped =
        assign_group_ids(plan, engine::LoadedBlock::project(block, plan.group_tags), {0, 1, 2, 3},
                         int64_t{0}, kMinAverageRun, true, groups, &memory);
    ASSERT_FALSE(grouped.is_ok());
    EXPECT_EQ(grouped.error().code, ErrorCode::kCorruption);
  }
}

// Ids are dense in first-seen order and stable while the table grows; the empty
// string and names that differ only at the end are values like any other.
TEST(GroupTableTest, TagDictionaryGivesEachNameOneIdThroughGrowth) {
  TagDictionary dictionary;
  std::vector<std::string> names = {"", "a", "ent_000001", "ent_000010", "ent_0000010"};
  for (int i = 0; i < 5000; ++i) names.push_back("ent_" + std::to_string(i * 7919 % 100'000));
  std::map<std::string, uint32_t> first_id;
  for (int pass = 0; pass < 2; ++pass) {
    for (const std::string& name : names) {
      const uint32_t id = dictionary.intern(name);
      auto [it, is_new] = first_id.emplace(name, static_cast<uint32_t>(first_id.size()));
      ASSERT_EQ(id, it->second) << name;
      ASSERT_EQ(dictionary.names()[id], name);
    }
  }
  EXPECT_EQ(dictionary.names().size(), first_id.size());
}

}  // namespace
}  // namespace tessera::query::detail
