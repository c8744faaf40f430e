#include "tests/support/memory_engine.h"

#include <algorithm>

#include "engine/block_sources.h"

namespace tessera::testing {
namespace {

template <typename T, typename Fill>
storage::Column make_column(storage::ColumnType type, const std::vector<std::optional<T>>& values,
                            Fill fill) {
  storage::Column c;
  c.type = type;
  bool any_null = false;
  for (const auto& v : values) any_null |= !v.has_value();
  for (const auto& v : values) {
    fill(c, v);
    if (any_null) c.valid.push_back(v.has_value() ? 1 : 0);
  }
  return c;
}

// A block with statistics of the test's choosing (as a segment footer would hold them).
class BlockWithStats final : public engine::BlockSource {
 public:
  BlockWithStats(std::shared_ptr<const storage::Block> block, storage::BlockStats stats)
      : block_(std::move(block)), stats_(std::move(stats)) {}
  const storage::BlockStats& stats() const override { return stats_; }
  Result<std::shared_ptr<const storage::Block>> load() const override { return block_; }

 private:
  std::shared_ptr<const storage::Block> block_;
  storage::BlockStats stats_;
};

}  // namespace

void MemoryEngine::put_table(const engine::TableSchema& schema) {
  std::lock_guard lock(mutex_);
  tables_[schema.name].schema = schema;
}

void MemoryEngine::add_block(const std::string& table, storage::Block block,
                             std::vector<uint8_t> live_rows) {
  std::lock_guard lock(mutex_);
  StoredBlock stored;
  stored.source = std::make_shared<engine::MemoryBlockSource>(
      std::make_shared<const storage::Block>(std::move(block)));
  if (!live_rows.empty()) {
    stored.live_rows = std::make_shared<const engine::LiveMask>(std::move(live_rows));
  }
  tables_.at(table).blocks.push_back(std::move(stored));
}

void MemoryEngine::add_block_with_stats(const std::string& table, storage::Block block,
                                        storage::BlockStats stats) {
  std::lock_guard lock(mutex_);
  tables_.at(table).blocks.push_back(
      {std::make_shared<BlockWithStats>(std::make_shared<const storage::Block>(std::move(block)),
                                        std::move(stats)),
       nullptr});
}

Result<engine::WriteReport> MemoryEngine::write(std::span<const engine::InputLine>,
                                                const engine::WriteOptions&) {
  return make_error(ErrorCode::kInternal, "MemoryEngine does not take writes");
}
Status MemoryEngine::sync(uint64_t) { return Status::ok(); }
Result<engine::WriteReport> MemoryEngine::write_text(std::string_view,
                                                     const engine::WriteOptions&) {
  return make_error(ErrorCode::kInternal, "MemoryEngine does not take writes");
}

Status MemoryEngine::create_table(const engine::TableSchema& schema) {
  std::lock_guard lock(mutex_);
  auto it = tables_.find(schema.name);
  if (it != tables_.end()) {
    if (it->second.schema.columns == schema.columns &&
        it->second.schema.options == schema.options) {
      return Status::ok();
    }
    return make_error(ErrorCode::kInvalidInput,
                      "table " + schema.name + " exists with another definition");
  }
  tables_[schema.name].schema = schema;
  return Status::ok();
}

std::vector<std::string> MemoryEngine::table_names() const {
  std::lock_guard lock(mutex_);
  std::vector<std::string> names;
  for (const auto& [name, table] : tables_) names.push_back(name);
  return names;
}

std::optional<engine::TableSchema> MemoryEngine::schema(std::string_view table) const {
  std::lock_guard lock(mutex_);
  auto it = tables_.find(table);
  if (it == tables_.end()) return std::nullopt;
  return it->second.schema;
}

Result<engine::TableSnapshot> MemoryEngine::snapshot(std::string_view table,
                                                     engine::TimeRange range) const {
  std::lock_guard lock(mutex_);
  auto it = tables_.find(table);
  if (it == tables_.end()) {
    return make_error(ErrorCode::kUnknownTable, "unknown table \"" + std::string(table) + "\"");
  }
  engine::TableSnapshot snapshot;  // no sorted runs
  snapshot.schema = it->second.schema;
  for (const StoredBlock& stored : it->second.blocks) {
    const storage::BlockStats& stats = stored.source->stats();
    if (stats.row_count > 0 &&
        (stats.max_time_ns < range.min_ns || stats.min_time_ns > range.max_ns)) {
      ++snapshot.blocks_outside_range;
    } else {
      snapshot.add_block(stored.source, stored.live_rows);
    }
  }
  return snapshot;
}

Status MemoryEngine::flush() { return Status::ok(); }
engine::EngineStats MemoryEngine::stats() const { return {}; }

storage::Column int_column(const std::vector<std::optional<int64_t>>& values) {
  return make_column<int64_t>(
      storage::ColumnType::kInt64, values,
      [](storage::Column& c, const auto& v) { c.ints.push_back(v.value_or(0)); });
}

storage::Column float_column(const std::vector<std::optional<double>>& values) {
  return make_column<double>(
      storage::ColumnType::kFloat64, values,
      [](storage::Column& c, const auto& v) { c.floats.push_back(v.value_or(0.0)); });
}

storage::Column bool_column(const std::vector<std::optional<bool>>& values) {
  return make_column<bool>(
      storage::ColumnType::kBool, values,
      [](storage::Column& c, const auto& v) { c.bools.push_back(v.value_or(false) ? 1 : 0); });
}

storage::Column string_column(const std::vector<std::optional<std::string>>& values) {
  return make_column<std::string>(
      storage::ColumnType::kString, values, [](storage::Column& c, const auto& v) {
        const std::string s = v.value_or("");
        auto it = std::find(c.dictionary.begin(), c.dictionary.end(), s);
        if (it == c.dictionary.end()) {
          c.dictionary.push_back(s);
          it = c.dictionary.end() - 1;
        }
        c.codes.push_back(static_cast<uint32_t>(it - c.dictionary.begin()));
      });
}

}  // namespace tessera::testing
