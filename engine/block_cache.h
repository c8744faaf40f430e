// BlockCache: decoded segment blocks kept in memory, least recently used first
// out, within a byte budget. Thread-safe.
#pragma once

#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <unordered_map>

#include "storage/block/column.h"

namespace tessera::engine {

// Approximate heap bytes held by a decoded block.
size_t block_memory_bytes(const storage::Block& block);

class BlockCache {
 public:
  explicit BlockCache(size_t capacity_bytes) : capacity_bytes_(capacity_bytes) {}

  std::shared_ptr<const storage::Block> find(uint64_t key);
  // Inserts (or refreshes) `block` under `key`, evicting the least recently used
  // entries beyond the budget. A block larger than the budget is not kept.
  void insert(uint64_t key, std::shared_ptr<const storage::Block> block);
  size_t size_bytes() const;

 private:
  struct Entry {
    uint64_t key;
    std::shared_ptr<const storage::Block> block;
    size_t bytes;
  };
  const size_t capacity_bytes_;
  mutable std::mutex mu_;
  std::list<Entry> lru_;  // front: most recently used
  std::unordered_map<uint64_t, std::list<Entry>::iterator> index_;
  size_t size_bytes_ = 0;
};

}  // namespace tessera::engine
