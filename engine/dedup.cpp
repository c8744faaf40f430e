#include "engine/dedup.h"

namespace tessera::engine {
namespace {

// splitmix64's finaliser: cheap and well mixed for dense ids and regular timestamps alike.
uint64_t mix(uint64_t x) {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  x ^= x >> 31;
  return x;
}

// How far ahead of the row being looked up the key map's slot is prefetched: about
// as many lookups as a core keeps memory loads in flight.
constexpr size_t kPrefetchRows = 16;

}  // namespace

size_t DedupIndex::KeyHash::operator()(const Key& key) const {
  return static_cast<size_t>(mix(static_cast<uint64_t>(key.time_ns) ^
                                 (static_cast<uint64_t>(key.series) << 32 | key.series)));
}

size_t DedupIndex::PairHash::operator()(uint64_t pair) const {
  return static_cast<size_t>(mix(pair));
}

std::vector<uint32_t> DedupIndex::series_of_rows(const LoadedBlock& block) {
  const size_t rows = block.row_count();
  std::vector<uint32_t> series(rows, 0);
  for (size_t k = 0; k < key_columns_.size(); ++k) {
    const storage::Column* column = block.find(key_columns_[k]);
    if (column != nullptr && column->type != storage::ColumnType::kString) column = nullptr;
    // Each dictionary code's interned id, computed once per block.
    std::vector<uint32_t> code_ids;
    if (column != nullptr) {
      for (const std::string& value : column->dictionary) {
        auto [it, inserted] =
            tag_ids_[k].try_emplace(value, static_cast<uint32_t>(tag_ids_[k].size() + 1));
        code_ids.push_back(it->second);
      }
    }
    auto id_at = [&](size_t row) -> uint32_t {
      return column == nullptr || !column->is_valid(row) ? 0 : code_ids[column->codes[row]];
    };
    if (k == 0) {
      for (size_t row = 0; row < rows; ++row) series[row] = id_at(row);
      continue;
    }
    for (size_t row = 0; row < rows; ++row) {
      const uint64_t pair = static_cast<uint64_t>(series[row]) << 32 | id_at(row);
      series[row] = *series_ids_.try_emplace(pair, static_cast<uint32_t>(series_ids_.size())).first;
    }
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

void DedupIndex::add(const LoadedBlock& block) {
  const auto b = static_cast<uint32_t>(masks_.size());
  masks_.emplace_back();
  row_counts_.push_back(block.row_count());
  std::vector<uint32_t> series = series_of_rows(block);
  // The map grows to powers of two, so reserving per block rehashes amortized
  // constant work per row.
  latest_.reserve(latest_.size() + block.row_count());
  const std::vector<int64_t>& times = block.time_ns();
  for (size_t row = 0; row < block.row_count(); ++row) {
    if (row + kPrefetchRows < block.row_count()) {
      latest_.prefetch(Key{times[row + kPrefetchRows], series[row + kPrefetchRows]});
    }
    Location here{b, static_cast<uint32_t>(row)};
    auto [location, inserted] = latest_.try_emplace(Key{times[row], series[row]}, here);
    if (inserted) continue;
    writable_mask(location->block)[location->row] = 0;
    *location = here;
  }
}

std::vector<LiveRows> DedupIndex::live_rows(const std::vector<LoadedBlock>& tail) {
  const size_t added = masks_.size();
  std::vector<LiveRows> result(masks_.begin(), masks_.end());
  result.resize(added + tail.size());
  auto rows_of = [&](size_t b) { return b < added ? row_counts_[b] : tail[b - added].row_count(); };
  // Rows the tail replaces are marked in this snapshot's copies, never in the index.
  std::unordered_map<size_t, std::vector<uint8_t>> changed;
  auto kill = [&](size_t b, size_t row) {
    auto [it, inserted] = changed.try_emplace(b);
    if (inserted) it->second = result[b] ? *result[b] : std::vector<uint8_t>(rows_of(b), 1);
    it->second[row] = 0;
  };
  // Sized once for the whole tail: growing it row by row would rehash it a dozen
  // times for a full head block, on every snapshot.
  KeyMap tail_latest = make_key_map();
  size_t tail_rows = 0;
  for (const LoadedBlock& block : tail) tail_rows += block.row_count();
  tail_latest.reserve(tail_rows);
  for (size_t t = 0; t < tail.size(); ++t) {
    const LoadedBlock& block = tail[t];
    const auto b = static_cast<uint32_t>(added + t);
    // Interning the tail's tags grows the id tables, which is harmless: ids are only names.
    std::vector<uint32_t> series = series_of_rows(block);
    const std::vector<int64_t>& times = block.time_ns();
    for (size_t row = 0; row < block.row_count(); ++row) {
      if (row + kPrefetchRows < block.row_count()) {
        latest_.prefetch(Key{times[row + kPrefetchRows], series[row + kPrefetchRows]});
      }
      Key key{times[row], series[row]};
      Location here{b, static_cast<uint32_t>(row)};
      auto [location, inserted] = tail_latest.try_emplace(key, here);
      if (!inserted) {
        kill(location->block, location->row);
        *location = here;
      } else if (const Location* old = latest_.find(key)) {
        kill(old->block, old->row);
      }
    }
  }
  for (auto& [b, mask] : changed) {
    result[b] = std::make_shared<const std::vector<uint8_t>>(std::move(mask));
  }
  return result;
}

}  // namespace tessera::engine
