// Internal to query/ (select executor). The group table of an aggregate query:
// assigns each selected row the id of its group — its (time bucket, tags) key —
// creating groups as new keys appear, and yields the key values per group.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "engine/loaded_block.h"
#include "query/binder.h"
#include "query/expression_eval.h"
#include "query/value.h"
#include "storage/base/status.h"
#include "storage/block/column.h"
#include "storage/block/string_code_index.h"

namespace tessera::query::detail {

// The tag id of a NULL tag value.
constexpr uint32_t kNullTagId = std::numeric_limits<uint32_t>::max();
// No group (GroupTable::by_tag_id).
constexpr uint32_t kNoGroup = std::numeric_limits<uint32_t>::max();

// Group-wide ids of one group tag's values; block dictionary codes map to them.
// Every block interns its dictionary's values (a week of GROUP BY entity_id: 40
// per block, 2,300 in all). Blocks that carry their database's ids of the values
// (TagRunStats::value_ids) find them by index, hashing no string; the others by a
// StringCodeIndex of the names, built the first time one of them asks.
class TagDictionary {
 public:
  // The id of `name`, a new one (names.size()) the first time.
  uint32_t intern(std::string_view name) {
    if (!is_indexed_) index_names();
    return index_.find_or_append(names_, name);
  }
  // intern(name), where `value_id` is name's id among the database's values of
  // the tag (engine::TagValueIds: one id, one name). Holds 4 bytes per id up to
  // the largest asked for (at most 4 MB: TagValueIds::kMaxIdsPerColumn).
  uint32_t intern(uint32_t value_id, std::string_view name) {
    if (value_id >= by_value_id_.size()) by_value_id_.resize(size_t{value_id} + 1, kUnknown);
    uint32_t& id = by_value_id_[value_id];
    if (id != kUnknown) return id;
    if (is_indexed_) {
      id = index_.find_or_append(names_, name);
    } else {
      id = static_cast<uint32_t>(names_.size());
      names_.emplace_back(name);
    }
    if (id >= value_ids_.size()) value_ids_.resize(size_t{id} + 1, kUnknown);
    value_ids_[id] = value_id;
    return id;
  }
  // The id of the names() entry `id` in the other dictionary, `into`: by its
  // database id when it came with one, else by its name.
  uint32_t intern_into(TagDictionary& into, uint32_t id) const {
    const uint32_t value_id = id < value_ids_.size() ? value_ids_[id] : kUnknown;
    return value_id == kUnknown ? into.intern(names_[id]) : into.intern(value_id, names_[id]);
  }
  const std::vector<std::string>& names() const { return names_; }

 private:
  static constexpr uint32_t kUnknown = std::numeric_limits<uint32_t>::max();
  // Builds index_ over the names interned by id so far; they are distinct.
  void index_names();

  std::vector<std::string> names_;     // by id
  std::vector<uint32_t> by_value_id_;  // kUnknown until asked for
  std::vector<uint32_t> value_ids_;    // by id: its database id, kUnknown when none came
  storage::StringCodeIndex index_;     // of names_, once is_indexed_
  bool is_indexed_ = false;
};

// The groups found so far; a group's id indexes the per-group vectors.
struct GroupTable {
  std::vector<int64_t> buckets;   // per group (time grouping)
  std::vector<uint32_t> tag_ids;  // per group, group_tags.size() entries each
  std::vector<TagDictionary> dictionaries;
  std::unordered_map<std::string, uint32_t> by_key;
  // Plans with one group tag and no time grouping: the group of tag id t at
  // [t + 1], of NULL at [0]; kNoGroup where none yet. by_key is then unused.
  std::vector<uint32_t> by_tag_id;
  // The same plans: the group of the tag value whose database id
  // (TagRunStats::value_ids) is v at [v]; kNoGroup where none was asked for yet.
  // Blocks with ids find a run's group in one lookup.
  std::vector<uint32_t> by_value_id;
  // Plans grouped by time alone: the group of each bucket start. by_key is then unused.
  std::unordered_map<int64_t, uint32_t> by_bucket;
  size_t count = 0;
  std::string scratch_key;  // reused by intern_group to build keys without allocating
};

// Returns the id of the group with `key`, adding it (and charging its memory to
// *memory_bytes) when new. Group ids are dense, in order of first appearance.
uint32_t add_group_if_new(GroupTable& groups, const std::string& key, size_t* memory_bytes);

// The id of the group with time bucket `bucket` (ignored without time grouping)
// and tag ids `tag_ids` (one per group tag, kNullTagId for NULL), adding it when new.
uint32_t intern_group(const BoundSelect& plan, GroupTable& groups, int64_t bucket,
                      const std::vector<uint32_t>& tag_ids, size_t* memory_bytes);

// The groups of one block's values of the plan's one group tag, all in one time
// bucket: each dictionary entry (and NULL) finds its group the first time it is
// asked for, so a block interns each distinct value once, not once per row or run.
class BlockTagGroups {
 public:
  // `dictionary`: the block's dictionary of the tag, and `value_ids` the database's
  // ids of its entries (TagRunStats::value_ids) or empty; both must outlive this.
  BlockTagGroups(const BoundSelect& plan, GroupTable& groups, int64_t bucket,
                 const std::vector<std::string>& dictionary, const std::vector<uint32_t>& value_ids,
                 size_t* memory_bytes)
      : plan_(plan),
        groups_(groups),
        bucket_(bucket),
        dictionary_(dictionary),
        value_ids_(value_ids),
        memory_bytes_(memory_bytes),
        group_of_code_(dictionary.size() + 1, kNoGroup) {}

  // The code that stands for NULL: one past the dictionary.
  uint32_t null_code() const { return static_cast<uint32_t>(dictionary_.size()); }
  // The group of dictionary entry `code`, or of NULL at null_code().
  // Requires: code <= null_code().
  uint32_t group_of(uint32_t code);

 private:
  const BoundSelect& plan_;
  GroupTable& groups_;
  const int64_t bucket_;
  const std::vector<std::string>& dictionary_;
  const std::vector<uint32_t>& value_ids_;
  size_t* const memory_bytes_;
  std::vector<uint32_t> group_of_code_;  // kNoGroup until asked for
  std::vector<uint32_t> ids_ = std::vector<uint32_t>(1);
};

// Adds the groups of `from` to `into` (the key values of `from`'s groups looked up
// by value, so the two tables may number tags and groups differently) and returns,
// for each group id of `from`, its id in `into`. Groups new to `into` come after its
// own, in `from`'s order, and their memory is charged to *memory_bytes.
std::vector<uint32_t> merge_groups(const BoundSelect& plan, const GroupTable& from,
                                   GroupTable& into, size_t* memory_bytes);

// The groups of the selected rows of one block.
struct GroupedRows {
  // gids[i]: the group of row sel[i]. Empty when the rows come in runs and
  // assign_group_ids was not asked for per-row ids.
  std::vector<uint32_t> gids;
  // find_group_runs(gids, min_average_run), learned on the way where the rows
  // come in runs of one tag value; empty when the runs are short.
  std::vector<uint32_t> run_starts;
  // With run_starts, the group of each run.
  std::vector<uint32_t> run_groups;
};

// Appends to `gids` each row's group, given as runs: run r begins at run_starts[r]
// and ends where run r + 1 begins, the last one at `rows_end` (run_starts may hold
// the end too); its group is run_groups[r].
void append_run_ids(const std::vector<uint32_t>& run_starts,
                    const std::vector<uint32_t>& run_groups, size_t rows_end,
                    std::vector<uint32_t>& gids);

// The group of each row sel[i] of `block`, grouped by plan's time bucket and
// tags, adding groups to `groups` as they appear. `uniform_bucket`, when set, is
// the bucket of every row of the block (known from its time range), which spares
// per-row bucket computations. All rows are in group 0 when the plan has no group
// keys. Per-row ids are written when `row_ids_wanted` or the runs are short;
// otherwise they may be left out (GroupedRows::gids).
// Requires: groups.dictionaries.size() == plan.group_tags.size().
// Errors: kCorruption (tag column does not match its block, code out of range).
Result<GroupedRows> assign_group_ids(const BoundSelect& plan, const engine::LoadedBlock& block,
                                     const std::vector<uint32_t>& sel,
                                     std::optional<int64_t> uniform_bucket, size_t min_average_run,
                                     bool row_ids_wanted, GroupTable& groups, size_t* memory_bytes);

// The group ids of `table` in the default result order: time bucket, then the tags
// ascending (byte order, NULL last), as compare_for_sort orders the key values.
std::vector<size_t> groups_in_key_order(const BoundSelect& plan, const GroupTable& table);

// The values of group key `key` (0 the time bucket when plan.bucketer is set, then
// the tags; NULL tags as NULL) of `groups`, in that order. Strings view the
// table's names: the Vec must not outlive `table`.
Vec group_key_vec(const BoundSelect& plan, const GroupTable& table, size_t key,
                  std::span<const size_t> groups);

}  // namespace tessera::query::detail
