#include "query/result_ordering.h"

#include <algorithm>

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

void keep_first_in_order(const BoundSelect& plan, size_t count, std::vector<OutputRow>& rows) {
  std::nth_element(rows.begin(), rows.begin() + static_cast<ptrdiff_t>(count), rows.end(),
                   RowOrder(plan));
  rows.resize(count);
}

}  // namespace tessera::query::detail
