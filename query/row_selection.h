// Internal to query/ (select executor). Row selection: a block's rows to be read
// are a selection vector of row positions; these functions read columns at those
// positions, evaluate row-level expressions over them and narrow the selection
// (tenant scope, WHERE conjuncts).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "engine/loaded_block.h"
#include "query/bound_expr.h"
#include "query/expression_eval.h"
#include "storage/base/status.h"
#include "storage/block/column.h"
#include "storage/block/tag_run_stats.h"

namespace tessera::query::detail {

// Whether `sel` (ascending, distinct row numbers) is every row from 0 on, and not
// empty: then its last row tells, and loops may read columns in order instead of
// through `sel`.
inline bool selects_every_row(const std::vector<uint32_t>& sel) {
  return !sel.empty() && sel.size() == sel.back() + size_t{1};
}

// The column `leaf` names, at the rows `sel`; all NULL when the block lacks it.
// Errors: kCorruption (column length or dictionary code out of range), kInternal
// (stored type disagrees with the schema).
Result<Vec> gather_column(const engine::LoadedBlock& block, const BoundExpr& leaf,
                          const std::vector<uint32_t>& sel);

// Keeps the positions of `sel` where `cond` is true (not false, not unknown).
std::vector<uint32_t> keep_true(const std::vector<uint32_t>& sel, const Vec& cond);

// Evaluates a row-level expression over the selected rows. An expression of one
// dictionary-coded column (tenant = 'x', provider IN (...), host IS NULL) is
// evaluated once per dictionary entry (plus once for NULL) and mapped through the
// row codes, instead of once per row.
Result<Vec> evaluate_rows(const BoundExpr& e, const engine::LoadedBlock& block,
                          const std::vector<uint32_t>& sel, const LeafResolver& leaves);

// Whether the condition `cond` (a bool expression) is true, per selected row: 1
// where true, 0 where false or unknown (NULL). Conditions of one dictionary-coded
// column take evaluate_rows's per-entry path and write only these bytes.
Result<std::vector<uint8_t>> evaluate_truth(const BoundExpr& cond, const engine::LoadedBlock& block,
                                            const std::vector<uint32_t>& sel,
                                            const LeafResolver& leaves);

// The string column `cond` reads when it reads exactly one (status = 'completed',
// status IN (...)); null otherwise.
const std::string* condition_tag(const BoundExpr& cond);

// Sets *ranges to the rows where `cond`, a condition of the one tag column whose
// runs in `block` are `runs`, is true, as ranges of rows in the form of kept_ranges
// (vector_kernels.h): evaluated once per dictionary entry and read once per run,
// no work per row. False, with *ranges not to be read, when `cond` is not such a
// condition, `sel` is not every row, or `runs` does not fit the block.
// Errors: kCorruption (a run's code out of the dictionary).
Result<bool> truth_ranges(const BoundExpr& cond, const engine::LoadedBlock& block,
                          const std::vector<uint32_t>& sel, const storage::TagRunStats& runs,
                          std::vector<uint32_t>* ranges);

// Drops from `sel` (ascending row numbers) the rows whose string column `column`
// is not `value`: NULL rows, and all rows when the block has no such string column.
// The tenant scope uses it, so nothing in the statement can widen it; so do WHERE
// conjuncts `column = 'value'`. Errors: kCorruption (column too short).
Status keep_rows_equal(const engine::LoadedBlock& block, const std::string& column,
                       std::string_view value, std::vector<uint32_t>& sel);

// Sets `sel` to the rows of `block` whose string column `column` is `value`: what
// keep_rows_equal leaves of every row, without writing every row's number first (a
// tenant's run is often a small part of a block shared with others). `sel`'s
// contents are ignored, its capacity reused. Errors: as keep_rows_equal.
Status select_rows_equal(const engine::LoadedBlock& block, const std::string& column,
                         std::string_view value, std::vector<uint32_t>& sel);

}  // namespace tessera::query::detail
