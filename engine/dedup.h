// Latest-write-wins deduplication at read time: which rows of a partition's blocks
// a later write of the same key (dedup tags + time) replaced.
#pragma once

#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "engine/live_mask.h"
#include "engine/loaded_block.h"
#include "engine/open_addressing_map.h"

namespace tessera::engine {

// An index of one partition's keys, built incrementally as blocks are sealed, so a
// snapshot only has to probe the rows written since (the head). What the head's rows
// replace is kept too, so that the next snapshot probes only the rows appended to the
// head since the last one, and gets the same mask objects for blocks the new rows
// leave alone. Not thread-safe: the engine guards each index with a mutex.
class DedupIndex {
 public:
  explicit DedupIndex(std::vector<std::string> key_columns)
      : key_columns_(std::move(key_columns)), tag_ids_(key_columns_.size()) {}

  // Room for keys of `rows` rows in all, so that adding up to that many grows nothing.
  void reserve(size_t rows) { latest_.reserve(rows); }
  // Adds the next block in write order; rows with a key seen before replace the
  // earlier ones. `block` needs its time column and the key columns only. Starts a
  // new head: the rows of the last one are in this block.
  void add(const LoadedBlock& block);
  // Masks for the added blocks followed, when `head` is given, by one for it: the
  // rows written after the added blocks, which only grow by appending until the next
  // add(). One mask per block, rows()[i] == 0 when a later row has the same key, or
  // null when every row of that block is live. A mask handed out is never modified
  // afterwards. A head shorter than the last one seen (a snapshot taken before the
  // last one, arriving after it) is answered without the kept state.
  std::vector<LiveRows> live_rows(const LoadedBlock* head);

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

  // The interned id (NULL is 0) of each dictionary code of key column `k`, extended
  // from code_ids.size() to the whole dictionary: a block's dictionary is interned
  // once, a head's only as it grows.
  void intern_dictionary(size_t k, const storage::Column& column, std::vector<uint32_t>& code_ids);
  // The series of rows [begin, row_count) of `block`, given its key columns (null:
  // absent, every row NULL) and their code ids: the key tags' ids interned pair by
  // pair, the first two ids to a number, that number and the third id to the next,
  // and so on.
  std::vector<uint32_t> series_of_rows(const LoadedBlock& block, size_t begin,
                                       const std::vector<const storage::Column*>& columns,
                                       const std::vector<std::vector<uint32_t>>& code_ids);
  // The string key columns of `block` (null where absent or of another type).
  std::vector<const storage::Column*> key_columns_of(const LoadedBlock& block) const;
  using Mask = std::shared_ptr<LiveMask>;
  // What the head's first `rows` rows replace: their keys, and copies of the masks
  // of the added blocks they change (null: as in masks_) and of the head's own.
  struct HeadState {
    KeyMap latest = make_key_map();
    size_t rows = 0;
    std::vector<std::vector<uint32_t>> code_ids;  // per key column
    // Per key column, the last dictionary value interned: a head whose dictionary
    // no longer holds it there is not the one this state describes.
    std::vector<std::string> last_values;
    std::vector<Mask> overlay;  // per added block
    Mask mask;                  // the head's, null: every row live
  };
  // Probes the head's rows from state.rows on and marks what they replace. False,
  // with nothing changed, when `head` does not extend the head `state` describes.
  bool extend(HeadState& state, const LoadedBlock& head);
  // The masks of the added blocks as `state` leaves them, then the head's.
  std::vector<LiveRows> masks_with(const HeadState& state) const;

  std::vector<std::string> key_columns_;
  std::vector<std::unordered_map<std::string, uint32_t>> tag_ids_;  // per key column
  // (a series, the next key column's id) -> the series of the longer tuple. Each
  // pair gets a number of its own, so equal tuples, and only they, reach equal series.
  PairIds series_ids_ = PairIds(kNoId);
  KeyMap latest_ = make_key_map();
  std::vector<Mask> masks_;  // per added block, null: all live
  std::vector<size_t> row_counts_;
  HeadState head_;
};

}  // namespace tessera::engine
