// BlockCache: decoded segment blocks kept in memory within a byte budget, with
// what is derived from them (tag run statistics, sorted run values), evicted by the CLOCK
// approximation of least-recently-used. Thread-safe.
//
// Every column of every block a query reads is looked up here, so a lookup must be
// cheap when two scan threads look up at once: it takes a shared lock and marks the
// entry used (an atomic flag), where an exact LRU list would take an exclusive lock
// and move the entry to the front on every hit. Insertion sweeps a clock hand over
// the entries: a used entry is spared once (its flag cleared), an unused one goes.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <span>
#include <variant>
#include <vector>

#include "engine/open_addressing_map.h"
#include "storage/block/column.h"
#include "storage/block/sorted_run_values.h"
#include "storage/block/tag_run_stats.h"

namespace tessera::engine {

// An entry's key: its block's (unique among the blocks sharing a cache) and which
// of the block's columns or derived entries it holds (engine/block_sources.cpp
// numbers them).
struct CacheKey {
  uint64_t block = 0;
  uint64_t item = 0;
  bool operator==(const CacheKey&) const = default;
};

// The index keeps the hash's low bits: the multiplications carry every bit of a
// word upward, and the shift folds the well-mixed high half back down.
struct CacheKeyHash {
  size_t operator()(const CacheKey& key) const {
    const uint64_t h = key.block * 0x9e3779b97f4a7c15ULL ^ key.item * 0xc2b2ae3d27d4eb4fULL;
    return static_cast<size_t>(h ^ (h >> 32));
  }
};

// Approximate heap bytes held by a decoded block.
size_t block_memory_bytes(const storage::Block& block);

class BlockCache {
 public:
  explicit BlockCache(size_t capacity_bytes) : capacity_bytes_(capacity_bytes) {}

  // The block under `key`, marked used; null when absent.
  std::shared_ptr<const storage::Block> find(CacheKey key) const;
  // find() of each of `keys` into `out` (same size), under one lock.
  void find_all(std::span<const CacheKey> keys,
                std::span<std::shared_ptr<const storage::Block>> out) const;
  // The tag run statistics under `key`, marked used; null when absent.
  std::shared_ptr<const storage::TagRunStats> find_tag_run_stats(CacheKey key) const;
  // The sorted run values under `key`, marked used; null when absent.
  std::shared_ptr<const storage::SortedRunValues> find_sorted_run_values(CacheKey key) const;
  // Inserts (or replaces) `block` under `key`, marked used, then evicts entries
  // not used since the hand last passed them until the budget holds. A block
  // larger than the budget is not kept.
  void insert(CacheKey key, std::shared_ptr<const storage::Block> block);
  // The same for tag run statistics and sorted run values. A key holds one kind of
  // entry: a find of another kind does not see it.
  void insert(CacheKey key, std::shared_ptr<const storage::TagRunStats> run_stats);
  void insert(CacheKey key, std::shared_ptr<const storage::SortedRunValues> sorted);
  size_t size_bytes() const;
  size_t entry_count() const;

 private:
  using Value = std::variant<std::shared_ptr<const storage::Block>,
                             std::shared_ptr<const storage::TagRunStats>,
                             std::shared_ptr<const storage::SortedRunValues>>;
  // The entry of type Held under `key`, marked used; null when absent or of another type.
  template <typename Held>
  Held find_as(CacheKey key) const;
  struct Entry {
    CacheKey key;
    Value value;
    size_t bytes;
    mutable std::atomic<bool> used;
  };
  // The entry under `key`, marked used; null when absent. Requires: mu_ held.
  const Entry* find_locked(CacheKey key) const;
  void insert_value(CacheKey key, Value value, size_t bytes);
  // Removes entries at the hand, sparing used ones once and `keep` (just
  // inserted) always, until size_bytes_ fits the budget.
  // Requires: mu_ held exclusively.
  void evict_to_budget(const Entry* keep);

  const size_t capacity_bytes_;
  mutable std::shared_mutex mu_;
  std::vector<std::unique_ptr<Entry>> slots_;  // the clock; null: a free slot
  std::vector<size_t> free_slots_;
  // key -> its entry in slots_. A flat table: a lookup reads one slot of it where a
  // std::unordered_map followed a bucket list to a node (4.6-8% of whole-table
  // queries' profiles went to it).
  OpenAddressingMap<CacheKey, Entry*, CacheKeyHash> index_{nullptr};
  size_t hand_ = 0;
  size_t size_bytes_ = 0;
};

}  // namespace tessera::engine
