#include "query/result_ordering.h"

#include <algorithm>

namespace tessera::query::detail {

void sort_and_limit(const BoundSelect& plan, std::vector<OutputRow>& rows) {
  std::sort(rows.begin(), rows.end(), RowOrder(plan));
  if (plan.limit && rows.size() > static_cast<size_t>(*plan.limit)) {
    rows.resize(static_cast<size_t>(*plan.limit));
  }
}

void keep_first_in_order(const BoundSelect& plan, size_t count, std::vector<OutputRow>& rows) {
  std::nth_element(rows.begin(), rows.begin() + static_cast<ptrdiff_t>(count), rows.end(),
                   RowOrder(plan));
  rows.resize(count);
}

}  // namespace tessera::query::detail
