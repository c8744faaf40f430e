#include "query/group_table.h"

#include <immintrin.h>

#include <algorithm>
#include <bit>
#include <numeric>
#include <optional>

#include "query/aggregate.h"
#include "query/row_selection.h"

namespace tessera::query::detail {
namespace {

constexpr size_t kGroupOverheadBytes = 96;
// Bounds of the per-block dense group lookup tables (tag-code combinations per
// bucket, and table entries per block); beyond them rows use the hash map.
constexpr uint64_t kMaxDenseCombos = 4096;
constexpr size_t kMaxDenseEntriesPerBlock = size_t{1} << 16;

// The first i in [begin, n) with codes[i] != code, or n: the end of a run of one
// code. Eight codes a step (AVX2 compare and movemask; xsimd 8 has no movemask),
// since a sorted block's runs are long and this loop is most of grouping them.
size_t run_end(const uint32_t* codes, size_t begin, size_t n, uint32_t code) {
  const __m256i wanted = _mm256_set1_epi32(static_cast<int>(code));
  size_t i = begin;
  for (; i + 8 <= n; i += 8) {
    const __m256i eight = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(codes + i));
    const auto equal = static_cast<unsigned>(
        _mm256_movemask_ps(_mm256_castsi256_ps(_mm256_cmpeq_epi32(eight, wanted))));
    if (equal != 0xff) return i + static_cast<size_t>(std::countr_one(equal));
  }
  while (i < n && codes[i] == code) ++i;
  return i;
}

// The group-wide tag ids of a block in which each group tag holds one value in every
// row (a dictionary of one entry and no NULL) or is absent (NULL in every row), as
// sorted blocks of one tenant and series are; nullopt when some tag varies or may.
std::optional<std::vector<uint32_t>> constant_tag_ids(const BoundSelect& plan,
                                                      const engine::LoadedBlock& block,
                                                      GroupTable& groups) {
  std::vector<uint32_t> ids(plan.group_tags.size(), kNullTagId);
  for (size_t k = 0; k < plan.group_tags.size(); ++k) {
    const storage::Column* col = block.find(plan.group_tags[k]);
    if (col == nullptr) continue;
    if (col->type != storage::ColumnType::kString || col->dictionary.size() != 1 ||
        !col->valid.empty() || col->codes.size() != block.row_count()) {
      return std::nullopt;
    }
    // Every row holds the one entry, and the codes are not read: the segment
    // decoder rejects a chunk with a code past its dictionary (vector_chunk.cpp,
    // read_codes) and in-memory blocks draw codes from their own dictionary.
    // Checking them again here was a fifth of grouping a tenant-pure block.
    ids[k] = groups.dictionaries[k].intern(col->dictionary[0]);
  }
  return ids;
}

}  // namespace

void TagDictionary::index_names() {
  // Appended again through the index, in order, each keeps its id.
  std::vector<std::string> names = std::move(names_);
  names_.clear();
  for (const std::string& name : names) index_.find_or_append(names_, name);
  is_indexed_ = true;
}

uint32_t add_group_if_new(GroupTable& groups, const std::string& key, size_t* memory_bytes) {
  auto it = groups.by_key.find(key);
  if (it != groups.by_key.end()) return it->second;
  const uint32_t id = static_cast<uint32_t>(groups.count++);
  groups.by_key.emplace(key, id);
  *memory_bytes += kGroupOverheadBytes + key.size() * 2;
  return id;
}

uint32_t intern_group(const BoundSelect& plan, GroupTable& groups, int64_t bucket,
                      const std::vector<uint32_t>& tag_ids, size_t* memory_bytes) {
  if (!plan.bucketer && tag_ids.size() == 1) {
    // GROUP BY tenant, GROUP BY entity_id: tag ids are dense, so the group is found
    // by index, without building and hashing a key.
    const size_t slot = tag_ids[0] == kNullTagId ? 0 : size_t{tag_ids[0]} + 1;
    if (slot >= groups.by_tag_id.size()) groups.by_tag_id.resize(slot + 1, kNoGroup);
    if (groups.by_tag_id[slot] == kNoGroup) {
      groups.by_tag_id[slot] = static_cast<uint32_t>(groups.count++);
      groups.buckets.push_back(bucket);
      groups.tag_ids.push_back(tag_ids[0]);
      *memory_bytes += kGroupOverheadBytes;
    }
    return groups.by_tag_id[slot];
  }
  if (plan.bucketer && tag_ids.empty()) {
    // GROUP BY time(15m): the bucket start is the key, hashed as it is.
    const auto [it, is_new] =
        groups.by_bucket.try_emplace(bucket, static_cast<uint32_t>(groups.count));
    if (is_new) {
      ++groups.count;
      groups.buckets.push_back(bucket);
      *memory_bytes += kGroupOverheadBytes;
    }
    return it->second;
  }
  std::string& key = groups.scratch_key;
  key.clear();
  if (plan.bucketer) key.append(reinterpret_cast<const char*>(&bucket), sizeof(bucket));
  key.append(reinterpret_cast<const char*>(tag_ids.data()), tag_ids.size() * sizeof(uint32_t));
  const size_t before = groups.count;
  const uint32_t gid = add_group_if_new(groups, key, memory_bytes);
  if (groups.count != before) {
    groups.buckets.push_back(bucket);
    groups.tag_ids.insert(groups.tag_ids.end(), tag_ids.begin(), tag_ids.end());
  }
  return gid;
}

uint32_t BlockTagGroups::group_of(uint32_t code) {
  if (!plan_.bucketer && !value_ids_.empty() && code != null_code()) {
    const uint32_t value_id = value_ids_[code];
    std::vector<uint32_t>& by_value_id = groups_.by_value_id;
    if (value_id >= by_value_id.size()) by_value_id.resize(size_t{value_id} + 1, kNoGroup);
    uint32_t& group = by_value_id[value_id];
    if (group == kNoGroup) {
      ids_[0] = groups_.dictionaries[0].intern(value_id, dictionary_[code]);
      group = intern_group(plan_, groups_, bucket_, ids_, memory_bytes_);
    }
    return group;
  }
  uint32_t& group = group_of_code_[code];
  if (group == kNoGroup) {
    TagDictionary& tags = groups_.dictionaries[0];
    if (code == null_code()) {
      ids_[0] = kNullTagId;
    } else {
      ids_[0] = value_ids_.empty() ? tags.intern(dictionary_[code])
                                   : tags.intern(value_ids_[code], dictionary_[code]);
    }
    group = intern_group(plan_, groups_, bucket_, ids_, memory_bytes_);
  }
  return group;
}

std::vector<uint32_t> merge_groups(const BoundSelect& plan, const GroupTable& from,
                                   GroupTable& into, size_t* memory_bytes) {
  std::vector<uint32_t> to_into(from.count);
  if (plan.group_key_count() == 0) {
    // The one group of a plan without keys is keyed by the empty string in both.
    for (size_t g = 0; g < from.count; ++g) to_into[g] = add_group_if_new(into, "", memory_bytes);
    return to_into;
  }
  const size_t tag_count = plan.group_tags.size();
  std::vector<uint32_t> ids(tag_count);
  for (size_t g = 0; g < from.count; ++g) {
    for (size_t t = 0; t < tag_count; ++t) {
      const uint32_t id = from.tag_ids[g * tag_count + t];
      ids[t] = id == kNullTagId ? kNullTagId
                                : from.dictionaries[t].intern_into(into.dictionaries[t], id);
    }
    to_into[g] = intern_group(plan, into, from.buckets[g], ids, memory_bytes);
  }
  return to_into;
}

namespace {

// One run of `group` over every row: no per-row ids unless asked for.
GroupedRows one_run(size_t n, uint32_t group, bool row_ids_wanted) {
  GroupedRows out;
  if (row_ids_wanted) out.gids.assign(n, group);
  out.run_starts = {0, static_cast<uint32_t>(n)};  // one run, even of no rows
  out.run_groups = {group};
  return out;
}

// Sets out.run_starts and out.run_groups from out.gids.
void find_runs(GroupedRows& out, size_t min_average_run) {
  out.run_starts = find_group_runs(out.gids, min_average_run);
  if (out.run_starts.empty()) return;
  out.run_groups.resize(out.run_starts.size() - 1);
  for (size_t r = 0; r + 1 < out.run_starts.size(); ++r) {
    out.run_groups[r] = out.gids[out.run_starts[r]];
  }
}

}  // namespace

void append_run_ids(const std::vector<uint32_t>& run_starts,
                    const std::vector<uint32_t>& run_groups, size_t rows_end,
                    std::vector<uint32_t>& gids) {
  for (size_t r = 0; r < run_groups.size(); ++r) {
    const size_t run_end = r + 1 < run_groups.size() ? run_starts[r + 1] : rows_end;
    gids.insert(gids.end(), run_end - run_starts[r], run_groups[r]);
  }
}

Result<GroupedRows> assign_group_ids(const BoundSelect& plan, const engine::LoadedBlock& block,
                                     const std::vector<uint32_t>& sel,
                                     std::optional<int64_t> uniform_bucket, size_t min_average_run,
                                     bool row_ids_wanted, GroupTable& groups,
                                     size_t* memory_bytes) {
  const size_t n = sel.size();
  GroupedRows out;
  // Each path below writes every row's group once: no zero-filling first, which
  // for a big block is as many bytes written again.
  if (plan.group_key_count() == 0) return one_run(n, 0, row_ids_wanted);
  const size_t tag_count = plan.group_tags.size();
  if (!plan.bucketer) uniform_bucket = 0;
  if (uniform_bucket && n > 0) {
    // One group for the whole block: no per-row work.
    if (std::optional<std::vector<uint32_t>> ids = constant_tag_ids(plan, block, groups)) {
      return one_run(n, intern_group(plan, groups, *uniform_bucket, *ids, memory_bytes),
                     row_ids_wanted);
    }
  }
  constexpr uint32_t kUnset = std::numeric_limits<uint32_t>::max();
  if (tag_count == 1 && uniform_bucket) {
    // One tag and one bucket for the whole block (GROUP BY tenant; GROUP BY entity_id
    // within a day): one pass, each dictionary code finding its group on first use.
    const storage::Column* col = block.find(plan.group_tags[0]);
    if (col != nullptr) {
      if (col->type != storage::ColumnType::kString || col->codes.size() != block.row_count() ||
          (!col->valid.empty() && col->valid.size() != block.row_count())) {
        return make_error(ErrorCode::kCorruption,
                          "tag column \"" + plan.group_tags[0] + "\" does not match its block");
      }
      const std::vector<uint32_t> no_value_ids;  // a decoded column carries none
      BlockTagGroups tag_groups(plan, groups, *uniform_bucket, col->dictionary, no_value_ids,
                                memory_bytes);
      const uint32_t null_code = tag_groups.null_code();
      const uint32_t* codes = col->codes.data();
      const uint8_t* valid = col->valid.empty() ? nullptr : col->valid.data();
      // A row's code, or one past every 32-bit code for NULL, so that a corrupt code
      // cannot pass for NULL.
      constexpr uint64_t kNullRow = uint64_t{1} << 32;
      auto code_at = [&](size_t i) -> uint64_t {
        const uint32_t r = sel[i];
        return valid != nullptr && valid[r] == 0 ? kNullRow : codes[r];
      };
      // Sorted blocks hold each tag value in one run: the group lookup and the run
      // bookkeeping (which find_group_runs would otherwise do in a second pass)
      // happen once per run, not per row, and per-row ids are written only when
      // the runs are short or an aggregate reads them.
      const size_t max_runs = std::max<size_t>(1, n / std::max<size_t>(min_average_run, 1));
      // Writes the ids of the runs found so far, the last ending at `rows_end`.
      auto write_run_ids = [&](size_t rows_end) {
        out.gids.reserve(n);
        append_run_ids(out.run_starts, out.run_groups, rows_end, out.gids);
      };
      bool long_runs = true;
      uint32_t gid = kUnset;
      // Every row of a block without NULLs: the codes themselves, in order.
      const bool every_row = valid == nullptr && selects_every_row(sel);
      for (size_t i = 0; i < n;) {
        const uint64_t code = code_at(i);
        size_t end = i + 1;
        if (every_row) {
          end = run_end(codes, end, n, static_cast<uint32_t>(code));
        } else {
          while (end < n && code_at(end) == code) ++end;
        }
        if (code != kNullRow && code >= null_code) {
          return make_error(ErrorCode::kCorruption, "tag dictionary code is out of range");
        }
        const uint32_t slot =
            tag_groups.group_of(code == kNullRow ? null_code : static_cast<uint32_t>(code));
        if (slot != gid && long_runs && out.run_groups.size() == max_runs) {
          // Short runs (a block in write order): ids per row from here on, no runs.
          long_runs = false;
          write_run_ids(i);
          out.run_starts.clear();
          out.run_groups.clear();
        }
        if (slot != gid && long_runs) {
          out.run_starts.push_back(static_cast<uint32_t>(i));
          out.run_groups.push_back(slot);
        }
        if (!long_runs) out.gids.insert(out.gids.end(), end - i, slot);
        gid = slot;
        i = end;
      }
      if (!long_runs) return out;
      if (row_ids_wanted) write_run_ids(n);
      out.run_starts.push_back(static_cast<uint32_t>(n));
      return out;
    }
  }
  if (!uniform_bucket && !block.has_time()) {
    return make_error(ErrorCode::kInternal, "time buckets of a block loaded without time");
  }
  out.gids.resize(n);
  if (tag_count == 0) {
    // Time buckets alone: rows of one series come in time order, so a row's bucket is
    // mostly its predecessor's and the table is asked once per bucket change.
    const int64_t* time_ns = uniform_bucket ? nullptr : block.time_ns().data();
    int64_t bucket = 0;
    uint32_t gid = kUnset;
    for (size_t i = 0; i < n; ++i) {
      const int64_t row_bucket =
          uniform_bucket ? *uniform_bucket : plan.bucketer->bucket_start(time_ns[sel[i]]);
      if (gid == kUnset || row_bucket != bucket) {
        bucket = row_bucket;
        gid = intern_group(plan, groups, bucket, {}, memory_bytes);
      }
      out.gids[i] = gid;
    }
    find_runs(out, min_average_run);
    return out;
  }
  // Dictionary codes map to group-wide tag ids once per block, not per row.
  // Each row also gets a dense block-local combination of its tag codes, so
  // that most rows find their group with one array lookup.
  std::vector<std::vector<uint32_t>> row_tag_ids(tag_count, std::vector<uint32_t>(n, kNullTagId));
  std::vector<uint32_t> combo(n, 0);
  uint64_t combos = 1;
  for (size_t k = 0; k < tag_count; ++k) {
    const storage::Column* col = block.find(plan.group_tags[k]);
    if (col == nullptr) continue;  // every row NULL: one slot, nothing to add
    if (col->type != storage::ColumnType::kString || col->codes.size() != block.row_count() ||
        (!col->valid.empty() && col->valid.size() != block.row_count())) {
      return make_error(ErrorCode::kCorruption,
                        "tag column \"" + plan.group_tags[k] + "\" does not match its block");
    }
    const size_t dict = col->dictionary.size();
    std::vector<uint32_t> code_to_id(dict);
    for (size_t c = 0; c < dict; ++c) {
      code_to_id[c] = groups.dictionaries[k].intern(col->dictionary[c]);
    }
    const uint64_t stride = combos;
    combos = combos <= kMaxDenseCombos ? combos * (dict + 1) : combos;
    for (size_t i = 0; i < n; ++i) {
      const uint32_t r = sel[i];
      uint32_t local = static_cast<uint32_t>(dict);
      if (col->is_valid(r)) {
        const uint32_t code = col->codes[r];
        if (code >= dict)
          return make_error(ErrorCode::kCorruption, "tag dictionary code is out of range");
        row_tag_ids[k][i] = code_to_id[code];
        local = code;
      }
      if (combos <= kMaxDenseCombos) combo[i] += static_cast<uint32_t>(local * stride);
    }
  }
  std::vector<uint32_t> ids(tag_count);
  auto lookup = [&](size_t i, int64_t bucket) -> uint32_t {
    for (size_t k = 0; k < tag_count; ++k) ids[k] = row_tag_ids[k][i];
    return intern_group(plan, groups, bucket, ids, memory_bytes);
  };
  const bool is_dense = combos <= kMaxDenseCombos;
  std::unordered_map<int64_t, std::vector<uint32_t>> tables;  // by bucket start
  size_t dense_entries = 0;
  std::vector<uint32_t>* table = nullptr;
  int64_t table_bucket = 0;
  for (size_t i = 0; i < n; ++i) {
    const int64_t bucket =
        uniform_bucket ? *uniform_bucket : plan.bucketer->bucket_start(block.time_ns()[sel[i]]);
    if (is_dense && (table == nullptr || bucket != table_bucket)) {
      auto it = tables.find(bucket);
      if (it != tables.end()) {
        table = &it->second;
      } else if (dense_entries + combos <= kMaxDenseEntriesPerBlock) {
        table = &tables[bucket];
        table->assign(combos, kUnset);
        dense_entries += combos;
      } else {
        table = nullptr;
      }
      table_bucket = bucket;
    }
    if (table != nullptr) {
      uint32_t& slot = (*table)[combo[i]];
      if (slot == kUnset) slot = lookup(i, bucket);
      out.gids[i] = slot;
    } else {
      out.gids[i] = lookup(i, bucket);
    }
  }
  find_runs(out, min_average_run);
  return out;
}

std::vector<size_t> groups_in_key_order(const BoundSelect& plan, const GroupTable& table) {
  std::vector<size_t> order(table.count);
  std::iota(order.begin(), order.end(), size_t{0});
  const size_t tag_count = plan.group_tags.size();
  // Read from the table, not from key Values: a group's tag ids differ exactly when
  // its tag names do, since each dictionary interns a name once.
  auto before = [&](size_t a, size_t b) {
    if (plan.bucketer && table.buckets[a] != table.buckets[b])
      return table.buckets[a] < table.buckets[b];
    for (size_t t = 0; t < tag_count; ++t) {
      const uint32_t x = table.tag_ids[a * tag_count + t];
      const uint32_t y = table.tag_ids[b * tag_count + t];
      if (x == y) continue;
      if (x == kNullTagId || y == kNullTagId) return y == kNullTagId;
      const std::vector<std::string>& names = table.dictionaries[t].names();
      return names[x] < names[y];
    }
    return a < b;
  };
  // Buckets mostly appear in time order: then a check is all the sorting needed.
  if (!std::is_sorted(order.begin(), order.end(), before))
    std::sort(order.begin(), order.end(), before);
  return order;
}

Vec group_key_vec(const BoundSelect& plan, const GroupTable& table, size_t key,
                  std::span<const size_t> groups) {
  Vec out;
  out.size = groups.size();
  out.valid.assign(groups.size(), 1);
  if (plan.bucketer && key == 0) {
    out.type = ValueType::kTime;
    out.ints.reserve(groups.size());
    for (const size_t g : groups) out.ints.push_back(table.buckets[g]);
    return out;
  }
  const size_t tag = plan.bucketer ? key - 1 : key;
  const size_t tag_count = plan.group_tags.size();
  const std::vector<std::string>& names = table.dictionaries[tag].names();
  out.type = ValueType::kString;
  out.strings.resize(groups.size());
  for (size_t i = 0; i < groups.size(); ++i) {
    const uint32_t id = table.tag_ids[groups[i] * tag_count + tag];
    if (id == kNullTagId) {
      out.valid[i] = 0;
    } else {
      out.strings[i] = names[id];
    }
  }
  return out;
}

}  // namespace tessera::query::detail
