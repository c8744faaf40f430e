#include "engine/block_sources.h"

#include <algorithm>

#include "storage/segment/segment_format.h"

namespace tessera::engine {
namespace {

using RunStatsPtr = std::shared_ptr<const storage::TagRunStats>;

// What a cache entry of a block holds (CacheKey::item): column 0 is the time
// column, 1 + p the column at position p of the block; derived entries set a kind
// in the top bits and the positions (plus one) of their columns below.
constexpr uint64_t kRunStatsItem = uint64_t{1} << 62;
constexpr uint64_t kSortedRunValuesItem = uint64_t{2} << 62;
constexpr int kPositionBits = 14;
static_assert(storage::segment_format::kMaxColumnsPerBlock < (size_t{1} << kPositionBits));
static_assert(kPositionBits * (kMaxSortedRunTags + 1) <= 62);

CacheKey column_cache_key(uint64_t block_key, size_t position_plus_one) {
  return {block_key, position_plus_one};
}

// The positions are ordered: the runs do not depend on the tags' order.
CacheKey sorted_run_values_cache_key(uint64_t block_key, std::vector<size_t>& tags_plus_one,
                                     size_t value_plus_one) {
  std::sort(tags_plus_one.begin(), tags_plus_one.end());
  uint64_t item = kSortedRunValuesItem | value_plus_one;
  for (size_t i = 0; i < tags_plus_one.size(); ++i) {
    item |= uint64_t{tags_plus_one[i]} << (kPositionBits * (i + 1));
  }
  return {block_key, item};
}

CacheKey run_stats_cache_key(uint64_t block_key, size_t tag_plus_one, size_t value_plus_one) {
  return {block_key, kRunStatsItem | (tag_plus_one << kPositionBits) | value_plus_one};
}

// The run statistics of `source` computed from its decoded tag and value columns,
// with the tag values' ids from `ids` when given: null when it lacks the tag, an
// empty entry when its runs are short (which a segment block caches as such;
// callers hand out null for it).
Result<RunStatsPtr> compute_run_stats(const BlockSource& source, const std::string& tag,
                                      const std::string& value, TagValueIds* ids) {
  std::vector<std::string> names{tag};
  if (!value.empty()) names.push_back(value);
  TESSERA_ASSIGN_OR_RETURN(LoadedBlock block, source.load_columns(names, false));
  const storage::Column* tag_column = block.find(tag);
  if (tag_column == nullptr) return RunStatsPtr();
  const storage::Column* value_column = nullptr;
  if (!value.empty()) {
    value_column = block.find(value);
    if (value_column == nullptr) {
      return make_error(ErrorCode::kInternal, "tag run statistics of a missing column");
    }
  }
  TESSERA_ASSIGN_OR_RETURN(
      std::optional<storage::TagRunStats> computed,
      storage::compute_tag_run_stats(*tag_column, value_column, kMinAverageTagRun));
  if (!computed) return std::make_shared<const storage::TagRunStats>();
  if (ids != nullptr) computed->value_ids = ids->ids_of(tag, computed->dictionary);
  return std::make_shared<const storage::TagRunStats>(std::move(*computed));
}

// A block's derived entry (run statistics, sorted run values): `found`, its cache
// entry, or else, unless `compute` is false, what `compute_entry` gives, then
// cached. An entry without runs stands for short runs: it is cached as such, so
// that the next query learns it without decoding the columns again, and handed
// out as null.
template <typename Entry, typename Compute>
Result<std::shared_ptr<const Entry>> found_or_computed(std::shared_ptr<const Entry> found,
                                                       BlockCache& cache, CacheKey key,
                                                       bool compute, Compute&& compute_entry) {
  if (found == nullptr) {
    if (!compute) return found;
    TESSERA_ASSIGN_OR_RETURN(found, compute_entry());
    cache.insert(key, found);
  }
  if (found->run_starts.empty()) return std::shared_ptr<const Entry>();
  return found;
}

}  // namespace

Result<RunStatsPtr> BlockSource::tag_run_stats(const std::string& tag,
                                               const std::string& value) const {
  TESSERA_ASSIGN_OR_RETURN(RunStatsPtr computed, compute_run_stats(*this, tag, value, nullptr));
  if (computed != nullptr && computed->run_starts.empty()) return RunStatsPtr();
  return computed;
}

Result<std::shared_ptr<const storage::Block>> SegmentBlockSource::load() const {
  TESSERA_ASSIGN_OR_RETURN(storage::Block block, segment_->read_block(index_));
  return std::make_shared<const storage::Block>(std::move(block));
}

Result<LoadedBlock> SegmentBlockSource::load_columns(std::span<const std::string> names,
                                                     bool with_time) const {
  const storage::BlockStats& block_stats = stats();
  // Cache entries are blocks of the time column alone or of one column alone,
  // looked up together: one lock for the block, not one per column.
  std::vector<CacheKey> keys;
  if (with_time) keys.push_back(column_cache_key(cache_key_, 0));
  std::vector<const std::string*> present;  // the names the block has, in `names` order
  for (const std::string& name : names) {
    const int position = block_stats.find(name);
    if (position < 0) continue;  // not in this block: NULL
    keys.push_back(column_cache_key(cache_key_, static_cast<size_t>(position) + 1));
    present.push_back(&name);
  }
  std::vector<std::shared_ptr<const storage::Block>> found(keys.size());
  cache_->find_all(keys, found);
  const size_t first_column = with_time ? 1 : 0;
  std::shared_ptr<const storage::Block> time = with_time ? std::move(found[0]) : nullptr;
  std::vector<LoadedBlock::NamedColumn> columns;
  std::vector<std::string> missing;
  auto add = [&](const std::string& name, const std::shared_ptr<const storage::Block>& one) {
    columns.push_back({name, std::shared_ptr<const storage::Column>(one, &one->columns[0])});
  };
  for (size_t k = 0; k < present.size(); ++k) {
    if (found[first_column + k]) {
      add(*present[k], found[first_column + k]);
    } else {
      missing.push_back(*present[k]);
    }
  }
  const bool read_time = with_time && time == nullptr;
  if (read_time || !missing.empty()) {
    TESSERA_ASSIGN_OR_RETURN(storage::Block read,
                             segment_->read_columns(index_, missing, read_time));
    if (read_time) {
      auto time_only = std::make_shared<storage::Block>();
      time_only->time_ns = std::move(read.time_ns);
      time = std::move(time_only);
      cache_->insert(column_cache_key(cache_key_, 0), time);
    }
    for (size_t c = 0; c < read.columns.size(); ++c) {
      const int position = block_stats.find(read.column_names[c]);
      if (position < 0)
        return make_error(ErrorCode::kInternal, "segment returned a column it lacks");
      auto one = std::make_shared<storage::Block>();
      one->column_names.push_back(std::move(read.column_names[c]));
      one->columns.push_back(std::move(read.columns[c]));
      std::shared_ptr<const storage::Block> shared = std::move(one);
      cache_->insert(column_cache_key(cache_key_, static_cast<size_t>(position) + 1), shared);
      add(shared->column_names[0], shared);
    }
  }
  if (!with_time)
    return LoadedBlock(static_cast<size_t>(block_stats.row_count), std::move(columns));
  return LoadedBlock(std::shared_ptr<const std::vector<int64_t>>(time, &time->time_ns),
                     std::move(columns));
}

Result<RunStatsPtr> SegmentBlockSource::tag_run_stats(const std::string& tag,
                                                      const std::string& value) const {
  const storage::BlockStats& block_stats = stats();
  const int tag_position = block_stats.find(tag);
  if (tag_position < 0) return RunStatsPtr();
  const int value_position = value.empty() ? -1 : block_stats.find(value);
  if (!value.empty() && value_position < 0) {
    return make_error(ErrorCode::kInternal, "tag run statistics of a missing column");
  }
  const CacheKey key = run_stats_cache_key(cache_key_, static_cast<size_t>(tag_position) + 1,
                                           static_cast<size_t>(value_position + 1));
  return found_or_computed(cache_->find_tag_run_stats(key), *cache_, key, true, [&] {
    return compute_run_stats(*this, tag, value, tag_value_ids_.get());
  });
}

Result<std::shared_ptr<const storage::SortedRunValues>> SegmentBlockSource::sorted_run_values(
    std::span<const std::string> tags, const std::string& value, bool compute) const {
  using Sorted = std::shared_ptr<const storage::SortedRunValues>;
  if (tags.size() > kMaxSortedRunTags) {
    return make_error(ErrorCode::kInternal, "sorted run values of too many tags");
  }
  const storage::BlockStats& block_stats = stats();
  const int value_position = block_stats.find(value);
  if (value_position < 0 || block_stats.column_types[static_cast<size_t>(value_position)] !=
                                storage::ColumnType::kFloat64) {
    return Sorted();
  }
  // A tag the block lacks is NULL in every row: it splits no run.
  std::vector<const std::string*> present;
  std::vector<size_t> positions_plus_one;
  for (const std::string& tag : tags) {
    const int position = block_stats.find(tag);
    if (position < 0) continue;
    if (block_stats.column_types[static_cast<size_t>(position)] != storage::ColumnType::kString) {
      return Sorted();
    }
    present.push_back(&tag);
    positions_plus_one.push_back(static_cast<size_t>(position) + 1);
  }
  const CacheKey key = sorted_run_values_cache_key(cache_key_, positions_plus_one,
                                                   static_cast<size_t>(value_position) + 1);
  auto compute_sorted = [&]() -> Result<Sorted> {
    std::vector<std::string> names;
    for (const std::string* tag : present) names.push_back(*tag);
    names.push_back(value);
    TESSERA_ASSIGN_OR_RETURN(LoadedBlock block, load_columns(names, false));
    std::vector<const storage::Column*> tag_columns;
    for (const std::string* tag : present) tag_columns.push_back(block.find(*tag));
    const storage::Column* value_column = block.find(value);
    if (value_column == nullptr || std::count(tag_columns.begin(), tag_columns.end(), nullptr)) {
      return make_error(ErrorCode::kInternal, "sorted run values of a missing column");
    }
    TESSERA_ASSIGN_OR_RETURN(
        std::optional<storage::SortedRunValues> computed,
        storage::compute_sorted_run_values(tag_columns, *value_column, kMinAverageTagRun));
    return std::make_shared<const storage::SortedRunValues>(computed ? std::move(*computed)
                                                                     : storage::SortedRunValues{});
  };
  return found_or_computed(cache_->find_sorted_run_values(key), *cache_, key, compute,
                           compute_sorted);
}

}  // namespace tessera::engine
