// The statistics of several blocks taken together: a segment's totals. A query that
// would fold every block of a segment from its footer into one group folds the
// segment's totals once instead (query/select_executor.cpp): a daily rollup of a
// 45-day table then reads 45 totals, not 2,565 footers.
#pragma once

#include <optional>
#include <span>

#include "storage/block/column.h"

namespace tessera::storage {

// What compute_stats gives for the blocks' rows concatenated, except that a float
// sum is the blocks' sums added in block order (a group folded from the blocks one
// by one, starting at zero, gets the same double) and no quantile sketch is kept
// (approx_percentile then folds block by block). A column missing from a block
// counts that block's rows as NULL. nullopt when the blocks are empty or disagree on
// a column's type. An integer sum that leaves int64 is not exact (sum_int_exact false).
std::optional<BlockStats> total_of(std::span<const BlockStats* const> blocks);

}  // namespace tessera::storage
