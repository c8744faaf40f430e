#include "engine/cardinality_guard.h"

#include <algorithm>

namespace tessera::engine {
namespace {

// FNV-1a over the canonical series text: sorted "key\0value\0" pairs. Stable across
// runs (unlike std::hash), which keeps tests deterministic.
uint64_t series_hash(const std::vector<std::pair<std::string, std::string>>& tags) {
  std::vector<const std::pair<std::string, std::string>*> sorted;
  sorted.reserve(tags.size());
  for (const auto& tag : tags) sorted.push_back(&tag);
  std::sort(sorted.begin(), sorted.end(), [](const auto* a, const auto* b) { return *a < *b; });
  uint64_t h = 1469598103934665603ull;
  auto mix = [&h](std::string_view bytes) {
    for (char c : bytes) {
      h ^= static_cast<unsigned char>(c);
      h *= 1099511628211ull;
    }
    h ^= 0xff;  // separator: "ab","c" and "a","bc" differ
    h *= 1099511628211ull;
  };
  for (const auto* tag : sorted) {
    mix(tag->first);
    mix(tag->second);
  }
  return h;
}

}  // namespace

Status CardinalityGuard::admit(std::string_view table,
                               const std::vector<std::pair<std::string, std::string>>& tags,
                               bool is_enforcing) {
  Pending pending;
  TESSERA_RETURN_IF_ERROR(admit_pending(table, tags, is_enforcing, &pending));
  commit(std::move(pending));
  return Status::ok();
}

Status CardinalityGuard::admit_pending(std::string_view table,
                                       const std::vector<std::pair<std::string, std::string>>& tags,
                                       bool is_enforcing, Pending* pending) const {
  if (max_series_per_table_ == 0) return Status::ok();
  const std::string name(table);
  const uint64_t hash = series_hash(tags);
  auto it = series_by_table_.find(name);
  if (it != series_by_table_.end() && it->second.contains(hash)) return Status::ok();
  auto staged = pending->series_by_table.find(name);
  if (staged != pending->series_by_table.end() && staged->second.contains(hash))
    return Status::ok();
  const size_t count = (it == series_by_table_.end() ? 0 : it->second.size()) +
                       (staged == pending->series_by_table.end() ? 0 : staged->second.size());
  if (is_enforcing && count >= max_series_per_table_) {
    return make_error(ErrorCode::kLimitExceeded, "table \"" + name + "\": series limit of " +
                                                     std::to_string(max_series_per_table_) +
                                                     " reached (--max-series); line not written");
  }
  pending->series_by_table[name].insert(hash);
  return Status::ok();
}

void CardinalityGuard::commit(Pending&& pending) {
  for (auto& [table, hashes] : pending.series_by_table) {
    std::unordered_set<uint64_t>& known = series_by_table_[table];
    if (known.empty()) {
      known = std::move(hashes);
    } else {
      known.insert(hashes.begin(), hashes.end());
    }
  }
}

size_t CardinalityGuard::series_count(std::string_view table) const {
  auto it = series_by_table_.find(std::string(table));
  return it == series_by_table_.end() ? 0 : it->second.size();
}

}  // namespace tessera::engine
