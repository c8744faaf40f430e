#include "engine/tag_value_ids.h"

namespace tessera::engine {

std::vector<uint32_t> TagValueIds::ids_of(const std::string& column,
                                          std::span<const std::string> dictionary) {
  std::lock_guard lock(mu_);
  ColumnIds& ids = columns_[column];
  // Checked against the worst case (every value new) so that no id is assigned
  // for a dictionary that cannot have them all.
  if (ids.values.size() + dictionary.size() > max_ids_per_column_) return {};
  std::vector<uint32_t> out;
  out.reserve(dictionary.size());
  for (const std::string& value : dictionary) {
    out.push_back(ids.index.find_or_append(ids.values, value));
  }
  return out;
}

}  // namespace tessera::engine
