#include "engine/line_shape.h"

#include <cassert>

namespace tessera::engine {

bool has_same_shape(const ParsedLine& line, const ParsedLine& example) {
  if (line.tags.size() != example.tags.size() || line.fields.size() != example.fields.size() ||
      line.measurement != example.measurement) {
    return false;
  }
  for (size_t i = 0; i < line.tags.size(); ++i) {
    if (line.tags[i].first != example.tags[i].first) return false;
  }
  for (size_t i = 0; i < line.fields.size(); ++i) {
    const ParsedField& field = line.fields[i];
    if (field.type != example.fields[i].type || field.key != example.fields[i].key) return false;
  }
  return true;
}

LineShape shape_of(const ParsedLine& line, const TableSchema& schema) {
  LineShape shape;
  shape.example = &line;
  shape.columns.reserve(line.tags.size() + line.fields.size());
  size_t hint = 0;
  auto add = [&](const std::string& key) {
    [[maybe_unused]] const ColumnDef* def = schema.find(key, hint);
    assert(def != nullptr);
    shape.columns.push_back(static_cast<uint32_t>(hint));
    ++hint;  // the next key is most often the next column
  };
  for (const auto& tag : line.tags) add(tag.first);
  for (const ParsedField& field : line.fields) add(field.key);
  return shape;
}

}  // namespace tessera::engine
