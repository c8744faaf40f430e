// Database flush and the other manifest edits. Flush writes buffered rows to segment
// files in three phases (freeze and rotate the log; sort and write segments unlocked;
// publish them with the manifest), then trims the log. Compaction and retention replace
// or drop a partition's segments by the same swap. Crash points: docs/format/manifest.md.
#include <algorithm>
#include <chrono>
#include <set>

#include "engine/compaction.h"
#include "engine/data_dir_layout.h"
#include "engine/database.h"
#include "engine/retention.h"
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

Database::SourceList Database::blocks_after(const std::string& table_name,
                                            int64_t partition_start_ns, size_t persisted_count,
                                            size_t sealed_count) const {
  std::shared_lock lock(mu_);
  const auto table = tables_.find(table_name);
  if (table == tables_.end()) return {};
  const auto found = table->second.partitions.find(partition_start_ns);
  if (found == table->second.partitions.end()) return {};
  return found->second.blocks_from(persisted_count, sealed_count);
}

Status Database::flush() {
  std::lock_guard flush_lock(flush_mu_);
  return flush_locked_phases();
}

Status Database::flush_locked_phases() {
  // Phase 1: seal every head, take the sealed blocks, rotate the log so that everything
  // taken lives in log files older than the new one. write_mu_ keeps writes out
  // throughout; readers wait only for the swap, not for the fsyncs before it.
  std::vector<FrozenPartition> frozen;
  uint64_t frozen_rows = 0;
  uint64_t new_wal_start = 0;
  {
    std::lock_guard writer(write_mu_);
    uint64_t log_number = 0;
    {
      std::unique_lock lock(mu_);
      if (wal_failure_) return *wal_failure_;
      if (head_rows_ == 0) return Status::ok();
      log_number = next_file_number_++;
    }
    // wal_ changes only under write_mu_, held here.
    if (Status synced = wal_->sync(); !synced.is_ok()) {
      std::unique_lock lock(mu_);
      wal_failure_ =
          Error{ErrorCode::kIoError, "write-ahead log fsync failed: " + synced.message()};
      return *wal_failure_;
    }
    TESSERA_ASSIGN_OR_RETURN(std::shared_ptr<storage::WalWriter> next_log, create_log(log_number));
    std::unique_lock lock(mu_);
    for (auto& [name, table] : tables_) {
      for (auto& [start, partition] : table.partitions) {
        if (partition.head.row_count() > 0) {
          partition.sealed.push_back(std::make_shared<MemoryBlockSource>(
              std::make_shared<const storage::Block>(partition.head.take())));
          partition.blocks_version = ++last_blocks_version_;
        }
        if (partition.sealed.empty()) continue;
        FrozenPartition& f = frozen.emplace_back();
        f.table = name;
        f.partition_start_ns = start;
        f.blocks = partition.sealed;
        f.file_name = segment_file_name(next_file_number_++);
        f.sort_key = sort_key_for(table.schema);
        if (table.schema.has_dedup()) {
          f.dedup = table.dedup;
          f.dedup_columns = table.schema.options.dedup_columns;
          f.persisted = partition.persisted;
        }
      }
    }
    frozen_rows = head_rows_;
    wal_ = std::move(next_log);
    wal_number_ = log_number;
    group_commit_.rotated(wal_, log_position_);
    new_wal_start = wal_number_;
  }

  // Phase 2 (no lock): sort each partition's rows, write and reopen the segment files,
  // and index the partitions snapshots deduplicate (index_ahead).
  std::vector<std::vector<std::shared_ptr<const BlockSource>>> flushed(frozen.size());
  std::vector<std::optional<PartitionDedup>> indexed(frozen.size());
  std::vector<PartitionDedup> replaced(frozen.size());  // freed last, outside every lock
  for (size_t i = 0; i < frozen.size(); ++i) {
    const FrozenPartition& f = frozen[i];
    std::vector<std::shared_ptr<const storage::Block>> runs;
    runs.reserve(f.blocks.size());
    for (const auto& source : f.blocks) runs.push_back(source->block());
    TESSERA_ASSIGN_OR_RETURN(
        SortedPartition sorted,
        sort_partition(runs, f.sort_key, BlockCut::for_block_rows(options_.block_rows)));
    fs::path path = segment_dir_ / f.file_name;
    TESSERA_RETURN_IF_ERROR(storage::write_segment(path, sorted.blocks));
    TESSERA_ASSIGN_OR_RETURN(auto reader, storage::SegmentReader::open(path));
    for (size_t b = 0; b < reader->block_count(); ++b) {
      flushed[i].push_back(std::make_shared<SegmentBlockSource>(reader, b, cache_,
                                                                next_cache_key_++, tag_value_ids_));
    }
    if (f.dedup) {
      SourceList stable = *f.persisted;
      stable.insert(stable.end(), flushed[i].begin(), flushed[i].end());
      // Blocks sealed while this flush ran follow the flushed ones.
      indexed[i] = index_ahead(*f.dedup, f.table, f.partition_start_ns, f.dedup_columns,
                               std::move(stable), f.persisted->size(), f.blocks.size());
    }
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
      partition.is_single_sorted_segment = partition.persisted->empty();
      // An index built over persisted blocks a compaction has replaced since is dropped.
      if (partition.persisted != f.persisted) indexed[i].reset();
      auto persisted = std::make_shared<SourceList>(*partition.persisted);
      persisted->insert(persisted->end(), flushed[i].begin(), flushed[i].end());
      partition.persisted = std::move(persisted);
      partition.blocks_version = ++last_blocks_version_;
      if (indexed[i]) {
        // Installed before readers can see the new blocks, unless a snapshot is
        // indexing (then just after: a snapshot in between indexes them itself).
        indexed[i]->blocks_version = partition.blocks_version;
        if (install_index(*f.dedup, f.partition_start_ns, *indexed[i], replaced[i], false)) {
          indexed[i].reset();
        }
      }
      segments_.push_back({f.table, f.partition_start_ns, f.file_name, /*is_sorted=*/true});
    }
    head_rows_ -= frozen_rows;
    wal_start_ = new_wal_start;
    TESSERA_RETURN_IF_ERROR(write_manifest(current_manifest()));
  }
  for (size_t i = 0; i < frozen.size(); ++i) {
    if (indexed[i]) {
      install_index(*frozen[i].dedup, frozen[i].partition_start_ns, *indexed[i], replaced[i], true);
    }
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
  {
    std::lock_guard lock(flush_signal_mu_);
    maintenance_requested_ = true;
  }
  maintenance_signal_.notify_one();
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

namespace tessera::engine {

Status Database::write_manifest(const Manifest& manifest) {
  return storage::write_file_durably(options_.data_dir / kManifestFileName,
                                     encode_manifest(manifest));
}

int64_t Database::clock_now_ns() const {
  if (options_.clock_ns) return options_.clock_ns();
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void Database::mark_sorted_partitions() {
  std::map<std::pair<std::string, int64_t>, std::vector<ManifestSegment>> by_partition;
  for (const ManifestSegment& s : segments_)
    by_partition[{s.table, s.partition_start_ns}].push_back(s);
  for (const auto& [key, segments] : by_partition) {
    if (segments.size() != 1 || !segments[0].is_sorted) continue;
    auto table = tables_.find(key.first);
    if (table == tables_.end()) continue;
    auto partition = table->second.partitions.find(key.second);
    if (partition == table->second.partitions.end() || partition->second.persisted->empty())
      continue;
    partition->second.is_single_sorted_segment = true;
  }
}

Status Database::compact() {
  std::lock_guard maintenance(maintenance_mu_);
  std::vector<std::pair<std::string, int64_t>> candidates;
  {
    std::shared_lock lock(mu_);
    std::map<std::pair<std::string, int64_t>, std::vector<ManifestSegment>> by_partition;
    for (const ManifestSegment& s : segments_) {
      by_partition[{s.table, s.partition_start_ns}].push_back(s);
    }
    for (const auto& [key, segments] : by_partition) {
      // A damaged table keeps its files as they are, for whoever repairs it.
      if (!damaged_tables_.contains(key.first) && needs_compaction(segments))
        candidates.push_back(key);
    }
  }
  for (const auto& [table, start] : candidates) {
    {
      std::lock_guard lock(flush_signal_mu_);
      if (stopping_) break;
    }
    TESSERA_RETURN_IF_ERROR(compact_partition(table, start));
  }
  return Status::ok();
}

Status Database::compact_partition(const std::string& table_name, int64_t partition_start_ns) {
  // Step 1 (read lock): what to merge. Flushes only ever append to `persisted`, so
  // what is taken here stays its prefix unless retention drops the partition.
  SortKey key;
  std::vector<std::shared_ptr<const BlockSource>> sources;
  std::set<std::string> old_files;
  std::shared_ptr<DedupCache> dedup;
  std::vector<std::string> dedup_columns;
  {
    std::shared_lock lock(mu_);
    auto table = tables_.find(table_name);
    if (table == tables_.end()) return Status::ok();
    auto partition = table->second.partitions.find(partition_start_ns);
    if (partition == table->second.partitions.end()) return Status::ok();
    key = sort_key_for(table->second.schema);
    dedup = table->second.dedup;
    dedup_columns = table->second.schema.options.dedup_columns;
    sources = *partition->second.persisted;
    for (const ManifestSegment& s : segments_) {
      if (s.table == table_name && s.partition_start_ns == partition_start_ns)
        old_files.insert(s.file_name);
    }
  }
  if (sources.empty() || old_files.empty()) return Status::ok();

  // Step 2 (no lock): merge into a new segment file, fsynced before it is published.
  TESSERA_ASSIGN_OR_RETURN(
      SortedPartition merged,
      merge_sources(sources, key, BlockCut::for_block_rows(options_.block_rows)));
  if (merged.blocks.empty()) return Status::ok();
  std::string file_name;
  {
    std::unique_lock lock(mu_);
    file_name = segment_file_name(next_file_number_++);
  }
  const fs::path path = segment_dir_ / file_name;
  auto discard = [&] {
    std::error_code ec;
    fs::remove(path, ec);
  };
  TESSERA_RETURN_IF_ERROR(storage::write_segment(path, merged.blocks));
  auto opened = storage::SegmentReader::open(path);
  if (!opened) {
    discard();
    return opened.error();
  }
  std::vector<std::shared_ptr<const BlockSource>> fresh;
  for (size_t b = 0; b < (*opened)->block_count(); ++b) {
    fresh.push_back(std::make_shared<SegmentBlockSource>(*opened, b, cache_, next_cache_key_++,
                                                         tag_value_ids_));
  }
  // The merged blocks lead the partition's blocks once published; those flushed or
  // sealed while this merge ran follow them.
  std::optional<PartitionDedup> indexed;
  PartitionDedup replaced;  // freed last, outside every lock
  bool is_installed = false;
  if (!dedup_columns.empty()) {
    indexed = index_ahead(*dedup, table_name, partition_start_ns, dedup_columns, fresh,
                          sources.size(), 0);
  }

  // Step 3 (write lock): swap the merged segments for the new one in the manifest, then
  // in memory. Snapshots taken before keep the old blocks (and their open files) alive.
  {
    std::unique_lock lock(mu_);
    auto table = tables_.find(table_name);
    Partition* partition = nullptr;
    if (table != tables_.end()) {
      auto found = table->second.partitions.find(partition_start_ns);
      if (found != table->second.partitions.end()) partition = &found->second;
    }
    if (partition == nullptr || !starts_with(*partition->persisted, sources)) {
      lock.unlock();
      discard();  // dropped by retention meanwhile
      return Status::ok();
    }
    // The new file takes the place of the first merged one, ahead of segments flushed
    // meanwhile, so later writes still come later in dedup order.
    std::vector<ManifestSegment> next;
    bool is_placed = false;
    for (const ManifestSegment& s : segments_) {
      if (s.table == table_name && s.partition_start_ns == partition_start_ns &&
          old_files.contains(s.file_name)) {
        if (!is_placed) next.push_back({table_name, partition_start_ns, file_name, true});
        is_placed = true;
        continue;
      }
      next.push_back(s);
    }
    Manifest manifest = current_manifest();
    manifest.segments = next;
    // On failure it is unknown which manifest is on disk: keep every file; the next open
    // keeps those the manifest names and removes the others.
    TESSERA_RETURN_IF_ERROR(write_manifest(manifest));
    segments_ = std::move(next);
    auto persisted = std::make_shared<SourceList>(fresh.begin(), fresh.end());
    persisted->insert(persisted->end(),
                      partition->persisted->begin() + static_cast<ptrdiff_t>(sources.size()),
                      partition->persisted->end());
    partition->is_single_sorted_segment = persisted->size() == fresh.size();
    partition->persisted = std::move(persisted);
    partition->blocks_version = ++last_blocks_version_;
    if (indexed) {
      indexed->blocks_version = partition->blocks_version;
      if (install_index(*dedup, partition_start_ns, *indexed, replaced, false)) {
        indexed.reset();
        is_installed = true;
      }
    }
  }
  // The partition's dedup index covers the replaced blocks: replaced by the one built
  // ahead (under mu_ above when the cache was free, else here), or else freed here
  // unless a snapshot has re-indexed the new ones already (dedup_partition re-indexes
  // whenever the indexed blocks are no longer a prefix, so this only frees memory).
  // Waiting not under mu_: a snapshot holds the cache's lock while it loads and
  // indexes blocks, and readers must not queue for that behind the write lock.
  if (indexed) {
    install_index(*dedup, partition_start_ns, *indexed, replaced, true);
  } else if (!is_installed) {
    std::unique_ptr<DedupIndex> stale;  // destroyed after the cache's lock is released
    std::lock_guard dedup_lock(dedup->mu);
    auto entry = dedup->partitions.find(partition_start_ns);
    if (entry != dedup->partitions.end() &&
        (entry->second.indexed.empty() || entry->second.indexed.front() != fresh.front())) {
      stale = std::move(entry->second.index);
      dedup->partitions.erase(entry);
    }
  }

  // The manifest no longer names the old files; a crash before this removes them at open.
  for (const std::string& name : old_files) {
    std::error_code ec;
    fs::remove(segment_dir_ / name, ec);
  }
  TESSERA_RETURN_IF_ERROR(storage::fsync_directory(segment_dir_));
  ++compactions_;
  return Status::ok();
}

Status Database::apply_retention(int64_t now_ns) {
  // No compaction or flush may hold blocks of a partition while it is dropped.
  std::lock_guard maintenance(maintenance_mu_);
  std::lock_guard flush_lock(flush_mu_);
  std::vector<std::string> doomed_files;
  {
    // Not between a write's admission and its rows: they could land in a dropped partition.
    std::lock_guard writer(write_mu_);
    std::unique_lock lock(mu_);
    auto is_expired = [&](const std::string& table_name, int64_t start) {
      auto table = tables_.find(table_name);
      if (table == tables_.end()) return false;
      const TableOptions& o = table->second.schema.options;
      return is_partition_expired(start, o.partition_ns, o.retention_ns, now_ns);
    };
    std::set<std::pair<std::string, int64_t>> dropped;
    std::vector<ManifestSegment> kept;
    for (const ManifestSegment& s : segments_) {
      if (is_expired(s.table, s.partition_start_ns)) {
        doomed_files.push_back(s.file_name);
        dropped.insert({s.table, s.partition_start_ns});
      } else {
        kept.push_back(s);
      }
    }
    for (const auto& [name, table] : tables_) {
      for (const auto& [start, partition] : table.partitions) {
        if (is_expired(name, start)) dropped.insert({name, start});
      }
    }
    if (dropped.empty()) return Status::ok();
    if (!doomed_files.empty()) {
      Manifest manifest = current_manifest();
      manifest.segments = kept;
      TESSERA_RETURN_IF_ERROR(write_manifest(manifest));
      segments_ = std::move(kept);
    }
    // Rows still in memory are dropped too. Their log records stay until the next flush
    // trims the log; a crash before that replays them and the next pass drops them again.
    for (const auto& [name, start] : dropped) {
      Table& table = tables_.at(name);
      auto partition = table.partitions.find(start);
      if (partition == table.partitions.end()) continue;
      uint64_t memory_rows = partition->second.head.row_count();
      for (const auto& block : partition->second.sealed) memory_rows += block->block()->row_count();
      head_rows_ -= memory_rows;
      table.partitions.erase(partition);
      std::lock_guard dedup_lock(table.dedup->mu);
      table.dedup->partitions.erase(start);
    }
    partitions_dropped_ += dropped.size();
  }
  for (const std::string& name : doomed_files) {
    std::error_code ec;
    fs::remove(segment_dir_ / name, ec);
  }
  return storage::fsync_directory(segment_dir_);
}

void Database::maintenance_loop() {
  // Retention runs at start (partitions may have expired while closed), then every minute.
  constexpr auto kRetentionInterval = std::chrono::minutes(1);
  auto next_retention = std::chrono::steady_clock::now();
  while (true) {
    {
      std::unique_lock lock(flush_signal_mu_);
      maintenance_signal_.wait_until(lock, next_retention,
                                     [&] { return maintenance_requested_ || stopping_; });
      if (stopping_) return;
      maintenance_requested_ = false;
    }
    if (std::chrono::steady_clock::now() >= next_retention) {
      if (Status status = apply_retention(clock_now_ns()); !status.is_ok())
        log_warning("retention failed: " + status.to_string());
      next_retention = std::chrono::steady_clock::now() + kRetentionInterval;
    }
    if (Status status = compact(); !status.is_ok())
      log_warning("compaction failed: " + status.to_string());
  }
}

}  // namespace tessera::engine
