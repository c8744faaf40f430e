// Partition sort: turns the rows of one table partition, given as blocks in write
// order, into sorted, duplicate-free blocks cut for pruning. Used by flush (the frozen
// blocks of a partition) and by compaction (the blocks of its segments).
//
// Sort key (docs/architecture.md, "Storage"): the tenant column, then the dedup key's
// tags in dedup order, then every other tag column by name (bytes), then time. Tags
// compare by bytes and NULL (a row without the tag) sorts before every value. Rows with
// equal key and time keep write order (the sort is stable).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "engine/table_schema.h"
#include "storage/base/status.h"
#include "storage/block/column.h"

namespace tessera::engine {

struct SortKey {
  // Sorts first; blocks are cut at its changes (see BlockCut).
  std::optional<std::string> tenant_column;
  // Tag columns after the tenant, in sort order (the tenant column is not repeated).
  std::vector<std::string> tag_columns;
  // With `time`, a row's identity: of rows with equal values here and equal time, only
  // the latest write is kept. Empty: no dedup. Each also appears in tag_columns or is
  // the tenant column.
  std::vector<std::string> dedup_columns;
};

// The sort key of `schema`, as described at the top of this file.
SortKey sort_key_for(const TableSchema& schema);

// The most rows one sort_partition call takes; rows are addressed by 32-bit indices.
inline constexpr uint64_t kMaxSortRows = uint64_t{1} << 32;

// How sorted rows are cut into blocks. A tenant with at least `min_own_rows` rows in
// the partition gets blocks of its own: they prune by tenant and are answered from
// statistics. Smaller tenants share blocks with their neighbours in sort order (a
// tenant's rows still never span two shared blocks), so a table of many small
// tenants is not cut into thousands of tiny blocks whose fixed cost would dominate
// every scan. Without a tenant column, blocks are cut only at `max_rows`.
struct BlockCut {
  size_t max_rows = 8192;
  size_t min_own_rows = 1024;

  // The engine's cut for blocks of `max_rows`: tenants below an eighth of a block share.
  static BlockCut for_block_rows(size_t max_rows) {
    return {max_rows, std::max<size_t>(1, max_rows / 8)};
  }
};

struct SortedPartition {
  std::vector<storage::Block> blocks;
  uint64_t duplicates_dropped = 0;
};

// Sorts the rows of `runs` (blocks of one partition, in write order: later blocks and
// later rows are later writes) by `key`, drops every row a later write of the same
// dedup key replaces, and cuts the result into blocks as `cut` says. Each output block holds the
// columns of `runs` that have a value in it (first-appearance order), without NULL-only
// columns, with fresh dictionaries. Blocks with no rows are skipped.
// Errors: kLimitExceeded for more than kMaxSortRows rows; kInternal when one column has
// two types in `runs` (the schema forbids it). Requires: 0 < cut.min_own_rows <=
// cut.max_rows.
Result<SortedPartition> sort_partition(std::span<const std::shared_ptr<const storage::Block>> runs,
                                       const SortKey& key, BlockCut cut);

}  // namespace tessera::engine
