// Schema on write: whether a parsed line fits its table, and which columns it adds.
// Pure functions over a schema; the engine applies the outcome under its write lock.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "engine/line_protocol/parsed_line.h"
#include "engine/table_schema.h"
#include "storage/base/status.h"

namespace tessera::engine {

// The schema a table gets when its first line creates it: time plus default options.
TableSchema default_schema(const std::string& table);

// kPermissionDenied unless `line` is the writer's tenant's: without a scope every line
// is; with one, the table must have a tenant column and the line's tag there must
// equal the scope. Part of admit_line(), for lines admitted by shape.
Status check_tenant_scope(const TableSchema& schema, const ParsedLine& line,
                          const std::optional<std::string>& tenant_scope);

// Checks `line` against `schema` (types, tag/field kinds, the writer's tenant scope,
// the column limits) and returns the columns it would add, in line order.
// kTypeMismatch for a type conflict (an integer into a FLOAT field is allowed),
// kPermissionDenied for another tenant's line, kLimitExceeded when the table would
// have more than `max_columns` columns or a new column's name is longer than a
// segment file holds (storage/segment/segment_format.h). Messages name the table and
// column.
Result<std::vector<ColumnDef>> admit_line(const TableSchema& schema, const ParsedLine& line,
                                          const std::optional<std::string>& tenant_scope,
                                          size_t max_columns);

// As above, with one TableSchema::find() hint per key position (tags, then fields),
// kept by the caller from line to line; the result is the same, found faster when
// lines repeat the previous line's keys. `hints` grows as needed.
Result<std::vector<ColumnDef>> admit_line(const TableSchema& schema, const ParsedLine& line,
                                          const std::optional<std::string>& tenant_scope,
                                          size_t max_columns, std::vector<size_t>& hints);

}  // namespace tessera::engine
