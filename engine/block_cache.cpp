#include "engine/block_cache.h"

namespace tessera::engine {

size_t block_memory_bytes(const storage::Block& block) {
  size_t bytes = block.time_ns.size() * sizeof(int64_t);
  for (const storage::Column& c : block.columns) {
    bytes += c.ints.size() * sizeof(int64_t) + c.floats.size() * sizeof(double) + c.bools.size() +
             c.codes.size() * sizeof(uint32_t) + c.valid.size();
    for (const std::string& s : c.dictionary) bytes += sizeof(std::string) + s.capacity();
  }
  return bytes;
}

std::shared_ptr<const storage::Block> BlockCache::find(CacheKey key) const {
  std::shared_ptr<const storage::Block> block;
  find_all(std::span<const CacheKey>(&key, 1), std::span(&block, 1));
  return block;
}

const BlockCache::Entry* BlockCache::find_locked(CacheKey key) const {
  Entry* const* found = index_.find(key);
  if (found == nullptr) return nullptr;
  const Entry& entry = **found;
  // Read first: a hot entry's flag is already set, and a store would take its
  // cache line away from the other scan thread each time.
  if (!entry.used.load(std::memory_order_relaxed)) {
    entry.used.store(true, std::memory_order_relaxed);
  }
  return &entry;
}

void BlockCache::find_all(std::span<const CacheKey> keys,
                          std::span<std::shared_ptr<const storage::Block>> out) const {
  using Held = std::shared_ptr<const storage::Block>;
  std::shared_lock lock(mu_);
  for (size_t k = 0; k < keys.size(); ++k) {
    const Entry* entry = find_locked(keys[k]);
    const Held* block = entry == nullptr ? nullptr : std::get_if<Held>(&entry->value);
    out[k] = block == nullptr ? nullptr : *block;
  }
}

template <typename Held>
Held BlockCache::find_as(CacheKey key) const {
  std::shared_lock lock(mu_);
  const Entry* entry = find_locked(key);
  const Held* held = entry == nullptr ? nullptr : std::get_if<Held>(&entry->value);
  return held == nullptr ? nullptr : *held;
}

std::shared_ptr<const storage::TagRunStats> BlockCache::find_tag_run_stats(CacheKey key) const {
  return find_as<std::shared_ptr<const storage::TagRunStats>>(key);
}

std::shared_ptr<const storage::SortedRunValues> BlockCache::find_sorted_run_values(
    CacheKey key) const {
  return find_as<std::shared_ptr<const storage::SortedRunValues>>(key);
}

void BlockCache::insert(CacheKey key, std::shared_ptr<const storage::Block> block) {
  const size_t bytes = block_memory_bytes(*block);
  insert_value(key, std::move(block), bytes);
}

void BlockCache::insert(CacheKey key, std::shared_ptr<const storage::TagRunStats> run_stats) {
  const size_t bytes = run_stats->memory_bytes();
  insert_value(key, std::move(run_stats), bytes);
}

void BlockCache::insert(CacheKey key, std::shared_ptr<const storage::SortedRunValues> sorted) {
  const size_t bytes = sorted->memory_bytes();
  insert_value(key, std::move(sorted), bytes);
}

void BlockCache::insert_value(CacheKey key, Value value, size_t bytes) {
  if (bytes > capacity_bytes_) return;
  std::unique_lock lock(mu_);
  Entry* entry = nullptr;
  if (Entry** found = index_.find(key); found != nullptr) {
    entry = *found;
    size_bytes_ = size_bytes_ - entry->bytes + bytes;
    entry->value = std::move(value);
    entry->bytes = bytes;
    entry->used.store(true, std::memory_order_relaxed);
  } else {
    size_t slot = slots_.size();
    if (free_slots_.empty()) {
      slots_.emplace_back();
    } else {
      slot = free_slots_.back();
      free_slots_.pop_back();
    }
    slots_[slot].reset(new Entry{key, std::move(value), bytes, true});
    entry = slots_[slot].get();
    index_.try_emplace(key, entry);
    size_bytes_ += bytes;
  }
  evict_to_budget(entry);
}

void BlockCache::evict_to_budget(const Entry* keep) {
  // Ends: each step clears a flag or removes an entry (finds, which set flags, wait
  // for the exclusive lock), and the kept entry fits the budget alone, so a second
  // turn of the hand at most removes every other one.
  while (size_bytes_ > capacity_bytes_) {
    if (hand_ >= slots_.size()) hand_ = 0;
    std::unique_ptr<Entry>& entry = slots_[hand_];
    if (entry != nullptr && entry.get() != keep &&
        !entry->used.exchange(false, std::memory_order_relaxed)) {
      size_bytes_ -= entry->bytes;
      index_.erase(entry->key);
      entry.reset();
      free_slots_.push_back(hand_);
    }
    ++hand_;
  }
}

size_t BlockCache::size_bytes() const {
  std::shared_lock lock(mu_);
  return size_bytes_;
}

size_t BlockCache::entry_count() const {
  std::shared_lock lock(mu_);
  return index_.size();
}

}  // namespace tessera::engine
