#include "engine/table_schema.h"

namespace tessera::engine {

std::string_view column_kind_name(ColumnKind kind) {
  switch (kind) {
    case ColumnKind::kTime:
      return "time";
    case ColumnKind::kTag:
      return "tag";
    case ColumnKind::kField:
      return "field";
  }
  return "field";
}

const ColumnDef* TableSchema::find(std::string_view column) const {
  for (const ColumnDef& def : columns) {
    if (def.name == column) return &def;
  }
  return nullptr;
}

}  // namespace tessera::engine
