#include "tests/support/snapshot_rows.h"

#include <cstdio>

namespace tessera::testing {

std::vector<std::string> snapshot_rows(const engine::TableSnapshot& snapshot) {
  std::vector<std::string> rows;
  for (const engine::BlockView& view : snapshot.blocks) {
    auto loaded = view.source->load();
    if (!loaded) return {"error: " + loaded.error().message};
    const storage::Block& block = **loaded;
    for (size_t row = 0; row < block.row_count(); ++row) {
      if (view.live_rows && view.live_rows->rows()[row] == 0) continue;
      std::string text = std::to_string(block.time_ns[row]);
      for (const engine::ColumnDef& def : snapshot.schema.columns) {
        if (def.kind == engine::ColumnKind::kTime) continue;
        const storage::Column* column = block.find(def.name);
        bool present = column != nullptr && column->is_valid(row);
        if (!present && def.kind == engine::ColumnKind::kTag) continue;
        text += " " + def.name + "=";
        if (!present) {
          text += "NULL";
          continue;
        }
        switch (column->type) {
          case storage::ColumnType::kInt64:
            text += std::to_string(column->ints[row]) + "i";
            break;
          case storage::ColumnType::kFloat64: {
            char buf[32];
            std::snprintf(buf, sizeof buf, "%.17g", column->floats[row]);
            text += buf;
            break;
          }
          case storage::ColumnType::kBool:
            text += column->bools[row] ? "true" : "false";
            break;
          case storage::ColumnType::kString:
            text += def.kind == engine::ColumnKind::kTag
                        ? std::string(column->string_at(row))
                        : "\"" + std::string(column->string_at(row)) + "\"";
            break;
        }
      }
      rows.push_back(std::move(text));
    }
  }
  return rows;
}

std::vector<std::string> table_rows(const engine::Engine& engine, const std::string& table) {
  auto snapshot = engine.snapshot(table);
  if (!snapshot) return {"error: " + snapshot.error().message};
  return snapshot_rows(*snapshot);
}

}  // namespace tessera::testing
