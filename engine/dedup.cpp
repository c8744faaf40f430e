#include "engine/dedup.h"

#include <cstring>
#include <unordered_map>

namespace tessera::engine {

std::vector<LiveRows> compute_live_rows(const std::vector<std::shared_ptr<const storage::Block>>& blocks,
                                        const std::vector<std::string>& key_columns) {
  struct Location {
    uint32_t block;
    uint32_t row;
  };
  std::vector<std::vector<uint8_t>> masks(blocks.size());
  std::unordered_map<std::string, Location> latest;
  std::string key;
  for (size_t b = 0; b < blocks.size(); ++b) {
    const storage::Block& block = *blocks[b];
    std::vector<const storage::Column*> columns;
    for (const std::string& name : key_columns) columns.push_back(block.find(name));
    for (size_t row = 0; row < block.row_count(); ++row) {
      // Key bytes: time, then each tag as a presence byte plus length-prefixed value,
      // so that distinct keys never encode alike.
      key.assign(reinterpret_cast<const char*>(&block.time_ns[row]), sizeof(int64_t));
      for (const storage::Column* column : columns) {
        if (column == nullptr || column->type != storage::ColumnType::kString || !column->is_valid(row)) {
          key.push_back('\0');
          continue;
        }
        std::string_view value = column->string_at(row);
        uint32_t length = static_cast<uint32_t>(value.size());
        key.push_back('\1');
        key.append(reinterpret_cast<const char*>(&length), sizeof length);
        key.append(value);
      }
      auto [it, inserted] = latest.try_emplace(key, Location{static_cast<uint32_t>(b), static_cast<uint32_t>(row)});
      if (inserted) continue;
      std::vector<uint8_t>& mask = masks[it->second.block];
      if (mask.empty()) mask.assign(blocks[it->second.block]->row_count(), 1);
      mask[it->second.row] = 0;
      it->second = {static_cast<uint32_t>(b), static_cast<uint32_t>(row)};
    }
  }
  std::vector<LiveRows> result(blocks.size());
  for (size_t b = 0; b < blocks.size(); ++b) {
    if (!masks[b].empty()) result[b] = std::make_shared<const std::vector<uint8_t>>(std::move(masks[b]));
  }
  return result;
}

}  // namespace tessera::engine
