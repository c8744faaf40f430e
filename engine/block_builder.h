// BlockBuilder: accumulates rows of one table partition, column by column, into a
// storage::Block. Columns appear as rows mention them; earlier rows read NULL there.
// Not thread-safe: the engine guards each builder with its write mutex.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "engine/line_protocol/parsed_line.h"
#include "storage/block/column.h"

namespace tessera::engine {

class BlockBuilder {
 public:
  size_t row_count() const { return time_ns_.size(); }

  // Starts a row at `time_ns`; set_*() calls then fill its columns. Columns not
  // set for this row read NULL.
  void begin_row(int64_t time_ns);
  void set_string(std::string_view column, std::string_view value);
  void set_int(std::string_view column, int64_t value);
  void set_float(std::string_view column, double value);
  void set_bool(std::string_view column, bool value);

  // A copy of the rows so far, every column padded to row_count().
  storage::Block snapshot() const;
  // Moves the rows out (as snapshot() would return them) and resets the builder.
  storage::Block take();

 private:
  struct ColumnBuilder {
    storage::Column column;
    std::unordered_map<std::string, uint32_t> codes;  // kString: value -> dictionary code
  };
  // The builder of column `name`, padded with NULLs up to the current row and
  // marked valid there, ready for the current row's value to be pushed.
  ColumnBuilder& column_for_append(std::string_view name, storage::ColumnType type);
  static void pad_to(storage::Column& column, size_t rows);

  std::vector<int64_t> time_ns_;
  std::vector<std::string> names_;
  std::vector<ColumnBuilder> columns_;
  std::unordered_map<std::string, size_t> index_;
};

}  // namespace tessera::engine
