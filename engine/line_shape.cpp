#include "engine/line_shape.h"

#include <cassert>
#include <cstring>

#include "storage/base/little_endian.h"

namespace tessera::engine {

namespace {

// a == b for keys, which are mostly under 16 bytes: such keys are compared through
// fixed-size loads (overlapping at the end), which the compiler inlines, instead of
// a call to memcmp per key.
bool same_key(const std::string& a, const std::string& b) {
  const size_t n = a.size();
  if (n != b.size()) return false;
  const char* x = a.data();
  const char* y = b.data();
  using storage::load_u32;
  using storage::load_u64;
  if (n > 16) return std::memcmp(x, y, n) == 0;
  if (n >= 8) return load_u64(x) == load_u64(y) && load_u64(x + n - 8) == load_u64(y + n - 8);
  if (n >= 4) return load_u32(x) == load_u32(y) && load_u32(x + n - 4) == load_u32(y + n - 4);
  for (size_t i = 0; i < n; ++i) {
    if (x[i] != y[i]) return false;
  }
  return true;
}

}  // namespace

bool has_same_shape(const ParsedLine& line, const ParsedLine& example) {
  if (line.tags.size() != example.tags.size() || line.fields.size() != example.fields.size() ||
      !same_key(line.measurement, example.measurement)) {
    return false;
  }
  for (size_t i = 0; i < line.tags.size(); ++i) {
    if (!same_key(line.tags[i].first, example.tags[i].first)) return false;
  }
  for (size_t i = 0; i < line.fields.size(); ++i) {
    const ParsedField& field = line.fields[i];
    if (field.type != example.fields[i].type || !same_key(field.key, example.fields[i].key)) {
      return false;
    }
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
