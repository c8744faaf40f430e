// Internal to query/ (select executor). Result ordering: the rows a SELECT
// produces, and their order — ORDER BY keys, then the default order — applied
// as a full sort, or as a partial one when only the first rows are kept (LIMIT).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "query/binder.h"
#include "query/expression_eval.h"
#include "query/value.h"

namespace tessera::query::detail {

struct OutputRow {
  std::vector<Value> values;     // the output columns
  std::vector<Value> sort_keys;  // ORDER BY expressions not among the outputs
  // Default order: raw rows by (time, write order); groups by their position in
  // the (time, tags) order, with time_ns 0.
  int64_t time_ns = 0;
  uint64_t seq = 0;
  size_t bytes = 0;  // charged against the memory limit
};

// The result order: ORDER BY keys, then the default order. A strict weak order, so
// that a partial sort (top-k for LIMIT) and a full sort agree.
class RowOrder {
 public:
  explicit RowOrder(const BoundSelect& plan) : plan_(&plan), hidden_(plan.order_by.size(), 0) {
    size_t next = 0;
    for (size_t k = 0; k < plan.order_by.size(); ++k) {
      if (plan.order_by[k].output_index < 0) hidden_[k] = next++;
    }
  }
  bool operator()(const OutputRow& a, const OutputRow& b) const {
    for (size_t k = 0; k < plan_->order_by.size(); ++k) {
      const SortKey& key = plan_->order_by[k];
      const size_t out = static_cast<size_t>(key.output_index);
      const Value& x = key.output_index >= 0 ? a.values[out] : a.sort_keys[hidden_[k]];
      const Value& y = key.output_index >= 0 ? b.values[out] : b.sort_keys[hidden_[k]];
      int c = compare_for_sort(x, y);
      // NULLs last ascending and first descending (PostgreSQL): reversing the
      // whole order, NULL included, does exactly that.
      if (key.is_descending) c = -c;
      if (c != 0) return c < 0;
    }
    if (a.time_ns != b.time_ns) return a.time_ns < b.time_ns;
    return a.seq < b.seq;
  }

 private:
  const BoundSelect* plan_;
  std::vector<size_t> hidden_;
};

// Sorts `rows` into the result order of `plan` and cuts them to plan.limit.
void sort_and_limit(const BoundSelect& plan, std::vector<OutputRow>& rows);

// Whether every group key of `plan` is an ORDER BY key, as itself or as an output
// column: distinct groups then never tie, and their default order decides nothing.
bool orders_by_every_group_key(const BoundSelect& plan);

// The positions of the first `count` of `n` rows not yet made into OutputRows, in
// the result order of `plan`: row i has outputs[o][i] for its output o,
// hidden[h][i] for its h-th ORDER BY expression not among the outputs, and i for
// its default order (seq), as grouped rows have. Top-10 of 2,300 groups then makes
// ten rows, not 2,300. Requires: count <= n.
std::vector<size_t> first_rows_in_order(const BoundSelect& plan, std::span<const Vec> outputs,
                                        std::span<const Vec> hidden, size_t n, size_t count);

// Keeps the first `count` rows of `rows` in the result order of `plan`, in no
// particular order. Requires: count <= rows.size().
void keep_first_in_order(const BoundSelect& plan, size_t count, std::vector<OutputRow>& rows);

}  // namespace tessera::query::detail
