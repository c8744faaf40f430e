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
  if (max_series_per_table_ == 0) return Status::ok();
  auto it = series_by_table_.find(std::string(table));
  const uint64_t hash = series_hash(tags);
  if (it != series_by_table_.end() && it->second.contains(hash)) return Status::ok();
  const size_t count = it == series_by_table_.end() ? 0 : it->second.size();
  if (is_enforcing && count >= max_series_per_table_) {
    return make_error(ErrorCode::kLimitExceeded, "table \"" + std::string(table) +
                                                     "\": series limit of " +
                                                     std::to_string(max_series_per_table_) +
                                                     " reached (--max-series); line not written");
  }
  if (it == series_by_table_.end()) it = series_by_table_.try_emplace(std::string(table)).first;
  it->second.insert(hash);
  return Status::ok();
}

size_t CardinalityGuard::series_count(std::string_view table) const {
  auto it = series_by_table_.find(std::string(table));
  return it == series_by_table_.end() ? 0 : it->second.size();
}

}  // namespace tessera::engine
