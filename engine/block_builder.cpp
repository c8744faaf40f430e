#include "engine/block_builder.h"

#include <algorithm>
#include <cassert>

namespace tessera::engine {

using storage::Column;
using storage::ColumnType;

void BlockBuilder::begin_row(int64_t time_ns) { time_ns_.push_back(time_ns); }

void BlockBuilder::pad_to(Column& column, size_t rows) {
  size_t n = column.size();
  if (n >= rows) return;
  // The first NULL materialises the validity vector: every earlier row was valid.
  if (column.valid.empty()) column.valid.assign(n, 1);
  column.valid.resize(rows, 0);
  switch (column.type) {
    case ColumnType::kInt64:
      column.ints.resize(rows, 0);
      break;
    case ColumnType::kFloat64:
      column.floats.resize(rows, 0.0);
      break;
    case ColumnType::kBool:
      column.bools.resize(rows, 0);
      break;
    case ColumnType::kString:
      if (column.dictionary.empty()) column.dictionary.emplace_back();
      // NULL rows point at code 0, whatever string it holds; `valid` says they are NULL.
      column.codes.resize(rows, 0);
      break;
  }
}

size_t BlockBuilder::slot_of(std::string_view name, ColumnType type) {
  if (auto it = index_.find(name); it != index_.end()) return it->second;
  const size_t slot = columns_.size();
  index_.emplace(std::string(name), slot);
  names_.emplace_back(name);
  columns_.emplace_back();
  columns_.back().column.type = type;
  return slot;
}

BlockBuilder::ColumnBuilder& BlockBuilder::column_for_append(size_t slot,
                                                             [[maybe_unused]] ColumnType type) {
  Column& column = columns_[slot].column;
  // Requires: the engine's schema check made the value's type match the column's.
  assert(column.type == type);
  pad_to(column, time_ns_.size() - 1);
  if (!column.valid.empty()) column.valid.push_back(1);
  return columns_[slot];
}

void BlockBuilder::set_string(std::string_view name, std::string_view value) {
  set_string_at(slot_of(name, ColumnType::kString), value);
}

void BlockBuilder::set_int(std::string_view name, int64_t value) {
  set_int_at(slot_of(name, ColumnType::kInt64), value);
}

void BlockBuilder::set_float(std::string_view name, double value) {
  set_float_at(slot_of(name, ColumnType::kFloat64), value);
}

void BlockBuilder::set_bool(std::string_view name, bool value) {
  set_bool_at(slot_of(name, ColumnType::kBool), value);
}

void BlockBuilder::set_string_at(size_t slot, std::string_view value) {
  ColumnBuilder& builder = column_for_append(slot, ColumnType::kString);
  builder.column.codes.push_back(code_for(builder, value));
}

void BlockBuilder::set_int_at(size_t slot, int64_t value) {
  column_for_append(slot, ColumnType::kInt64).column.ints.push_back(value);
}

void BlockBuilder::set_float_at(size_t slot, double value) {
  column_for_append(slot, ColumnType::kFloat64).column.floats.push_back(value);
}

void BlockBuilder::set_bool_at(size_t slot, bool value) {
  column_for_append(slot, ColumnType::kBool).column.bools.push_back(value ? 1 : 0);
}

uint32_t BlockBuilder::code_for(ColumnBuilder& builder, std::string_view value) {
  Column& column = builder.column;
  uint32_t code = builder.last_code;
  if (code == kNoCode || column.dictionary[code] != value) {
    code = builder.codes.find_or_append(column.dictionary, value);
    builder.last_code = code;
  }
  return code;
}

void BlockBuilder::append_rows(const storage::Block& rows, size_t begin, size_t end) {
  time_ns_.insert(time_ns_.end(), rows.time_ns.begin() + static_cast<ptrdiff_t>(begin),
                  rows.time_ns.begin() + static_cast<ptrdiff_t>(end));
  for (size_t c = 0; c < rows.columns.size(); ++c) {
    const Column& from = rows.columns[c];
    if (!from.valid.empty() && std::none_of(from.valid.begin() + static_cast<ptrdiff_t>(begin),
                                            from.valid.begin() + static_cast<ptrdiff_t>(end),
                                            [](uint8_t v) { return v != 0; })) {
      continue;
    }
    append_column(columns_[slot_of(rows.column_names[c], from.type)], from, begin, end);
  }
}

void BlockBuilder::append_column(ColumnBuilder& to, const Column& from, size_t begin, size_t end) {
  Column& column = to.column;
  assert(column.type == from.type);
  const size_t first_row = time_ns_.size() - (end - begin);
  pad_to(column, first_row);
  if (!from.valid.empty()) {
    // Rare (a column some rows lack): row by row, NULLs padded as set_*() would leave them.
    for (size_t row = begin; row < end; ++row) {
      if (from.valid[row] == 0) {
        pad_to(column, first_row + (row - begin) + 1);
        continue;
      }
      if (!column.valid.empty()) column.valid.push_back(1);
      switch (column.type) {
        case ColumnType::kInt64:
          column.ints.push_back(from.ints[row]);
          break;
        case ColumnType::kFloat64:
          column.floats.push_back(from.floats[row]);
          break;
        case ColumnType::kBool:
          column.bools.push_back(from.bools[row]);
          break;
        case ColumnType::kString:
          column.codes.push_back(code_for(to, from.string_at(row)));
          break;
      }
    }
    return;
  }
  if (!column.valid.empty()) column.valid.resize(column.valid.size() + (end - begin), 1);
  auto append_range = [&](auto& out, const auto& in) {
    out.insert(out.end(), in.begin() + static_cast<ptrdiff_t>(begin),
               in.begin() + static_cast<ptrdiff_t>(end));
  };
  switch (column.type) {
    case ColumnType::kInt64:
      append_range(column.ints, from.ints);
      break;
    case ColumnType::kFloat64:
      append_range(column.floats, from.floats);
      break;
    case ColumnType::kBool:
      append_range(column.bools, from.bools);
      break;
    case ColumnType::kString: {
      // Codes of `from` mapped to codes here on first use, so that the dictionary
      // gains exactly the values the appended rows hold, in order of appearance.
      std::vector<uint32_t> code_map(from.dictionary.size(), kNoCode);
      column.codes.reserve(column.codes.size() + (end - begin));
      for (size_t row = begin; row < end; ++row) {
        uint32_t& code = code_map[from.codes[row]];
        if (code == kNoCode) code = code_for(to, from.dictionary[from.codes[row]]);
        column.codes.push_back(code);
      }
      break;
    }
  }
}

storage::Block BlockBuilder::snapshot() const {
  storage::Block block;
  block.time_ns = time_ns_;
  block.column_names = names_;
  block.columns.reserve(columns_.size());
  for (const ColumnBuilder& builder : columns_) {
    block.columns.push_back(builder.column);
    pad_to(block.columns.back(), time_ns_.size());
  }
  return block;
}

storage::Block BlockBuilder::take() {
  storage::Block block;
  block.time_ns = std::move(time_ns_);
  block.column_names = std::move(names_);
  block.columns.reserve(columns_.size());
  for (ColumnBuilder& builder : columns_) {
    block.columns.push_back(std::move(builder.column));
    pad_to(block.columns.back(), block.time_ns.size());
  }
  const uint64_t takes = takes_ + 1;
  *this = BlockBuilder();
  takes_ = takes;
  return block;
}

}  // namespace tessera::engine
