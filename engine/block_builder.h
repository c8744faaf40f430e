// BlockBuilder: accumulates rows of one table partition, column by column, into a
// storage::Block. Columns appear as rows mention them; earlier rows read NULL there.
// Not thread-safe: the engine guards each builder with its write mutex.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "engine/line_protocol/parsed_line.h"
#include "storage/block/column.h"
#include "storage/block/string_code_index.h"

namespace tessera::engine {

class BlockBuilder {
 public:
  size_t row_count() const { return time_ns_.size(); }
  // How many times take() emptied the builder. Rows are only appended in between, so
  // (takes(), row_count()) names the rows it holds: a copy taken at the same pair
  // holds the same rows.
  uint64_t takes() const { return takes_; }

  // Starts a row at `time_ns`; set_*() calls then fill its columns. Columns not
  // set for this row read NULL.
  void begin_row(int64_t time_ns);
  void set_string(std::string_view column, std::string_view value);
  void set_int(std::string_view column, int64_t value);
  void set_float(std::string_view column, double value);
  void set_bool(std::string_view column, bool value);
  // The slot of column `name` (added, NULL in every earlier row, when new), for the
  // set_*_at() calls below: they fill the current row without a name lookup. A slot
  // stays valid until take(). Requires: `type` is the column's type if it exists.
  size_t slot_of(std::string_view name, storage::ColumnType type);
  void set_string_at(size_t slot, std::string_view value);
  void set_int_at(size_t slot, int64_t value);
  void set_float_at(size_t slot, double value);
  void set_bool_at(size_t slot, bool value);
  // Appends rows [begin, end) of `rows`, a block built by another BlockBuilder (every
  // column padded to its row count), as if each row had been set here in turn: the
  // same values, NULLs and dictionaries (codes in order of first use), without a name
  // lookup per value. Columns new here are added in `rows`' column order, except one
  // NULL in every appended row, which is not added. Requires: begin <= end <=
  // rows.row_count(), and a column's type here, if it exists, equal to its type there.
  void append_rows(const storage::Block& rows, size_t begin, size_t end);

  // A copy of the rows so far, every column padded to row_count().
  storage::Block snapshot() const;
  // Moves the rows out (as snapshot() would return them) and resets the builder.
  storage::Block take();

 private:
  // Hashes std::string and std::string_view alike, so lookups by view build no string.
  struct StringHash {
    using is_transparent = void;
    size_t operator()(std::string_view text) const { return std::hash<std::string_view>{}(text); }
  };
  template <typename V>
  using StringMap = std::unordered_map<std::string, V, StringHash, std::equal_to<>>;

  static constexpr uint32_t kNoCode = UINT32_MAX;
  struct ColumnBuilder {
    storage::Column column;
    storage::StringCodeIndex codes;  // kString: value -> dictionary code
    // kString: the code of the value set last, tried before `codes`: consecutive rows
    // often repeat a tag value.
    uint32_t last_code = kNoCode;
  };
  // The builder in `slot`, padded with NULLs up to the current row and marked valid
  // there, ready for the current row's value to be pushed.
  ColumnBuilder& column_for_append(size_t slot, storage::ColumnType type);
  // kString: the code of `value` in `builder`'s dictionary, added if new.
  static uint32_t code_for(ColumnBuilder& builder, std::string_view value);
  static void pad_to(storage::Column& column, size_t rows);
  // Appends `from`'s rows [begin, end) to `to`, which holds row_count() - (end - begin)
  // rows or fewer (padded first); string codes go through `to`'s dictionary.
  void append_column(ColumnBuilder& to, const storage::Column& from, size_t begin, size_t end);

  std::vector<int64_t> time_ns_;
  std::vector<std::string> names_;
  std::vector<ColumnBuilder> columns_;
  StringMap<size_t> index_;
  uint64_t takes_ = 0;
};

}  // namespace tessera::engine
