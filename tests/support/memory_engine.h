// MemoryEngine: an engine::Engine over blocks a test builds by hand, for tests that
// need exact block layouts and dedup masks. Writes are not supported (kInternal);
// snapshots return the blocks in the order they were added.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "engine/engine.h"

namespace tessera::testing {

class MemoryEngine final : public engine::Engine {
 public:
  // Declares (or replaces) a table.
  void put_table(const engine::TableSchema& schema);
  // Appends a block to `table` (which must exist). `live_rows` empty: every row live.
  void add_block(const std::string& table, storage::Block block,
                 std::vector<uint8_t> live_rows = {});
  // Appends a block whose source reports `stats` (for example compute_stats plus
  // add_quantile_sketches, as segment files hold, or damaged statistics).
  void add_block_with_stats(const std::string& table, storage::Block block,
                            storage::BlockStats stats);

  Result<engine::WriteReport> write(std::span<const engine::InputLine> lines,
                                    const engine::WriteOptions& options) override;
  Status sync(uint64_t lsn) override;
  Result<engine::WriteReport> write_text(std::string_view text,
                                         const engine::WriteOptions& options) override;
  Status create_table(const engine::TableSchema& schema) override;
  std::vector<std::string> table_names() const override;
  std::optional<engine::TableSchema> schema(std::string_view table) const override;
  using engine::Engine::snapshot;
  // Leaves out the blocks whose statistics put every row outside `range`, as a
  // Database leaves out partitions.
  Result<engine::TableSnapshot> snapshot(std::string_view table,
                                         engine::TimeRange range) const override;
  Status flush() override;
  engine::EngineStats stats() const override;

 private:
  struct StoredBlock {
    std::shared_ptr<const engine::BlockSource> source;
    engine::LiveRows live_rows;
  };
  struct Table {
    engine::TableSchema schema;
    std::vector<StoredBlock> blocks;
  };
  mutable std::mutex mutex_;
  std::map<std::string, Table, std::less<>> tables_;
};

// Block-building helpers: a column of ints/floats/bools/strings where std::nullopt is NULL.
storage::Column int_column(const std::vector<std::optional<int64_t>>& values);
storage::Column float_column(const std::vector<std::optional<double>>& values);
storage::Column bool_column(const std::vector<std::optional<bool>>& values);
storage::Column string_column(const std::vector<std::optional<std::string>>& values);

}  // namespace tessera::testing
