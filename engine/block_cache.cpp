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

std::shared_ptr<const storage::Block> BlockCache::find(uint64_t key) const {
  std::shared_lock lock(mu_);
  const auto it = index_.find(key);
  if (it == index_.end()) return nullptr;
  const Entry& entry = *slots_[it->second];
  entry.used.store(true, std::memory_order_relaxed);
  return entry.block;
}

void BlockCache::insert(uint64_t key, std::shared_ptr<const storage::Block> block) {
  const size_t bytes = block_memory_bytes(*block);
  if (bytes > capacity_bytes_) return;
  std::unique_lock lock(mu_);
  size_t slot = slots_.size();
  if (const auto it = index_.find(key); it != index_.end()) {
    slot = it->second;
    Entry& entry = *slots_[slot];
    size_bytes_ = size_bytes_ - entry.bytes + bytes;
    entry.block = std::move(block);
    entry.bytes = bytes;
    entry.used.store(true, std::memory_order_relaxed);
  } else {
    if (free_slots_.empty()) {
      slots_.emplace_back();
    } else {
      slot = free_slots_.back();
      free_slots_.pop_back();
    }
    slots_[slot].reset(new Entry{key, std::move(block), bytes, true});
    index_.emplace(key, slot);
    size_bytes_ += bytes;
  }
  evict_to_budget(slot);
}

void BlockCache::evict_to_budget(size_t keep_slot) {
  // Ends: each step clears a flag or removes an entry (finds, which set flags, wait
  // for the exclusive lock), and the kept entry fits the budget alone, so a second
  // turn of the hand at most removes every other one.
  while (size_bytes_ > capacity_bytes_) {
    if (hand_ >= slots_.size()) hand_ = 0;
    std::unique_ptr<Entry>& entry = slots_[hand_];
    if (hand_ != keep_slot && entry != nullptr &&
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
