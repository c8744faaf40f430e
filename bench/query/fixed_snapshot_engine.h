// FixedSnapshotEngine: a read-only engine::Engine over one table whose snapshot is a
// block list the benchmark built, so query benchmarks measure the query layer over
// exactly the blocks (and block sources) they chose.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "engine/engine.h"

namespace tessera::bench {

class FixedSnapshotEngine final : public engine::Engine {
 public:
  FixedSnapshotEngine(engine::TableSchema schema,
                      std::vector<std::shared_ptr<const engine::BlockSource>> blocks)
      : schema_(std::move(schema)), blocks_(std::move(blocks)) {}
  Result<engine::WriteReport> write(std::span<const engine::InputLine>,
                                    const engine::WriteOptions&) override {
    return make_error(ErrorCode::kInternal, "read-only");
  }
  Status sync(uint64_t) override { return Status::ok(); }
  Result<engine::WriteReport> write_text(std::string_view, const engine::WriteOptions&) override {
    return make_error(ErrorCode::kInternal, "read-only");
  }
  Status create_table(const engine::TableSchema&) override { return Status::ok(); }
  std::vector<std::string> table_names() const override { return {schema_.name}; }
  std::optional<engine::TableSchema> schema(std::string_view) const override { return schema_; }
  using engine::Engine::snapshot;
  // Every block, whatever the range: leaving blocks out is an optimisation.
  Result<engine::TableSnapshot> snapshot(std::string_view table, engine::TimeRange) const override {
    if (table != schema_.name) return make_error(ErrorCode::kUnknownTable, "unknown table");
    engine::TableSnapshot snapshot;
    snapshot.schema = schema_;
    for (const auto& block : blocks_) snapshot.add_block(block);
    return snapshot;
  }
  Status flush() override { return Status::ok(); }
  engine::EngineStats stats() const override { return {}; }

 private:
  engine::TableSchema schema_;
  std::vector<std::shared_ptr<const engine::BlockSource>> blocks_;
};

}  // namespace tessera::bench
