#include "engine/block_builder.h"

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

BlockBuilder::ColumnBuilder& BlockBuilder::column_for_append(std::string_view name,
                                                             ColumnType type) {
  auto it = index_.find(std::string(name));
  size_t slot;
  if (it == index_.end()) {
    slot = columns_.size();
    index_.emplace(std::string(name), slot);
    names_.emplace_back(name);
    columns_.emplace_back();
    columns_.back().column.type = type;
  } else {
    slot = it->second;
  }
  Column& column = columns_[slot].column;
  // Requires: the engine's schema check made the value's type match the column's.
  assert(column.type == type);
  pad_to(column, time_ns_.size() - 1);
  if (!column.valid.empty()) column.valid.push_back(1);
  return columns_[slot];
}

void BlockBuilder::set_string(std::string_view name, std::string_view value) {
  ColumnBuilder& builder = column_for_append(name, ColumnType::kString);
  Column& column = builder.column;
  auto [it, inserted] = builder.codes.try_emplace(std::string(value),
                                                  static_cast<uint32_t>(column.dictionary.size()));
  if (inserted) column.dictionary.emplace_back(value);
  column.codes.push_back(it->second);
}

void BlockBuilder::set_int(std::string_view name, int64_t value) {
  column_for_append(name, ColumnType::kInt64).column.ints.push_back(value);
}

void BlockBuilder::set_float(std::string_view name, double value) {
  column_for_append(name, ColumnType::kFloat64).column.floats.push_back(value);
}

void BlockBuilder::set_bool(std::string_view name, bool value) {
  column_for_append(name, ColumnType::kBool).column.bools.push_back(value ? 1 : 0);
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
  *this = BlockBuilder();
  return block;
}

}  // namespace tessera::engine
