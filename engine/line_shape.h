// LineShape: a line's keys resolved to its table's columns. A writer's consecutive
// lines almost always repeat the previous line's shape (the same table, the same tag
// and field keys in the same order, the same field types), so a write batch checks and
// resolves column names once per shape instead of once per line.
#pragma once

#include <cstdint>
#include <vector>

#include "engine/line_protocol/parsed_line.h"
#include "engine/table_schema.h"

namespace tessera::engine {

struct LineShape {
  // The line the shape was made from; lines compare their keys against it.
  const ParsedLine* example = nullptr;
  // The schema column of each tag, then of each field, in line order.
  std::vector<uint32_t> columns;
};

// True when `line` has `example`'s measurement, tag keys and field keys in the same
// order, and fields of the same types: what schema-on-write admission looks at,
// except tag values (the tenant) and the timestamp.
bool has_same_shape(const ParsedLine& line, const ParsedLine& example);

// The shape of `line` in `schema`. Requires: every key of `line` is a column of
// `schema` (the line was admitted against it).
LineShape shape_of(const ParsedLine& line, const TableSchema& schema);

}  // namespace tessera::engine
