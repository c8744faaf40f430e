// Internal to query/ (select executor). Block pruning: from a bound SELECT and
// the tenant scope, derives the time range and string equalities every kept row
// must satisfy, and decides from a block's statistics alone that no row of it can.
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "engine/engine.h"
#include "query/binder.h"
#include "storage/block/column.h"

namespace tessera::query::detail {

struct PruneRule {
  int64_t min_time_ns = std::numeric_limits<int64_t>::min();
  int64_t max_time_ns = std::numeric_limits<int64_t>::max();
  std::vector<std::pair<std::string, std::string>> equalities;  // string column = constant
  // True when the rule says everything the WHERE conjuncts say: a block whose rows
  // all satisfy the rule then has every row kept.
  bool is_exact = true;
  // A cache, not part of the rule: per equality, where its column was in the last
  // block looked at. A rule is used by one thread: parallel scans copy it.
  mutable std::vector<int> column_hints;
};

// Only top-level AND conjuncts prune: each must hold for a row to be kept. When
// `tenant` is set, plan.schema.options.tenant_column must be set. Appends the text
// of every predicate used to `described` (for EXPLAIN).
PruneRule derive_prune_rule(const BoundSelect& plan, const std::optional<std::string>& tenant,
                            std::vector<std::string>* described);

// The times the WHERE clause of `plan` allows (the whole range when it says nothing).
engine::TimeRange queried_time_range(const BoundSelect& plan);

// True when no row of a block with `stats` can satisfy `rule`.
bool can_skip(const PruneRule& rule, const storage::BlockStats& stats);

// The blocks of `run`, one sorted run of `snapshot`, that can hold a row whose
// tenant column (`column`) equals `value`: [first, last) within [run.begin, run.end),
// found by binary search. Every other block of the run has only smaller or only
// greater values there, or NULL. The whole run when the column is not a string.
std::pair<size_t, size_t> run_blocks_holding(const engine::TableSnapshot& snapshot,
                                             const engine::TableSnapshot::SortedRun& run,
                                             const std::string& column, const std::string& value);

// True when every row of a block with `stats` satisfies the constraints of `rule`
// (its time range, and each equality's column holding that one value without
// NULLs). Whether the rule covers the whole WHERE clause (is_exact) is the
// caller's concern.
bool every_row_satisfies(const PruneRule& rule, const storage::BlockStats& stats);

// The rule of one WHERE conjunct alone, when the rule can express it exactly;
// nullopt otherwise. A block every row of which satisfies it need not evaluate
// that conjunct row by row.
std::optional<PruneRule> conjunct_rule(const BoundExpr& conjunct);

}  // namespace tessera::query::detail
