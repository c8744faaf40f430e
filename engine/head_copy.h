// HeadCopy: the copy of a partition's head (its unsealed rows) that snapshots share
// while the head has not changed. A snapshot used to copy every head it viewed: under
// ingest, up to a block's rows per partition for every query (memmove and fresh pages
// to zero), and their statistics computed again by the first query that pruned them.
// Only the partitions being written change between two snapshots.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>

#include "engine/block_builder.h"
#include "engine/block_sources.h"

namespace tessera::engine {

class HeadCopy {
 public:
  // A source over a copy of `head`'s rows: the one handed out last when `head` holds
  // the same rows (BlockBuilder::takes() and row_count() unchanged), else a new copy;
  // null when `head` is empty (the kept copy is then released). Requires: `head` does
  // not change during the call (the caller holds the database's lock, shared is
  // enough). Thread-safe.
  std::shared_ptr<const MemoryBlockSource> of(const BlockBuilder& head);

 private:
  std::mutex mu_;
  uint64_t takes_ = 0;
  size_t rows_ = 0;
  std::shared_ptr<const MemoryBlockSource> copy_;
};

}  // namespace tessera::engine
