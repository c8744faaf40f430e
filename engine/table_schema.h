// TableSchema: the catalog entry of one table — its columns (time, tags, fields),
// and its options (tenant column, dedup key, partition interval, retention).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "storage/base/status.h"
#include "storage/block/column.h"

namespace tessera::engine {

enum class ColumnKind : uint8_t { kTime = 0, kTag = 1, kField = 2 };

std::string_view column_kind_name(ColumnKind kind);  // "time", "tag", "field"

struct ColumnDef {
  std::string name;
  ColumnKind kind = ColumnKind::kField;
  storage::ColumnType type = storage::ColumnType::kFloat64;  // tags are kString

  bool operator==(const ColumnDef&) const = default;
};

inline constexpr int64_t kNanosPerSecond = 1'000'000'000;
inline constexpr int64_t kNanosPerDay = 86'400 * kNanosPerSecond;

struct TableOptions {
  // The tag that scopes rows to a tenant; nullopt for a table without one (`tenant = none`).
  std::optional<std::string> tenant_column = std::string("tenant");
  // Tag columns that, with `time`, identify a row; a later write of the same key
  // replaces the earlier one. Empty: no dedup. Does not include "time".
  std::vector<std::string> dedup_columns;
  int64_t partition_ns = kNanosPerDay;
  std::optional<int64_t> retention_ns;

  bool operator==(const TableOptions&) const = default;
};

struct TableSchema {
  std::string name;
  // Column 0 is always {"time", kTime}; then columns in creation order.
  std::vector<ColumnDef> columns;
  TableOptions options;

  const ColumnDef* find(std::string_view column) const;
  // As find(), but tries the column at index `hint` first and sets `hint` to the
  // index found: callers that look up each line's columns in order keep one hint per
  // position, so lines shaped like the previous one cost one compare per column.
  const ColumnDef* find(std::string_view column, size_t& hint) const;
  bool has_dedup() const { return !options.dedup_columns.empty(); }
};

// Checks a declared table (CREATE TABLE, Engine::create_table): the tenant column and
// the dedup columns are tags where declared; a table with a tenant column has it in
// its dedup key, since otherwise a row of one tenant would replace another tenant's
// row with the same key; and there are at most `max_columns` columns.
// kInvalidInput or kLimitExceeded, naming the table and the column.
// Requires: columns[0] is the time column.
Status check_table_definition(const TableSchema& schema, size_t max_columns);

}  // namespace tessera::engine
