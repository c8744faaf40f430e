#include "query/result_ordering.h"

#include <algorithm>
#include <numeric>

namespace tessera::query::detail {

void sort_and_limit(const BoundSelect& plan, std::vector<OutputRow>& rows) {
  const RowOrder order(plan);
  // Groups without ORDER BY come in the default order already: checking costs a
  // comparison a row, sorting a dozen.
  if (std::is_sorted(rows.begin(), rows.end(), order)) {
    if (plan.limit && rows.size() > static_cast<size_t>(*plan.limit))
      rows.erase(rows.begin() + static_cast<ptrdiff_t>(*plan.limit), rows.end());
    return;
  }
  if (plan.limit && rows.size() > static_cast<size_t>(*plan.limit)) {
    // Top-k: only the first `limit` rows are ordered (Q7 keeps 10 of 2,315 groups).
    // RowOrder is total (ties end at seq), so they are the full sort's first rows.
    const auto kept = rows.begin() + static_cast<ptrdiff_t>(*plan.limit);
    std::partial_sort(rows.begin(), kept, rows.end(), order);
    rows.erase(kept, rows.end());
    return;
  }
  std::sort(rows.begin(), rows.end(), order);
}

bool orders_by_every_group_key(const BoundSelect& plan) {
  std::vector<bool> ordered(plan.group_key_count(), false);
  for (const SortKey& key : plan.order_by) {
    const BoundExpr& e =
        key.output_index >= 0 ? plan.outputs[static_cast<size_t>(key.output_index)] : *key.expr;
    if (e.kind == BoundExpr::Kind::kGroupKey && static_cast<size_t>(e.index) < ordered.size()) {
      ordered[static_cast<size_t>(e.index)] = true;
    }
  }
  return std::all_of(ordered.begin(), ordered.end(), [](bool b) { return b; });
}

std::vector<size_t> first_rows_in_order(const BoundSelect& plan, std::span<const Vec> outputs,
                                        std::span<const Vec> hidden, size_t n, size_t count) {
  std::vector<const Vec*> keys;
  size_t next_hidden = 0;
  for (const SortKey& key : plan.order_by) {
    keys.push_back(key.output_index >= 0 ? &outputs[static_cast<size_t>(key.output_index)]
                                         : &hidden[next_hidden++]);
  }
  auto before = [&](size_t a, size_t b) {  // as RowOrder
    for (size_t k = 0; k < keys.size(); ++k) {
      int c = compare_entries_for_sort(*keys[k], a, b);
      if (plan.order_by[k].is_descending) c = -c;
      if (c != 0) return c < 0;
    }
    return a < b;
  };
  std::vector<size_t> rows(n);
  std::iota(rows.begin(), rows.end(), size_t{0});
  const auto kept = rows.begin() + static_cast<ptrdiff_t>(count);
  std::partial_sort(rows.begin(), kept, rows.end(), before);
  rows.erase(kept, rows.end());
  return rows;
}

void keep_first_in_order(const BoundSelect& plan, size_t count, std::vector<OutputRow>& rows) {
  std::nth_element(rows.begin(), rows.begin() + static_cast<ptrdiff_t>(count), rows.end(),
                   RowOrder(plan));
  rows.resize(count);
}

}  // namespace tessera::query::detail
