// Select executor: runs a bound SELECT over a table snapshot — prunes blocks by
// their statistics, aggregates blocks that match as a whole from their statistics,
// filters each block column-at-a-time into a selection vector
// (tenant scope first, then the WHERE conjuncts), then either aggregates per group
// or gathers raw rows, and shapes the result (HAVING, ORDER BY, LIMIT). A big scan
// is split into contiguous ranges of blocks that context.scan_workers help read;
// their partial results merge in block order, so the answer is the single pass's.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/engine.h"
#include "query/binder.h"
#include "query/query_context.h"
#include "query/value.h"
#include "storage/base/status.h"

namespace tessera::query {

// What a scan did, for EXPLAIN.
struct ScanStats {
  std::vector<std::string> pruning_predicates;  // e.g. "time >= 1736985600000000000"
  uint64_t blocks_total = 0;
  uint64_t blocks_pruned = 0;
  uint64_t blocks_scanned = 0;
  uint64_t blocks_from_stats = 0;           // aggregated from their statistics, not loaded
  uint64_t blocks_from_segment_totals = 0;  // of blocks_from_stats, folded with their whole run
  uint64_t blocks_from_run_stats = 0;       // from the statistics of their tag runs
  // Scanned blocks whose percentiles or sla_pct read sorted run values, not rows.
  uint64_t blocks_from_sorted_runs = 0;
  uint64_t rows_scanned = 0;   // rows of the blocks loaded
  uint64_t rows_matched = 0;   // rows that passed tenant scope and WHERE
  uint64_t groups = 0;         // groups before HAVING (aggregate queries)
  uint64_t scan_ranges = 0;    // contiguous block ranges read (in parallel when > 1)
  bool in_background = false;  // read on QueryContext::background_workers
};

// Runs `plan` over `snapshot`. When `tenant` is set only rows whose tenant column
// (snapshot.schema.options.tenant_column, which must exist) equals it are read.
// Errors: kLimitExceeded (rows, memory, time), kInvalidInput (integer overflow),
// storage errors from block loads. `stats` may be null.
Result<ResultSet> execute_select(const BoundSelect& plan, const engine::TableSnapshot& snapshot,
                                 const std::optional<std::string>& tenant,
                                 const QueryContext& context, ScanStats* stats);

}  // namespace tessera::query
