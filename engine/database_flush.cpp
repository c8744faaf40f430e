// Database flush: writes buffered rows to segment files in three phases (freeze
// and rotate the log; write segments unlocked; publish them with the manifest),
// then trims the log. Crash points: docs/format/manifest.md.
#include "engine/data_dir_layout.h"
#include "engine/database.h"
#include "storage/base/file_io.h"
#include "storage/segment/segment_reader.h"
#include "storage/segment/segment_writer.h"

namespace tessera::engine {

namespace fs = std::filesystem;

std::string Database::segment_file_name(uint64_t number) const {
  return numbered_file_name(number, kSegmentExtension);
}

Manifest Database::current_manifest() const {
  Manifest manifest;
  manifest.wal_start = wal_start_;
  manifest.next_file_number = next_file_number_;
  for (const auto& [name, table] : tables_) manifest.tables.push_back(table.schema);
  manifest.segments = segments_;
  return manifest;
}

Status Database::flush() {
  std::lock_guard flush_lock(flush_mu_);
  return flush_locked_phases();
}

Status Database::flush_locked_phases() {
  // Phase 1 (write lock): seal every head, take the sealed blocks, rotate the log so
  // that everything taken lives in log files older than the new one.
  std::vector<FrozenPartition> frozen;
  uint64_t frozen_rows = 0;
  uint64_t new_wal_start = 0;
  {
    std::unique_lock lock(mu_);
    if (wal_failure_) return *wal_failure_;
    if (head_rows_ == 0) return Status::ok();
    for (auto& [name, table] : tables_) {
      for (auto& [start, partition] : table.partitions) {
        if (partition.head.row_count() > 0) {
          partition.sealed.push_back(std::make_shared<MemoryBlockSource>(
              std::make_shared<const storage::Block>(partition.head.take())));
        }
        if (partition.sealed.empty()) continue;
        frozen.push_back({name, start, partition.sealed, segment_file_name(next_file_number_++)});
      }
    }
    frozen_rows = head_rows_;
    if (Status synced = wal_->sync(); !synced.is_ok()) {
      wal_failure_ =
          Error{ErrorCode::kIoError, "write-ahead log fsync failed: " + synced.message()};
      return *wal_failure_;
    }
    TESSERA_RETURN_IF_ERROR(start_new_log());
    group_commit_.rotated(wal_, log_position_);
    new_wal_start = wal_number_;
  }

  // Phase 2 (no lock): write and reopen the segment files.
  std::vector<std::shared_ptr<const storage::SegmentReader>> readers;
  for (const FrozenPartition& f : frozen) {
    std::vector<storage::Block> blocks;
    blocks.reserve(f.blocks.size());
    for (const auto& source : f.blocks) blocks.push_back(*source->block());
    fs::path path = segment_dir_ / f.file_name;
    TESSERA_RETURN_IF_ERROR(storage::write_segment(path, blocks));
    TESSERA_ASSIGN_OR_RETURN(auto reader, storage::SegmentReader::open(path));
    readers.push_back(std::move(reader));
  }

  // Phase 3 (write lock): swap the frozen blocks for their segments, publish the manifest.
  {
    std::unique_lock lock(mu_);
    for (size_t i = 0; i < frozen.size(); ++i) {
      const FrozenPartition& f = frozen[i];
      Partition& partition = tables_.at(f.table).partitions.at(f.partition_start_ns);
      // Appends only ever go after the frozen blocks, so they are still the prefix.
      partition.sealed.erase(partition.sealed.begin(),
                             partition.sealed.begin() + static_cast<ptrdiff_t>(f.blocks.size()));
      for (size_t b = 0; b < readers[i]->block_count(); ++b) {
        partition.persisted.push_back(
            std::make_shared<SegmentBlockSource>(readers[i], b, cache_, next_cache_key_++));
      }
      segments_.push_back({f.table, f.partition_start_ns, f.file_name});
    }
    head_rows_ -= frozen_rows;
    wal_start_ = new_wal_start;
    TESSERA_RETURN_IF_ERROR(storage::write_file_durably(options_.data_dir / kManifestFileName,
                                                        encode_manifest(current_manifest())));
  }

  // The manifest no longer needs the older logs.
  for (const auto& entry : fs::directory_iterator(wal_dir_)) {
    auto number = file_number(entry.path(), kLogExtension);
    if (number && *number < new_wal_start) {
      std::error_code ec;
      fs::remove(entry.path(), ec);
    }
  }
  TESSERA_RETURN_IF_ERROR(storage::fsync_directory(wal_dir_));
  ++flushes_;
  return Status::ok();
}

void Database::flush_loop() {
  while (true) {
    {
      std::unique_lock lock(flush_signal_mu_);
      flush_signal_.wait(lock, [&] { return flush_requested_ || stopping_; });
      if (stopping_) return;
      flush_requested_ = false;
    }
    if (Status status = flush(); !status.is_ok())
      log_warning("flush failed: " + status.to_string());
  }
}

}  // namespace tessera::engine
