#include "engine/series_hash_set.h"

namespace tessera::engine {

bool SeriesHashSet::contains(uint64_t hash) const {
  if (hash == kEmpty) return has_zero_;
  if (slots_.empty()) return false;
  const size_t mask = slots_.size() - 1;
  for (size_t i = hash & mask;; i = (i + 1) & mask) {
    if (slots_[i] == hash) return true;
    if (slots_[i] == kEmpty) return false;
  }
}

bool SeriesHashSet::insert(uint64_t hash) {
  if (hash == kEmpty) {
    if (has_zero_) return false;
    has_zero_ = true;
    ++size_;
    return true;
  }
  // At most half full, so a probe soon meets an empty slot.
  if (2 * (size_ + 1) > slots_.size()) grow();
  const size_t mask = slots_.size() - 1;
  for (size_t i = hash & mask;; i = (i + 1) & mask) {
    if (slots_[i] == hash) return false;
    if (slots_[i] == kEmpty) {
      slots_[i] = hash;
      ++size_;
      return true;
    }
  }
}

void SeriesHashSet::grow() {
  std::vector<uint64_t> old = std::move(slots_);
  slots_.assign(old.empty() ? 16 : 2 * old.size(), kEmpty);
  const size_t mask = slots_.size() - 1;
  for (uint64_t hash : old) {
    if (hash == kEmpty) continue;
    size_t i = hash & mask;
    while (slots_[i] != kEmpty) i = (i + 1) & mask;
    slots_[i] = hash;
  }
}

}  // namespace tessera::engine
