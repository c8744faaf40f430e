#include "query/sorted_run_percentile.h"

#include <algorithm>
#include <cassert>
#include <utility>
#include <vector>

#include "query/percentile.h"
#include "storage/block/float_order.h"

namespace tessera::query {
namespace {

using storage::float_order_less;

// Below this many candidates left, they are copied and selected among directly.
constexpr size_t kSelectDirectlyBelow = 64;
// From this many windows on, a round first tries a band around guessed pivots
// (narrow_to_guessed_band); over fewer, the median of medians already cuts as much
// for less (percentile_bench: 2 runs of 256 values 0.66-0.76 -> 0.88-1.07 us with the
// band, 8 runs of 256 2.4-3.0 -> 1.3-1.9 us).
constexpr size_t kGuessFromWindows = 8;

// What is left of one run: the candidates [begin, end), and where the current
// round's cuts (keep_part_holding's lo and hi) fall in them.
struct Window {
  const double* begin = nullptr;
  const double* end = nullptr;
  const double* below_end = nullptr;    // end of the values below lo
  const double* at_most_end = nullptr;  // end of the values at most hi
  size_t size() const { return static_cast<size_t>(end - begin); }
};

class RankFinder {
 public:
  explicit RankFinder(std::span<const std::span<const double>> runs) : runs_(runs) {}

  // The value at rank k (from 0) of the runs' values together.
  // Requires: k < their count.
  double value_at(size_t k) {
    windows_.clear();
    size_t left = 0;
    for (std::span<const double> run : runs_) {
      if (run.empty()) continue;
      windows_.push_back({run.data(), run.data() + run.size(), nullptr, nullptr});
      left += run.size();
    }
    assert(k < left);
    bool guess = true;
    while (true) {
      if (windows_.size() == 1) return windows_[0].begin[k];
      if (left < kSelectDirectlyBelow) return select_directly(k);
      const size_t before = left;
      if (guess && windows_.size() >= kGuessFromWindows) {
        narrow_to_guessed_band(k, left);
        // A guess that dropped under a quarter is followed by a round that must.
        guess = 4 * left <= 3 * before;
        continue;
      }
      guess = true;
      // The pivot is the weighted median of the windows' medians: at least half
      // the candidates lie in windows whose median is at most the pivot, and half
      // of each of those is at most the pivot, so a round drops a quarter of them
      // or finds the rank.
      const double pivot = median_of_medians(left);
      // Values in [pivot, pivot] equal the pivot in this order.
      if (keep_part_holding(pivot, pivot, k, left)) return pivot;
    }
  }

  // The value at rank k + 1, given `v`, the value at rank k: v again while values
  // equal to it remain, else the least value above it, found by one binary search
  // per run instead of value_at's rounds (percentile_cont's two neighbouring ranks).
  // Requires: k + 1 < the runs' count.
  double value_after(size_t k, double v) const {
    size_t at_most = 0;
    const double* least_above = nullptr;
    for (std::span<const double> run : runs_) {
      const double* above =
          std::upper_bound(run.data(), run.data() + run.size(), v, float_order_less);
      at_most += static_cast<size_t>(above - run.data());
      if (above != run.data() + run.size() &&
          (least_above == nullptr || float_order_less(*above, *least_above))) {
        least_above = above;
      }
    }
    if (k + 1 < at_most || least_above == nullptr) return v;
    return *least_above;
  }

 private:
  double select_directly(size_t k) {
    scratch_.clear();
    for (const Window& w : windows_) scratch_.insert(scratch_.end(), w.begin, w.end);
    std::nth_element(scratch_.begin(), scratch_.begin() + static_cast<std::ptrdiff_t>(k),
                     scratch_.end(), float_order_less);
    return scratch_[k];
  }

  // Cuts the windows to the values between two pivots guessed a sixteenth of the
  // candidates below and above rank k, or to the side of them holding rank k. A
  // group's runs hold alike values from one block to the next, so a run's value at
  // a relative rank is close to the value at that rank of them all: the band then
  // keeps about an eighth of the candidates, where a median-of-medians round keeps
  // up to three quarters.
  void narrow_to_guessed_band(size_t& k, size_t& left) {
    const size_t margin = std::max<size_t>(left / 16, 1);
    // Guesses grow with the rank, so lo <= hi.
    const double lo = pivot_near_rank(k > margin ? k - margin : 0, left);
    const double hi = pivot_near_rank(std::min(left - 1, k + margin), left);
    keep_part_holding(lo, hi, k, left);
  }

  // Cuts the windows at `lo` and `hi` (lo <= hi) and keeps the part holding rank k:
  // the values below lo, those above hi, or those from lo to hi (then true); k and
  // `left` become the rank and count within the part kept.
  bool keep_part_holding(double lo, double hi, size_t& k, size_t& left) {
    size_t below_lo = 0, at_most_hi = 0;
    for (Window& w : windows_) {
      w.below_end = std::lower_bound(w.begin, w.end, lo, float_order_less);
      w.at_most_end = std::upper_bound(w.below_end, w.end, hi, float_order_less);
      below_lo += static_cast<size_t>(w.below_end - w.begin);
      at_most_hi += static_cast<size_t>(w.at_most_end - w.begin);
    }
    const bool keep_below = k < below_lo;
    const bool keep_above = k >= at_most_hi;
    k -= keep_below ? 0 : keep_above ? at_most_hi : below_lo;
    left = 0;
    size_t kept = 0;
    for (Window& w : windows_) {
      if (keep_below) {
        w.end = w.below_end;
      } else if (keep_above) {
        w.begin = w.at_most_end;
      } else {
        w.begin = w.below_end;
        w.end = w.at_most_end;
      }
      if (w.size() == 0) continue;
      left += w.size();
      windows_[kept++] = w;
    }
    windows_.resize(kept);
    return !keep_below && !keep_above;
  }

  // Each window's value at `rank`'s relative rank among the `left` candidates,
  // weighted by the window's size: the value where their weights, in value order,
  // pass `rank`.
  double pivot_near_rank(size_t rank, size_t left) {
    medians_.clear();
    const double at = (static_cast<double>(rank) + 0.5) / static_cast<double>(left);
    for (const Window& w : windows_) {
      const size_t i =
          std::min(w.size() - 1, static_cast<size_t>(at * static_cast<double>(w.size())));
      medians_.emplace_back(w.begin[i], w.size());
    }
    return weighted_value_at(rank);
  }

  double median_of_medians(size_t left) {
    medians_.clear();
    for (const Window& w : windows_) medians_.emplace_back(w.begin[w.size() / 2], w.size());
    // The first value whose weights reach half of `left`.
    return weighted_value_at((left + 1) / 2 - 1);
  }

  // The value of medians_ where their weights, in value order, pass `rank`.
  double weighted_value_at(size_t rank) {
    std::sort(medians_.begin(), medians_.end(),
              [](const auto& x, const auto& y) { return float_order_less(x.first, y.first); });
    size_t weight = 0;
    for (const auto& [value, size] : medians_) {
      weight += size;
      if (weight > rank) return value;
    }
    return medians_.back().first;
  }

  std::span<const std::span<const double>> runs_;
  std::vector<Window> windows_;
  std::vector<std::pair<double, size_t>> medians_;  // (a window's candidate pivot, its size)
  std::vector<double> scratch_;
};

}  // namespace

void percentile_cont_of_sorted_runs(std::span<const std::span<const double>> runs,
                                    std::span<const double> fractions,
                                    std::span<std::optional<double>> out) {
  assert(out.size() == fractions.size());
  size_t n = 0;
  for (std::span<const double> run : runs) n += run.size();
  if (n == 0) {
    std::fill(out.begin(), out.end(), std::nullopt);
    return;
  }
  RankFinder finder(runs);
  for (size_t f = 0; f < fractions.size(); ++f) {
    const detail::PercentileRows rows = detail::percentile_rows(n, fractions[f]);
    const double lo = finder.value_at(rows.first);
    assert(rows.second == rows.first || rows.second == rows.first + 1);
    const double hi = rows.second == rows.first ? lo : finder.value_after(rows.first, lo);
    out[f] = detail::interpolate(rows, lo, hi);
  }
}

}  // namespace tessera::query
