#include "engine/table_schema.h"

#include <algorithm>
#include <string>

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

const ColumnDef* TableSchema::find(std::string_view column, size_t& hint) const {
  // Column names are unique: a hint that matches is the only match.
  if (hint < columns.size() && columns[hint].name == column) return &columns[hint];
  for (size_t i = 0; i < columns.size(); ++i) {
    if (columns[i].name == column) {
      hint = i;
      return &columns[i];
    }
  }
  return nullptr;
}

Status check_table_definition(const TableSchema& schema, size_t max_columns) {
  const TableOptions& o = schema.options;
  std::vector<std::string> key_tags = o.dedup_columns;
  if (o.tenant_column) key_tags.push_back(*o.tenant_column);
  for (const std::string& tag : key_tags) {
    const ColumnDef* def = schema.find(tag);
    if (def != nullptr && def->kind != ColumnKind::kTag) {
      return make_error(
          ErrorCode::kInvalidInput,
          "column \"" + tag + "\" must be a TAG: it is the tenant column or part of the dedup key");
    }
  }
  if (o.tenant_column && schema.has_dedup() &&
      std::find(o.dedup_columns.begin(), o.dedup_columns.end(), *o.tenant_column) ==
          o.dedup_columns.end()) {
    return make_error(ErrorCode::kInvalidInput,
                      "table \"" + schema.name +
                          "\": the dedup key must include the tenant column \"" + *o.tenant_column +
                          "\" (otherwise one tenant's rows could replace another's); add it, or "
                          "declare tenant = none");
  }
  if (schema.columns.size() > max_columns) {
    return make_error(ErrorCode::kLimitExceeded,
                      "table \"" + schema.name + "\": " + std::to_string(schema.columns.size()) +
                          " columns exceed the limit of " + std::to_string(max_columns) +
                          " columns per table");
  }
  return Status::ok();
}

}  // namespace tessera::engine
