// TagValueIds: stable ids for the values of each tag column, shared by every block
// of a database, so that a query grouping by a tag finds a block's groups by
// indexing with these ids instead of hashing the block's dictionary strings: a week
// of `GROUP BY entity_id` folds 16,000 dictionary entries in 400 blocks, and
// hashing them was a third of the query. A block's ids are assigned once and kept
// with its cached run statistics. Thread-safe.
//
// Ids are dense per column name (tables sharing a column name share its ids) and
// never freed: a column stops getting ids at kMaxIdsPerColumn values (by default),
// after which its blocks have none and queries hash their strings as before. That
// bounds the memory a tag of ever-new values (a request id) can hold here.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <span>
#include <string>
#include <vector>

#include "storage/block/string_code_index.h"

namespace tessera::engine {

class TagValueIds {
 public:
  static constexpr size_t kMaxIdsPerColumn = size_t{1} << 20;

  explicit TagValueIds(size_t max_ids_per_column = kMaxIdsPerColumn)
      : max_ids_per_column_(max_ids_per_column) {}

  // The id of each value of `dictionary` among column `column`'s values, new ids
  // (the next unused, from 0) for values not seen before; empty when they might
  // take the column past max_ids_per_column (then no id is assigned).
  std::vector<uint32_t> ids_of(const std::string& column, std::span<const std::string> dictionary);

 private:
  struct ColumnIds {
    std::vector<std::string> values;  // by id
    storage::StringCodeIndex index;
  };
  const size_t max_ids_per_column_;
  std::mutex mu_;
  std::map<std::string, ColumnIds, std::less<>> columns_;
};

}  // namespace tessera::engine
