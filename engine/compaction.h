// Compaction: merging the segments of one table partition into a single sorted,
// duplicate-free segment, so that queries read fewer, tenant-pure blocks and need no
// read-time dedup index. This file holds the policy and the merge; the engine's
// manifest swap (and why each crash point is safe) is in database_flush.cpp and
// docs/format/manifest.md.
#pragma once

#include <memory>
#include <span>
#include <vector>

#include "engine/engine.h"
#include "engine/manifest.h"
#include "engine/partition_sort.h"

namespace tessera::engine {

// Whether a partition whose segments are `segments` (in write order) should be
// compacted: when it has more than one, or one written before sorted flushes existed.
bool needs_compaction(std::span<const ManifestSegment> segments);

// Loads every block of `sources` (one partition's blocks in write order) and returns
// their rows sorted by `key`, with every row a later write replaced removed, cut into
// blocks as `cut` says (sort_partition). Errors: whatever load() gives
// (kCorruption naming the file), or sort_partition's.
Result<SortedPartition> merge_sources(std::span<const std::shared_ptr<const BlockSource>> sources,
                                      const SortKey& key, BlockCut cut);

}  // namespace tessera::engine
