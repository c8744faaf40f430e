#include "engine/live_mask.h"

#include <algorithm>

namespace tessera::engine {

LiveMask::LiveMask(std::vector<uint8_t> rows)
    : rows_(std::move(rows)),
      live_count_(rows_.size() -
                  static_cast<size_t>(std::count(rows_.begin(), rows_.end(), uint8_t{0}))) {}

void LiveMask::kill(size_t row) {
  if (rows_[row] == 0) return;
  rows_[row] = 0;
  --live_count_;
  std::lock_guard lock(mu_);
  stats_.clear();
}

void LiveMask::append_live(size_t rows) {
  rows_.resize(rows_.size() + rows, 1);
  live_count_ += rows;
  std::lock_guard lock(mu_);
  stats_.clear();
}

std::shared_ptr<const storage::ColumnStats> LiveMask::find_stats(std::string_view name) const {
  std::lock_guard lock(mu_);
  auto it = stats_.find(name);
  return it == stats_.end() ? nullptr : it->second;
}

void LiveMask::keep_stats(const std::string& name,
                          std::shared_ptr<const storage::ColumnStats> stats) const {
  std::lock_guard lock(mu_);
  stats_.try_emplace(name, std::move(stats));
}

}  // namespace tessera::engine
