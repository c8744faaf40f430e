// LoadedBlock: the decoded columns of one block that a reader asked for. Each
// column is shared (not copied) with whatever holds it: the block cache, which
// keeps segment blocks column by column, or an in-memory block. A query reading
// 3 of 13 columns decodes and holds 3, and sees only those 3.
#pragma once

#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "storage/block/column.h"

namespace tessera::engine {

class LoadedBlock {
 public:
  struct NamedColumn {
    std::string name;
    std::shared_ptr<const storage::Column> column;
  };

  // Requires: every column has time->size() rows.
  LoadedBlock(std::shared_ptr<const std::vector<int64_t>> time, std::vector<NamedColumn> columns)
      : time_(std::move(time)), row_count_(time_->size()), columns_(std::move(columns)) {}
  // Without the time column (a reader that does not need it). Requires: every
  // column has `row_count` rows.
  LoadedBlock(size_t row_count, std::vector<NamedColumn> columns)
      : row_count_(row_count), columns_(std::move(columns)) {}

  // The time column and the columns of `block` named in `names`, sharing its memory.
  static LoadedBlock project(const std::shared_ptr<const storage::Block>& block,
                             std::span<const std::string> names);

  size_t row_count() const { return row_count_; }
  bool has_time() const { return time_ != nullptr; }
  // Requires: has_time().
  const std::vector<int64_t>& time_ns() const { return *time_; }
  // The column named `name`, or nullptr when the block has none or it was not
  // loaded: every row NULL.
  const storage::Column* find(std::string_view name) const;

 private:
  std::shared_ptr<const std::vector<int64_t>> time_;  // null: not loaded
  size_t row_count_ = 0;
  std::vector<NamedColumn> columns_;
};

}  // namespace tessera::engine
