#include "engine/schema_on_write.h"

#include <algorithm>

#include "storage/segment/segment_format.h"

namespace tessera::engine {

TableSchema default_schema(const std::string& table) {
  TableSchema schema;
  schema.name = table;
  schema.columns.push_back({"time", ColumnKind::kTime, storage::ColumnType::kInt64});
  return schema;
}

namespace {

std::string describe(const ColumnDef& def) {
  if (def.kind == ColumnKind::kTag) return "a tag";
  return "a " + std::string(storage::column_type_name(def.type)) + " field";
}

// The tenant column and the dedup key are tags even before a line creates them.
bool is_key_tag(const TableSchema& schema, const std::string& column) {
  const TableOptions& o = schema.options;
  return (o.tenant_column && *o.tenant_column == column) ||
         std::find(o.dedup_columns.begin(), o.dedup_columns.end(), column) != o.dedup_columns.end();
}

}  // namespace

Status check_tenant_scope(const TableSchema& schema, const ParsedLine& line,
                          const std::optional<std::string>& tenant_scope) {
  if (!tenant_scope) return Status::ok();
  if (!schema.options.tenant_column) {
    return make_error(ErrorCode::kPermissionDenied,
                      "table \"" + schema.name +
                          "\" has no tenant column; a tenant-scoped writer cannot write it");
  }
  const std::string& tenant_column = *schema.options.tenant_column;
  auto tag = std::find_if(line.tags.begin(), line.tags.end(),
                          [&](const auto& kv) { return kv.first == tenant_column; });
  if (tag == line.tags.end()) {
    return make_error(ErrorCode::kPermissionDenied,
                      "tenant tag \"" + tenant_column + "\" is missing");
  }
  if (tag->second != *tenant_scope) {
    return make_error(ErrorCode::kPermissionDenied,
                      "tenant \"" + tag->second + "\" is not this writer's tenant");
  }
  return Status::ok();
}

Result<std::vector<ColumnDef>> admit_line(const TableSchema& schema, const ParsedLine& line,
                                          const std::optional<std::string>& tenant_scope,
                                          size_t max_columns) {
  std::vector<size_t> hints;
  return admit_line(schema, line, tenant_scope, max_columns, hints);
}

Result<std::vector<ColumnDef>> admit_line(const TableSchema& schema, const ParsedLine& line,
                                          const std::optional<std::string>& tenant_scope,
                                          size_t max_columns, std::vector<size_t>& hints) {
  TESSERA_RETURN_IF_ERROR(check_tenant_scope(schema, line, tenant_scope));
  if (hints.size() < line.tags.size() + line.fields.size()) {
    hints.resize(line.tags.size() + line.fields.size(), 0);
  }
  size_t position = 0;
  std::vector<ColumnDef> added;
  for (const auto& [key, value] : line.tags) {
    const ColumnDef* existing = schema.find(key, hints[position++]);
    if (existing == nullptr) {
      added.push_back({key, ColumnKind::kTag, storage::ColumnType::kString});
    } else if (existing->kind != ColumnKind::kTag) {
      return make_error(ErrorCode::kTypeMismatch, "tag \"" + key + "\": column is " +
                                                      describe(*existing) + " of table \"" +
                                                      schema.name + "\"");
    }
  }
  for (const ParsedField& field : line.fields) {
    if (is_key_tag(schema, field.key)) {
      return make_error(
          ErrorCode::kTypeMismatch,
          "field \"" + field.key + "\": column is a tag (a key) of table \"" + schema.name + "\"");
    }
    const ColumnDef* existing = schema.find(field.key, hints[position++]);
    if (existing == nullptr) {
      added.push_back({field.key, ColumnKind::kField, field.type});
      continue;
    }
    bool fits = existing->kind == ColumnKind::kField &&
                (existing->type == field.type || (existing->type == storage::ColumnType::kFloat64 &&
                                                  field.type == storage::ColumnType::kInt64));
    if (!fits) {
      return make_error(ErrorCode::kTypeMismatch,
                        "field \"" + field.key + "\": column is " + describe(*existing) +
                            " of table \"" + schema.name + "\", got " +
                            std::string(storage::column_type_name(field.type)));
    }
  }
  // New columns are checked last, so a line's first error stays the one it had.
  for (const ColumnDef& def : added) {
    if (def.name.size() > storage::segment_format::kMaxColumnNameBytes) {
      return make_error(ErrorCode::kLimitExceeded,
                        "table \"" + schema.name + "\": column name of " +
                            std::to_string(def.name.size()) + " bytes exceeds the limit of " +
                            std::to_string(storage::segment_format::kMaxColumnNameBytes) +
                            " bytes");
    }
  }
  if (!added.empty() && schema.columns.size() + added.size() > max_columns) {
    return make_error(ErrorCode::kLimitExceeded,
                      "table \"" + schema.name + "\": the line would make " +
                          std::to_string(schema.columns.size() + added.size()) +
                          " columns, over the limit of " + std::to_string(max_columns) +
                          " columns per table; line not written");
  }
  return added;
}

}  // namespace tessera::engine
