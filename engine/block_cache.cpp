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

std::shared_ptr<const storage::Block> BlockCache::find(uint64_t key) {
  std::lock_guard lock(mu_);
  auto it = index_.find(key);
  if (it == index_.end()) return nullptr;
  lru_.splice(lru_.begin(), lru_, it->second);
  return it->second->block;
}

void BlockCache::insert(uint64_t key, std::shared_ptr<const storage::Block> block) {
  size_t bytes = block_memory_bytes(*block);
  if (bytes > capacity_bytes_) return;
  std::lock_guard lock(mu_);
  if (auto it = index_.find(key); it != index_.end()) {
    size_bytes_ -= it->second->bytes;
    lru_.erase(it->second);
    index_.erase(it);
  }
  lru_.push_front({key, std::move(block), bytes});
  index_[key] = lru_.begin();
  size_bytes_ += bytes;
  while (size_bytes_ > capacity_bytes_) {
    const Entry& victim = lru_.back();
    size_bytes_ -= victim.bytes;
    index_.erase(victim.key);
    lru_.pop_back();
  }
}

size_t BlockCache::size_bytes() const {
  std::lock_guard lock(mu_);
  return size_bytes_;
}

}  // namespace tessera::engine
