// Database: the Engine implementation over one data directory.
//
//   <data>/MANIFEST          catalog + segment list + first live log (engine/manifest.h)
//   <data>/LOCK              flock'ed while open: one process per directory
//   <data>/wal/<n>.log       write-ahead log files, replayed on open from MANIFEST's wal_start
//   <data>/segments/<n>.tsg  immutable segment files (storage/segment)
//
// Write path: parse (no lock) -> admit (staged, nothing changed yet) + append to the
// log + build the rows as blocks (writers' mutex, lock shared) -> append them to the
// head blocks (write lock, briefly) -> sync (group commit, no lock). A failed append
// leaves memory as it was. Flush: freeze the head, rotate the log
// (write lock); sort each frozen partition and write it as one segment (no lock);
// publish them and the manifest, drop old logs (write lock). Compaction and retention
// (background thread) rewrite the segment list by the same manifest swap. Readers take
// the lock shared, briefly, to copy block lists.
// Crash safety: docs/format/manifest.md.
#pragma once

#include <atomic>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <thread>
#include <unordered_map>

#include "engine/block_builder.h"
#include "engine/block_cache.h"
#include "engine/block_sources.h"
#include "engine/cardinality_guard.h"
#include "engine/dedup.h"
#include "engine/engine.h"
#include "engine/group_commit.h"
#include "engine/head_copy.h"
#include "engine/line_shape.h"
#include "engine/manifest.h"
#include "engine/partition_sort.h"
#include "engine/tag_value_ids.h"
#include "storage/wal/wal_writer.h"

namespace tessera::engine {

class Database final : public Engine {
 public:
  static Result<std::unique_ptr<Database>> open(const EngineOptions& options);
  ~Database() override;

  Result<WriteReport> write(std::span<const InputLine> lines, const WriteOptions& options) override;
  std::unique_ptr<PreparedWrite> prepare_write(std::span<const InputLine> lines,
                                               const WriteOptions& options) override;
  Result<WriteReport> write_prepared(std::unique_ptr<PreparedWrite> prepared) override;
  Status sync(uint64_t lsn) override;
  Result<WriteReport> write_text(std::string_view text, const WriteOptions& options) override;
  Status create_table(const TableSchema& schema) override;
  std::vector<std::string> table_names() const override;
  std::optional<TableSchema> schema(std::string_view table) const override;
  using Engine::snapshot;
  Result<TableSnapshot> snapshot(std::string_view table, TimeRange range) const override;
  Status flush() override;
  EngineStats stats() const override;

  // Merges every partition with more than one segment (or an unsorted one) into one
  // sorted, duplicate-free segment, publishing each by a manifest swap. Writers and
  // readers are blocked only for the swap; snapshots taken before keep their blocks.
  // The background thread calls this after flushes; tests call it directly.
  // kIoError / kCorruption when a segment cannot be read or written (nothing changes).
  Status compact();
  // Drops every partition of a table with a retention that ends at or before
  // now_ns - retention, by a manifest edit (docs/format/manifest.md). Run every
  // minute by the background thread with the options' clock; tests pass their own.
  Status apply_retention(int64_t now_ns);

 private:
  using SourceList = std::vector<std::shared_ptr<const BlockSource>>;
  struct Partition {
    // In segment files. Snapshots share the list, so it is never changed in place:
    // a flush or a compaction installs a new one.
    std::shared_ptr<const SourceList> persisted = std::make_shared<const SourceList>();
    std::vector<std::shared_ptr<const MemoryBlockSource>> sealed;  // full, in memory
    BlockBuilder head;                                             // being filled
    // The copy of `head` snapshots share until it changes.
    std::unique_ptr<HeadCopy> head_copy = std::make_unique<HeadCopy>();
    // `persisted` is exactly one sorted (duplicate-free) segment: with no rows in
    // memory, reads need no dedup index.
    bool is_single_sorted_segment = false;
    // Changes with the blocks a dedup index covers (`persisted`, then `sealed`), to a
    // number no partition had before (last_blocks_version_): an index records it, which
    // tells a snapshot taken before the index (whose blocks it must not be rebuilt for)
    // from one taken after.
    uint64_t blocks_version = 0;

    // The blocks a dedup index covers, in write order (persisted, then sealed),
    // from the `persisted_from`-th persisted and the `sealed_from`-th sealed one on.
    SourceList blocks_from(size_t persisted_from = 0, size_t sealed_from = 0) const;
  };
  // Per partition of a dedup table: the index over its sealed blocks, reused by
  // every snapshot until the block list changes other than by appending.
  struct PartitionDedup {
    std::vector<std::shared_ptr<const BlockSource>> indexed;  // in write order
    std::unique_ptr<DedupIndex> index;
    // The partition's blocks_version the index was last brought up to (by a snapshot,
    // or by the flush or compaction that built it ahead).
    uint64_t blocks_version = 0;
  };
  struct DedupCache {
    std::mutex mu;
    std::map<int64_t, PartitionDedup> partitions;
    std::atomic<uint64_t> reindexes{0};  // EngineStats::dedup_reindexes
    // EngineStats::dedup_blocks_indexed_by_snapshots
    std::atomic<uint64_t> blocks_indexed_by_snapshots{0};
  };
  struct Table {
    TableSchema schema;
    std::map<int64_t, Partition> partitions;  // by partition start
    std::shared_ptr<DedupCache> dedup = std::make_shared<DedupCache>();
  };
  // Live-row masks for `stable` blocks (indexed and kept) followed by `head`, if any,
  // as the partition's blocks were at `blocks_version`. Nullopt when the kept index
  // is newer than that (the snapshot was taken before another one indexed): the
  // caller takes its snapshot again, rather than have the kept index rebuilt for
  // older blocks and then again for newer ones. On a `last_try` such a snapshot gets
  // an index of its own, not kept.
  static Result<std::optional<std::vector<LiveRows>>> dedup_partition(
      DedupCache& cache, int64_t partition_start, uint64_t blocks_version,
      const std::vector<std::string>& key_columns,
      const std::vector<std::shared_ptr<const BlockSource>>& stable,
      const std::shared_ptr<const storage::Block>& head, bool last_try);
  // snapshot(), once: nullopt when a partition's kept index is newer than what this
  // snapshot saw (see dedup_partition).
  Result<std::optional<TableSnapshot>> try_snapshot(std::string_view table, TimeRange range,
                                                    bool last_try) const;
  // Whether `list` begins with the blocks of `prefix`, the same objects in order.
  static bool starts_with(const SourceList& list, const SourceList& prefix);
  // Adds to `entry` the blocks of `stable` after those it has indexed (a prefix of
  // `stable`), their key columns loaded through the block cache.
  static Status index_blocks(PartitionDedup& entry, const std::vector<std::string>& key_columns,
                             const std::vector<std::shared_ptr<const BlockSource>>& stable);
  // A flush or compaction replaces a partition's blocks, and the first snapshot after
  // it would index the partition anew, on a query's time (and every other query of
  // the table would wait for it). So, when snapshots have indexed the partition
  // before, the one that replaces the blocks indexes `published` (what it publishes)
  // before publishing, off every lock, for install_index; then the blocks that will
  // follow them, sealed or flushed while it ran: those after the partition's first
  // `persisted_count` persisted and `sealed_count` sealed ones (else the first
  // snapshot would add them while the others wait). Nothing (nullopt) when no
  // snapshot indexed the partition, nor when indexing fails (a snapshot then meets
  // the error itself).
  std::optional<PartitionDedup> index_ahead(DedupCache& cache, const std::string& table,
                                            int64_t partition_start,
                                            const std::vector<std::string>& key_columns,
                                            SourceList published, size_t persisted_count,
                                            size_t sealed_count) const;
  // A partition's blocks after its first `persisted_count` persisted and
  // `sealed_count` sealed ones, in write order (none when the partition is gone).
  SourceList blocks_after(const std::string& table, int64_t partition_start, size_t persisted_count,
                          size_t sealed_count) const;
  // Makes `built` (its blocks_version set) the partition's index unless the one there
  // is newer or already covers what it does (a snapshot indexed the published blocks
  // first); the index it replaces goes to `replaced`, for the caller to free outside
  // its locks. With `wait` false, returns false and does nothing when a snapshot holds
  // the cache (a flush publishing under the write lock must not wait for one).
  static bool install_index(DedupCache& cache, int64_t partition_start, PartitionDedup& built,
                            PartitionDedup& replaced, bool wait);
  // A partition's sealed blocks taken by a running flush.
  struct FrozenPartition {
    std::string table;
    int64_t partition_start_ns = 0;
    std::vector<std::shared_ptr<const MemoryBlockSource>> blocks;
    std::string file_name;
    SortKey sort_key;
    // Dedup tables: the table's index cache, its key columns, and the partition's
    // persisted blocks when the flush began, which the flushed ones will follow.
    std::shared_ptr<DedupCache> dedup;
    std::vector<std::string> dedup_columns;
    std::shared_ptr<const SourceList> persisted;
  };

  // What a write batch would change, admitted but not applied: a batch is logged
  // first and applied after, so that a failed log append leaves memory unchanged.
  struct StagedWrite {
    // Tables the batch creates or adds columns to, as they will be.
    std::map<std::string, TableSchema, std::less<>> schemas;
    CardinalityGuard::Pending series;
    // The shapes of the admitted lines: a line shaped like the previous admitted
    // line reuses its shape (engine/line_shape.h).
    std::vector<LineShape> shapes;
    struct Row {
      const ParsedLine* line;  // not owned
      uint32_t shape;          // index in `shapes`
    };
    std::vector<Row> rows;  // admitted lines, in order
    // The previous line's table (its name, and its schema as staged: in `schemas`
    // or in tables_, both node-based so the pointer stays valid), so that a batch of
    // one table's lines looks the table up once. Reset when `schemas` changes.
    std::string last_table;
    const TableSchema* last_schema = nullptr;
    // TableSchema::find() hints per key position, carried from line to line.
    std::vector<size_t> column_hints;
    // The admitted rows as blocks, one per table partition they go to (build_rows()).
    struct PartitionRows {
      std::string table;
      int64_t partition_start;
      storage::Block rows;
    };
    std::vector<PartitionRows> partitions;
    // Partitions of dedup tables in which commit_staged() sealed a block, for
    // index_sealed().
    std::vector<std::pair<std::string, int64_t>> sealed;
  };

  explicit Database(const EngineOptions& options);
  Status recover();
  // Replays one log file. `is_newest`: the last log, the only one a crash can leave
  // with a torn tail, which is cut; a bad record in an older one is kCorruption.
  Status replay_log(const std::filesystem::path& path, bool is_newest);
  // Log file `number`, created durably (kIoError, and no file, if it cannot be).
  Result<std::shared_ptr<storage::WalWriter>> create_log(uint64_t number) const;
  Status start_new_log();  // Requires: still opening (recovery).

  // Requires: mu_ held. Admits one parsed line against the tables as `staged`
  // would leave them and adds it there; changes nothing else. `is_replay`: a line
  // of the log, admitted once already (no retention or series limit).
  Status stage_line(const ParsedLine& line, const std::optional<std::string>& tenant_scope,
                    bool is_replay, StagedWrite& staged) const;
  // Requires: mu_ held. Builds staged.partitions from staged.rows, changing nothing
  // else: the bulk of applying a write, done before the lock is taken exclusively.
  void build_rows(StagedWrite& staged) const;
  // Requires: mu_ held exclusively, build_rows(staged) done since the last change to
  // tables_. Applies what stage_line() admitted. Cannot fail.
  void commit_staged(StagedWrite& staged);
  Status apply_create_table(const TableSchema& schema);
  // Seals the head when it is full; true when it did.
  bool seal_if_full(Partition& partition);
  // Adds a partition's newly sealed blocks to the index snapshots keep for it, on
  // the writer's time: else the next snapshot of the table adds them, on a query's
  // time, while every other snapshot of the table waits for it. Nothing when no
  // snapshot keeps an index for the partition, when the kept index is newer than
  // the blocks read here, or when it does not cover the blocks before them (a flush
  // or compaction replaced them: snapshots index anew); an error is left for the
  // next snapshot to meet. Requires: no lock held.
  void index_sealed(const std::string& table, int64_t partition_start) const;
  // Requires: write_mu_ held and mu_ held (shared is enough: only writers touch the
  // log). Appends one record. On failure nothing was logged; if the log cannot take
  // more (wal_->is_failed()), wal_failure_ is set.
  Status append_log(std::string_view payload, uint64_t* lsn);

  Status flush_locked_phases();
  // Compacts one partition (compact()). Requires: maintenance_mu_ held, mu_ not held.
  Status compact_partition(const std::string& table, int64_t partition_start_ns);
  // Sets is_single_sorted_segment from segments_ after recovery.
  void mark_sorted_partitions();
  // Requires: mu_ held exclusively. Writes `manifest` durably, making it current.
  Status write_manifest(const Manifest& manifest);
  int64_t clock_now_ns() const;
  void maintenance_loop();
  std::string segment_file_name(uint64_t number) const;
  Manifest current_manifest() const;  // Requires: mu_ held.
  void flush_loop();

  EngineOptions options_;
  std::filesystem::path wal_dir_, segment_dir_;
  int lock_fd_ = -1;
  // Set once recover() succeeded: only then may the destructor flush (a partly
  // replayed state must never be written as segments, nor the logs trimmed).
  bool is_recovered_ = false;

  // Serialises whatever changes the tables' schemas, the log or the head blocks:
  // writes, CREATE TABLE, flush's freeze, retention. Taken after flush_mu_, before mu_. A write
  // admits, logs and builds its rows holding it and mu_ shared (readers go on), and takes mu_
  // exclusively only to append the built rows, so that no flush or schema change
  // comes between its log record and its rows.
  std::mutex write_mu_;
  mutable std::shared_mutex mu_;  // guards everything below up to flush state
  std::map<std::string, Table, std::less<>> tables_;
  std::vector<ManifestSegment> segments_;
  std::shared_ptr<storage::WalWriter> wal_;
  uint64_t wal_number_ = 0;
  uint64_t wal_start_ = 1;
  uint64_t next_file_number_ = 1;
  uint64_t log_position_ = 0;  // logical bytes appended across all log files
  // Rows buffered in memory. Changed only under mu_, but read without it by the
  // writers' backpressure check, hence atomic.
  std::atomic<uint64_t> head_rows_{0};
  // Set when the log can take nothing more (an append whose partial record could not
  // be removed, a failed fsync): every later write fails with it until a restart.
  std::optional<Error> wal_failure_;
  // Segment files that failed to open ("<path>: <reason>"), and per table the first
  // of them: such a table's snapshots fail with kCorruption (database_recovery.cpp).
  // Set while opening, read-only afterwards.
  std::vector<std::string> damaged_files_;
  std::map<std::string, std::string, std::less<>> damaged_tables_;

  // Parsed-line vectors of finished writes, taken by the next prepare_write() so
  // that parsing reuses their vectors' and strings' capacity instead of allocating.
  // At most kMaxSpareParsedBatches, each from a batch of bounded size (database.cpp).
  std::mutex spare_parsed_mu_;
  std::vector<std::vector<ParsedLine>> spare_parsed_;  // guarded by spare_parsed_mu_

  GroupCommit group_commit_;
  std::shared_ptr<BlockCache> cache_;
  std::shared_ptr<TagValueIds> tag_value_ids_ = std::make_shared<TagValueIds>();
  std::atomic<uint64_t> next_cache_key_{1};
  uint64_t last_blocks_version_ = 0;  // guarded by mu_: see Partition::blocks_version

  std::mutex flush_mu_;  // one flush at a time
  std::mutex flush_signal_mu_;
  std::condition_variable flush_signal_;
  bool flush_requested_ = false;
  bool stopping_ = false;
  std::thread flush_thread_;

  // One compaction or retention pass at a time; taken before flush_mu_ and mu_.
  std::mutex maintenance_mu_;
  bool maintenance_requested_ = false;  // guarded by flush_signal_mu_
  std::condition_variable maintenance_signal_;
  std::thread maintenance_thread_;

  std::atomic<uint64_t> rows_written_{0}, lines_rejected_{0}, flushes_{0};
  std::atomic<uint64_t> compactions_{0}, partitions_dropped_{0};
  CardinalityGuard cardinality_{options_.max_series_per_table};  // guarded by mu_
};

}  // namespace tessera::engine
