// Partition sort: turns the rows of one table partition, given as blocks in write
// order, into sorted, duplicate-free blocks cut for pruning. Used by flush (the frozen
// blocks of a partition) and by compaction (the blocks of its segments).
//
// Sort key (docs/architecture.md, "Storage"): the tenant column, then the dedup key's
// tags in dedup order, then every other tag column by name (bytes), then time. Tags
// compare by bytes and NULL (a row without the tag) sorts before every value. Rows with
// equal key and time keep write order (the sort is stable).
#pragma once

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
  // Sorts first; each output block holds rows of one tenant value only.
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

struct SortedPartition {
  std::vector<storage::Block> blocks;
  uint64_t duplicates_dropped = 0;
};

// Sorts the rows of `runs` (blocks of one partition, in write order: later blocks and
// later rows are later writes) by `key`, drops every row a later write of the same
// dedup key replaces, and cuts the result into blocks of at most `block_rows` rows,
// starting a new block at each change of the tenant value. Each output block holds the
// columns of `runs` that have a value in it (first-appearance order), without NULL-only
// columns, with fresh dictionaries. Blocks with no rows are skipped.
// Errors: kLimitExceeded for more than kMaxSortRows rows; kInternal when one column has
// two types in `runs` (the schema forbids it). Requires: block_rows > 0.
Result<SortedPartition> sort_partition(std::span<const std::shared_ptr<const storage::Block>> runs,
                                       const SortKey& key, size_t block_rows);

}  // namespace tessera::engine
