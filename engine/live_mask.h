// LiveMask: which rows of one block read-time dedup (engine/dedup.h) keeps, and the
// statistics of those rows that queries computed, kept as long as the mask is. A
// partition being written hands every snapshot the same mask object for a block
// until a later row replaces one of its rows, so a whole-table rollup folds such a
// block from these statistics, computed once, instead of scanning it each time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "storage/block/column.h"

namespace tessera::engine {

class LiveMask {
 public:
  // `rows` live ones.
  explicit LiveMask(size_t rows) : rows_(rows, 1), live_count_(rows) {}
  // rows[i] != 0: row i is live.
  explicit LiveMask(std::vector<uint8_t> rows);
  // The same rows, without the statistics: the copy is about to change.
  LiveMask(const LiveMask& other) : rows_(other.rows_), live_count_(other.live_count_) {}
  LiveMask& operator=(const LiveMask&) = delete;

  // rows()[i] == 0 when row i was replaced by a later write.
  const std::vector<uint8_t>& rows() const { return rows_; }
  size_t live_count() const { return live_count_; }

  // Changes, for the dedup index alone, on a mask no snapshot holds: they drop the
  // statistics kept so far.
  void kill(size_t row);
  void append_live(size_t rows);  // a head's mask, for the rows appended to the head

  // The statistics of the live rows of the block's column `name`, if a query kept them.
  std::shared_ptr<const storage::ColumnStats> find_stats(std::string_view name) const;
  // Keeps `stats` (the live rows' statistics of column `name`) for later queries.
  void keep_stats(const std::string& name, std::shared_ptr<const storage::ColumnStats> stats) const;

 private:
  std::vector<uint8_t> rows_;
  size_t live_count_;
  // Queries on several threads read and fill this at once.
  mutable std::mutex mu_;
  mutable std::map<std::string, std::shared_ptr<const storage::ColumnStats>, std::less<>> stats_;
};

using LiveRows = std::shared_ptr<const LiveMask>;

}  // namespace tessera::engine
