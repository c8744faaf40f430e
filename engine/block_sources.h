// The two kinds of BlockSource a snapshot hands to readers: blocks still in memory
// (sealed or copied from the head) and blocks of segment files on disk.
#pragma once

#include <memory>
#include <mutex>

#include "engine/block_cache.h"
#include "engine/engine.h"
#include "engine/tag_value_ids.h"
#include "storage/segment/segment_reader.h"

namespace tessera::engine {

// A block in memory. Its statistics are computed on first use, by whichever reader
// needs them first: a block is sealed (and a head copied for a snapshot) under the
// engine's write lock, and many are flushed before any query prunes them.
class MemoryBlockSource final : public BlockSource {
 public:
  explicit MemoryBlockSource(std::shared_ptr<const storage::Block> block)
      : block_(std::move(block)) {}
  const storage::BlockStats& stats() const override {
    std::call_once(stats_once_, [this] { stats_ = storage::compute_stats(*block_); });
    return stats_;
  }
  Result<std::shared_ptr<const storage::Block>> load() const override { return block_; }
  const std::shared_ptr<const storage::Block>& block() const { return block_; }

 private:
  std::shared_ptr<const storage::Block> block_;
  mutable std::once_flag stats_once_;
  mutable storage::BlockStats stats_;
};

class SegmentBlockSource final : public BlockSource {
 public:
  // `cache_key` must be unique among all blocks sharing `cache`; `tag_value_ids`
  // (the database's) numbers the tag values of the run statistics it computes.
  SegmentBlockSource(std::shared_ptr<const storage::SegmentReader> segment, size_t index,
                     std::shared_ptr<BlockCache> cache, uint64_t cache_key,
                     std::shared_ptr<TagValueIds> tag_value_ids)
      : segment_(std::move(segment)),
        index_(index),
        cache_(std::move(cache)),
        cache_key_(cache_key),
        tag_value_ids_(std::move(tag_value_ids)) {}
  const storage::BlockStats& stats() const override { return segment_->block_stats(index_); }
  const storage::BlockStats* segment_totals() const override { return segment_->totals(); }
  // The whole block, decoded afresh (not cached): for compaction and dedup
  // indexing, which read each block once.
  Result<std::shared_ptr<const storage::Block>> load() const override;
  // Through the cache, column by column: a hit costs no decoding, a miss decodes
  // only the missing columns.
  Result<LoadedBlock> load_columns(std::span<const std::string> names,
                                   bool with_time = true) const override;
  // Through the cache: computed from the two columns (themselves through the
  // cache) on the first call, with the tag values' ids, kept as a cache entry of
  // their own.
  Result<std::shared_ptr<const storage::TagRunStats>> tag_run_stats(
      const std::string& tag, const std::string& value) const override;
  // Through the cache, as tag_run_stats: computed on the first call.
  Result<std::shared_ptr<const storage::SortedRunValues>> sorted_run_values(
      std::span<const std::string> tags, const std::string& value, bool compute) const override;
  bool keeps_sorted_run_values() const override { return true; }

 private:
  std::shared_ptr<const storage::SegmentReader> segment_;
  size_t index_;
  std::shared_ptr<BlockCache> cache_;
  uint64_t cache_key_;
  std::shared_ptr<TagValueIds> tag_value_ids_;
};

}  // namespace tessera::engine
