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

// `mask`, ready to be modified: made from `base` (null: every one of `rows` rows
// live) when it is null, cloned when a snapshot holds it, which must keep seeing the
// rows it saw.
LiveMask& writable(std::shared_ptr<LiveMask>& mask, const LiveMask* base, size_t rows) {
  if (!mask) {
    mask = base != nullptr ? std::make_shared<LiveMask>(*base) : std::make_shared<LiveMask>(rows);
  } else if (mask.use_count() > 1) {
    mask = std::make_shared<LiveMask>(*mask);
  }
  return *mask;
}

}  // namespace

size_t DedupIndex::KeyHash::operator()(const Key& key) const {
  return static_cast<size_t>(mix(static_cast<uint64_t>(key.time_ns) ^
                                 (static_cast<uint64_t>(key.series) << 32 | key.series)));
}

size_t DedupIndex::PairHash::operator()(uint64_t pair) const {
  return static_cast<size_t>(mix(pair));
}

std::vector<const storage::Column*> DedupIndex::key_columns_of(const LoadedBlock& block) const {
  std::vector<const storage::Column*> columns;
  for (const std::string& name : key_columns_) {
    const storage::Column* column = block.find(name);
    columns.push_back(column != nullptr && column->type == storage::ColumnType::kString ? column
                                                                                        : nullptr);
  }
  return columns;
}

void DedupIndex::intern_dictionary(size_t k, const storage::Column& column,
                                   std::vector<uint32_t>& code_ids) {
  for (size_t code = code_ids.size(); code < column.dictionary.size(); ++code) {
    auto [it, inserted] = tag_ids_[k].try_emplace(column.dictionary[code],
                                                  static_cast<uint32_t>(tag_ids_[k].size() + 1));
    code_ids.push_back(it->second);
  }
}

std::vector<uint32_t> DedupIndex::series_of_rows(
    const LoadedBlock& block, size_t begin, const std::vector<const storage::Column*>& columns,
    const std::vector<std::vector<uint32_t>>& code_ids) {
  std::vector<uint32_t> series(block.row_count() - begin, 0);
  for (size_t k = 0; k < columns.size(); ++k) {
    const storage::Column* column = columns[k];
    auto id_at = [&](size_t row) -> uint32_t {
      return column == nullptr || !column->is_valid(row) ? 0 : code_ids[k][column->codes[row]];
    };
    for (size_t i = 0; i < series.size(); ++i) {
      const uint32_t id = id_at(begin + i);
      if (k == 0) {
        series[i] = id;
        continue;
      }
      const uint64_t pair = static_cast<uint64_t>(series[i]) << 32 | id;
      series[i] = *series_ids_.try_emplace(pair, static_cast<uint32_t>(series_ids_.size())).first;
    }
  }
  return series;
}

void DedupIndex::add(const LoadedBlock& block) {
  head_ = HeadState{};  // the rows of the head so far are this block's
  const auto b = static_cast<uint32_t>(masks_.size());
  masks_.emplace_back();
  row_counts_.push_back(block.row_count());
  const std::vector<const storage::Column*> columns = key_columns_of(block);
  std::vector<std::vector<uint32_t>> code_ids(columns.size());
  for (size_t k = 0; k < columns.size(); ++k) {
    if (columns[k] != nullptr) intern_dictionary(k, *columns[k], code_ids[k]);
  }
  const std::vector<uint32_t> series = series_of_rows(block, 0, columns, code_ids);
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
    writable(masks_[location->block], nullptr, row_counts_[location->block]).kill(location->row);
    *location = here;
  }
}

bool DedupIndex::extend(HeadState& state, const LoadedBlock& head) {
  const size_t rows = head.row_count();
  const std::vector<const storage::Column*> columns = key_columns_of(head);
  state.code_ids.resize(columns.size());
  state.last_values.resize(columns.size());
  for (size_t k = 0; k < columns.size(); ++k) {
    const std::vector<uint32_t>& known = state.code_ids[k];
    if (known.empty()) continue;
    if (columns[k] == nullptr || columns[k]->dictionary.size() < known.size() ||
        columns[k]->dictionary[known.size() - 1] != state.last_values[k]) {
      return false;
    }
  }
  if (rows < state.rows) return false;
  if (rows == state.rows) return true;
  for (size_t k = 0; k < columns.size(); ++k) {
    if (columns[k] == nullptr) continue;
    intern_dictionary(k, *columns[k], state.code_ids[k]);
    if (!columns[k]->dictionary.empty()) state.last_values[k] = columns[k]->dictionary.back();
  }
  const std::vector<uint32_t> series = series_of_rows(head, state.rows, columns, state.code_ids);
  const auto head_block = static_cast<uint32_t>(masks_.size());
  state.overlay.resize(masks_.size());
  if (state.mask) {
    LiveMask& mask = writable(state.mask, nullptr, 0);
    mask.append_live(rows - mask.rows().size());
  }
  state.latest.reserve(rows);
  const std::vector<int64_t>& times = head.time_ns();
  for (size_t i = 0; i < series.size(); ++i) {
    if (i + kPrefetchRows < series.size()) {
      latest_.prefetch(Key{times[state.rows + i + kPrefetchRows], series[i + kPrefetchRows]});
    }
    const Key key{times[state.rows + i], series[i]};
    const Location here{head_block, static_cast<uint32_t>(state.rows + i)};
    auto [location, inserted] = state.latest.try_emplace(key, here);
    if (!inserted) {
      writable(state.mask, nullptr, rows).kill(location->row);
      *location = here;
    } else if (const Location* old = latest_.find(key)) {
      writable(state.overlay[old->block], masks_[old->block].get(), row_counts_[old->block])
          .kill(old->row);
    }
  }
  state.rows = rows;
  return true;
}

std::vector<LiveRows> DedupIndex::masks_with(const HeadState& state) const {
  std::vector<LiveRows> result(masks_.begin(), masks_.end());
  for (size_t b = 0; b < state.overlay.size(); ++b) {
    if (state.overlay[b]) result[b] = state.overlay[b];
  }
  result.push_back(state.mask);
  return result;
}

std::vector<LiveRows> DedupIndex::live_rows(const LoadedBlock* head) {
  if (head == nullptr) return {masks_.begin(), masks_.end()};  // no head: nothing it replaces
  if (extend(head_, *head)) return masks_with(head_);
  HeadState apart;
  extend(apart, *head);
  return masks_with(apart);
}

}  // namespace tessera::engine
