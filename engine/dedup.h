// Latest-write-wins deduplication at read time: which rows of a partition's blocks
// a later write of the same key (dedup tags + time) replaced.
#pragma once

#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "engine/loaded_block.h"
#include "engine/open_addressing_map.h"

namespace tessera::engine {

using LiveRows = std::shared_ptr<const std::vector<uint8_t>>;

// An index of one partition's keys, built incrementally as blocks are sealed, so a
// snapshot only has to probe the rows written since (the head). Not thread-safe:
// the engine guards each index with a mutex.
class DedupIndex {
 public:
  explicit DedupIndex(std::vector<std::string> key_columns)
      : key_columns_(std::move(key_columns)), tag_ids_(key_columns_.size()) {}

  size_t block_count() const { return masks_.size(); }
  // Room for keys of `rows` rows in all, so that adding up to that many grows nothing.
  void reserve(size_t rows) { latest_.reserve(rows); }
  // Adds the next block in write order; rows with a key seen before replace the
  // earlier ones. `block` needs its time column and the key columns only.
  void add(const LoadedBlock& block);
  // Masks for the added blocks followed by `tail` (later blocks that are not added):
  // one per block, live_rows[i] == 0 when a later row has the same key, or null when
  // every row of that block is live. A mask handed out is never modified afterwards.
  std::vector<LiveRows> live_rows(const std::vector<LoadedBlock>& tail);

 private:
  struct Location {
    uint32_t block;
    uint32_t row;
    bool operator==(const Location&) const = default;
  };
  // A row's key: its series (the interned tuple of key tags) and its time.
  struct Key {
    int64_t time_ns;
    uint32_t series;
    bool operator==(const Key&) const = default;
  };
  struct KeyHash {
    size_t operator()(const Key& key) const;
  };
  struct PairHash {
    size_t operator()(uint64_t pair) const;
  };
  // No block of a partition is numbered this, nor is any series.
  static constexpr uint32_t kNoId = UINT32_MAX;
  using KeyMap = OpenAddressingMap<Key, Location, KeyHash>;
  using PairIds = OpenAddressingMap<uint64_t, uint32_t, PairHash>;
  static KeyMap make_key_map() { return KeyMap(Location{kNoId, kNoId}); }

  // The series of each row of `block`: its key tags interned to ids (NULL is id 0,
  // NULLs match), then the id tuple interned to a series number pair by pair: the
  // first two ids to a number, that number and the third id to the next, and so on.
  std::vector<uint32_t> series_of_rows(const LoadedBlock& block);
  // The mask of added block `b`, ready to be modified: cloned if a snapshot holds it.
  std::vector<uint8_t>& writable_mask(uint32_t b);

  std::vector<std::string> key_columns_;
  std::vector<std::unordered_map<std::string, uint32_t>> tag_ids_;  // per key column
  // (a series, the next key column's id) -> the series of the longer tuple. Each
  // pair gets a number of its own, so equal tuples, and only they, reach equal series.
  PairIds series_ids_ = PairIds(kNoId);
  KeyMap latest_ = make_key_map();
  std::vector<std::shared_ptr<std::vector<uint8_t>>> masks_;  // per added block, null: all live
  std::vector<size_t> row_counts_;
};

}  // namespace tessera::engine
