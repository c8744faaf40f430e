#include "engine/dedup.h"

#include <cstring>

namespace tessera::engine {

size_t DedupIndex::KeyHash::operator()(const Key& key) const {
  // splitmix64 finaliser over both fields: cheap and well mixed for dense ids and
  // regular timestamps alike.
  uint64_t x =
      static_cast<uint64_t>(key.time_ns) ^ (static_cast<uint64_t>(key.series) << 32 | key.series);
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  x ^= x >> 31;
  return static_cast<size_t>(x);
}

std::vector<uint32_t> DedupIndex::series_of_rows(const storage::Block& block) {
  const size_t rows = block.row_count();
  // Per key column: each dictionary code's interned id, computed once per block.
  std::vector<const storage::Column*> columns;
  std::vector<std::vector<uint32_t>> code_ids(key_columns_.size());
  for (size_t k = 0; k < key_columns_.size(); ++k) {
    const storage::Column* column = block.find(key_columns_[k]);
    if (column != nullptr && column->type != storage::ColumnType::kString) column = nullptr;
    columns.push_back(column);
    if (column == nullptr) continue;
    for (const std::string& value : column->dictionary) {
      auto [it, inserted] =
          tag_ids_[k].try_emplace(value, static_cast<uint32_t>(tag_ids_[k].size() + 1));
      code_ids[k].push_back(it->second);
    }
  }
  std::vector<uint32_t> series(rows);
  std::string tuple(key_columns_.size() * sizeof(uint32_t), '\0');
  for (size_t row = 0; row < rows; ++row) {
    for (size_t k = 0; k < columns.size(); ++k) {
      const storage::Column* column = columns[k];
      uint32_t id =
          column == nullptr || !column->is_valid(row) ? 0 : code_ids[k][column->codes[row]];
      std::memcpy(tuple.data() + k * sizeof id, &id, sizeof id);
    }
    auto [it, inserted] = series_ids_.try_emplace(tuple, static_cast<uint32_t>(series_ids_.size()));
    series[row] = it->second;
  }
  return series;
}

std::vector<uint8_t>& DedupIndex::writable_mask(uint32_t b) {
  std::shared_ptr<std::vector<uint8_t>>& mask = masks_[b];
  if (!mask) {
    mask = std::make_shared<std::vector<uint8_t>>(row_counts_[b], 1);
  } else if (mask.use_count() > 1) {
    // A snapshot holds this mask: it must keep seeing the rows it saw.
    mask = std::make_shared<std::vector<uint8_t>>(*mask);
  }
  return *mask;
}

void DedupIndex::add(const storage::Block& block) {
  const auto b = static_cast<uint32_t>(masks_.size());
  masks_.emplace_back();
  row_counts_.push_back(block.row_count());
  std::vector<uint32_t> series = series_of_rows(block);
  // Reserving exactly size + rows would rehash the whole map at every block (to the
  // next prime above, not a doubling): quadratic in a partition's rows, and it ran
  // under the cache mutex that every snapshot of the table waits for. Doubling keeps
  // rehashing amortized constant per row.
  const size_t needed = latest_.size() + block.row_count();
  if (static_cast<double>(needed) >
      static_cast<double>(latest_.bucket_count()) * latest_.max_load_factor()) {
    latest_.reserve(2 * needed);
  }
  for (size_t row = 0; row < block.row_count(); ++row) {
    Location here{b, static_cast<uint32_t>(row)};
    auto [it, inserted] = latest_.try_emplace(Key{block.time_ns[row], series[row]}, here);
    if (inserted) continue;
    writable_mask(it->second.block)[it->second.row] = 0;
    it->second = here;
  }
}

std::vector<LiveRows> DedupIndex::live_rows(
    const std::vector<std::shared_ptr<const storage::Block>>& tail) {
  const size_t added = masks_.size();
  std::vector<LiveRows> result(masks_.begin(), masks_.end());
  result.resize(added + tail.size());
  auto rows_of = [&](size_t b) {
    return b < added ? row_counts_[b] : tail[b - added]->row_count();
  };
  // Rows the tail replaces are marked in this snapshot's copies, never in the index.
  std::unordered_map<size_t, std::vector<uint8_t>> changed;
  auto kill = [&](size_t b, size_t row) {
    auto [it, inserted] = changed.try_emplace(b);
    if (inserted) it->second = result[b] ? *result[b] : std::vector<uint8_t>(rows_of(b), 1);
    it->second[row] = 0;
  };
  // Sized once for the whole tail: growing it row by row rehashes it a dozen times
  // for a full head block, on every snapshot.
  KeyMap tail_latest;
  size_t tail_rows = 0;
  for (const auto& block : tail) tail_rows += block->row_count();
  tail_latest.reserve(tail_rows);
  for (size_t t = 0; t < tail.size(); ++t) {
    const storage::Block& block = *tail[t];
    const auto b = static_cast<uint32_t>(added + t);
    // Interning the tail's tags grows the id tables, which is harmless: ids are only names.
    std::vector<uint32_t> series = series_of_rows(block);
    for (size_t row = 0; row < block.row_count(); ++row) {
      Key key{block.time_ns[row], series[row]};
      Location here{b, static_cast<uint32_t>(row)};
      auto [it, inserted] = tail_latest.try_emplace(key, here);
      if (!inserted) {
        kill(it->second.block, it->second.row);
        it->second = here;
      } else if (auto old = latest_.find(key); old != latest_.end()) {
        kill(old->second.block, old->second.row);
      }
    }
  }
  for (auto& [b, mask] : changed) {
    result[b] = std::make_shared<const std::vector<uint8_t>>(std::move(mask));
  }
  return result;
}

}  // namespace tessera::engine
