#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

namespace tessera::query {

// Finds row offsets in a sorted list of run starts when the offsets asked for come
// in nondecreasing order, as a block's spans do: each search gallops forward from
// where the previous one ended, so a pass over a block's spans costs about the
// distance it walks instead of a binary search over all the runs per span.
class ForwardSearch {
 public:
  explicit ForwardSearch(std::span<const uint32_t> sorted) : sorted_(sorted) {}

  // The index of `offset` in the list, or nullopt when it is not there.
  // Requires: `offset` is at least every offset asked for before.
  std::optional<size_t> find(uint32_t offset) {
    const size_t size = sorted_.size();
    // Doubling steps bracket the first entry at least `offset` in [low, high].
    size_t low = from_, high = from_, step = 1;
    while (high < size && sorted_[high] < offset) {
      low = high + 1;
      high += step;
      step *= 2;
    }
    const auto end = sorted_.begin() + static_cast<std::ptrdiff_t>(std::min(high, size));
    const auto it =
        std::lower_bound(sorted_.begin() + static_cast<std::ptrdiff_t>(low), end, offset);
    from_ = static_cast<size_t>(it - sorted_.begin());
    if (it == sorted_.end() || *it != offset) return std::nullopt;
    return from_;
  }

  // Whether `offset` is in the list. Requires as find().
  bool contains(uint32_t offset) { return find(offset).has_value(); }

 private:
  std::span<const uint32_t> sorted_;
  size_t from_ = 0;  // no entry before it is at least an offset asked for yet
};

}  // namespace tessera::query
