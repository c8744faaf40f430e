#include "engine/loaded_block.h"

namespace tessera::engine {

LoadedBlock LoadedBlock::project(const std::shared_ptr<const storage::Block>& block,
                                 std::span<const std::string> names) {
  // Aliasing shared_ptrs: each points into `block` and keeps all of it alive.
  std::vector<NamedColumn> columns;
  for (const std::string& name : names) {
    for (size_t c = 0; c < block->column_names.size(); ++c) {
      if (block->column_names[c] != name) continue;
      columns.push_back({name, std::shared_ptr<const storage::Column>(block, &block->columns[c])});
      break;
    }
  }
  return LoadedBlock(std::shared_ptr<const std::vector<int64_t>>(block, &block->time_ns),
                     std::move(columns));
}

const storage::Column* LoadedBlock::find(std::string_view name) const {
  for (const NamedColumn& c : columns_) {
    if (c.name == name) return c.column.get();
  }
  return nullptr;
}

}  // namespace tessera::engine
