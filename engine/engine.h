// Engine: an open Tessera database directory. Public API of the engine layer,
// used in-process by embedded callers and by the server alike.
//
//   auto engine = Engine::open({.data_dir = "data"});
//   auto report = (*engine)->write_text("cpu,tenant=a usage=1.5 1700000000000000000\n", {});
//   auto snap = (*engine)->snapshot("cpu");
//
// Thread-safety: every method may be called from any thread concurrently.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "engine/line_protocol/parsed_line.h"
#include "engine/live_mask.h"
#include "engine/loaded_block.h"
#include "engine/table_schema.h"
#include "storage/base/status.h"
#include "storage/block/column.h"
#include "storage/block/sorted_run_values.h"
#include "storage/block/tag_run_stats.h"

namespace tessera::engine {

// When the write-ahead log is fsynced (docs/durability.md). Under every policy
// Engine::sync(lsn) returns ok only after an fsync that covers `lsn`.
//   kAlways:   sync() forces an fsync at once; concurrent callers share one.
//   kInterval: a background fsync runs every `interval`; sync() waits for the next
//              one instead of forcing its own (fewer fsyncs, up to `interval` latency).
struct FsyncPolicy {
  enum class Kind { kAlways, kInterval };
  Kind kind = Kind::kAlways;
  std::chrono::milliseconds interval{0};  // kInterval only: 1 ms .. kMaxFsyncInterval
};
inline constexpr std::chrono::milliseconds kMaxFsyncInterval{60'000};

struct EngineOptions {
  std::filesystem::path data_dir = "tessera-data";
  // Rows buffered in memory (all tables) before they are flushed to segment files.
  size_t flush_threshold_rows = 1'000'000;
  // Rows per in-memory block; full blocks are sealed and shared with readers.
  size_t block_rows = 8192;
  size_t max_line_bytes = 1 << 20;
  // Decoded segment blocks kept in memory for queries.
  size_t block_cache_bytes = size_t{1} << 30;
  // Distinct series (tag sets) per table; a line that would add one more is rejected
  // (engine/cardinality_guard.h, docs/security.md). 0: unlimited.
  size_t max_series_per_table = 1'000'000;
  // Columns per table, time, tags and fields together. A line that would add columns
  // past it is rejected; so is a CREATE TABLE declaring more. Between 1 and 4096 (the
  // most a segment block holds, storage/segment/segment_format.h); open() refuses
  // other values. The log replayed at open is not held to it.
  size_t max_columns_per_table = 1024;
  FsyncPolicy fsync_policy;
  // Runs compaction (merging a partition's segments into one sorted, duplicate-free
  // segment) after flushes and retention every minute, on a background thread
  // (docs/architecture.md, "Storage"). Off: only Database::compact() and
  // Database::apply_retention() do it, which tests use for determinism.
  bool background_maintenance = true;
  // The clock retention reads (ns since the Unix epoch, UTC); empty: the system clock.
  // Called from writer threads and the background thread alike: must be thread-safe.
  std::function<int64_t()> clock_ns;
};

struct WriteOptions {
  Precision precision = Precision::kNanoseconds;
  // When set, every line must carry this value in the table's tenant tag.
  std::optional<std::string> tenant_scope;
  // Timestamp for lines without one; nullopt: the server's clock at write time.
  std::optional<int64_t> default_time_ns;
};

struct InputLine {
  std::string_view text;  // without the trailing newline
  uint64_t line_number = 0;
};

struct LineRejection {
  uint64_t line_number = 0;
  std::string reason;
};

struct WriteReport {
  uint64_t accepted = 0;
  std::vector<LineRejection> rejected;
  // Pass to Engine::sync to wait until every accepted line is durable.
  uint64_t lsn = 0;
};

// A write batch parsed by Engine::prepare_write() and not yet written. It refers to
// the text of the lines it was prepared from, which must stay alive and unchanged
// until it is written or destroyed.
class PreparedWrite {
 public:
  virtual ~PreparedWrite() = default;
};

// One readable block of a table snapshot: statistics without decoding, rows on load().
class BlockSource {
 public:
  virtual ~BlockSource() = default;
  virtual const storage::BlockStats& stats() const = 0;
  // For a block of a segment file: the statistics of all the segment's blocks
  // together (storage::total_of), null when unknown. Null for a block in memory.
  virtual const storage::BlockStats* segment_totals() const { return nullptr; }
  // Decodes (or returns the in-memory) block. kCorruption names the file on bad bytes.
  virtual Result<std::shared_ptr<const storage::Block>> load() const = 0;
  // The columns named in `names` (others read as NULL) and, unless `with_time` is
  // false, the time column, for queries: a segment block decodes only those,
  // through the block cache. Without `with_time` a source may still include time.
  virtual Result<LoadedBlock> load_columns(std::span<const std::string> names,
                                           bool with_time = true) const {
    (void)with_time;  // an in-memory block has its time column at hand
    TESSERA_ASSIGN_OR_RETURN(std::shared_ptr<const storage::Block> whole, load());
    return LoadedBlock::project(whole, names);
  }
  // The runs of the tag column `tag` and the statistics of column `value` over
  // each (storage::TagRunStats; `value` empty: the runs alone), for queries that
  // fold a block grouped by `tag` run by run. Null when the block lacks the tag or
  // its runs average fewer than kMinAverageTagRun rows. kInternal when `value` is
  // given but the block lacks it. A segment block keeps them in the block cache,
  // with its database's ids of the tag values (TagRunStats::value_ids); an
  // in-memory block computes them on each call, without ids.
  virtual Result<std::shared_ptr<const storage::TagRunStats>> tag_run_stats(
      const std::string& tag, const std::string& value) const;
  // The float column `value`'s values sorted within each run of rows over which
  // every one of `tags` (at most kMaxSortedRunTags) keeps its value
  // (storage::SortedRunValues), for queries whose groups and FILTER cover whole
  // runs. Null when the block lacks `value` or it is not a float column, when the
  // runs average fewer than kMinAverageTagRun rows, and for a block in memory (sorting
  // on every query would cost more than reading its rows). A segment block keeps
  // them in the block cache: the first query pays the sort; with `compute` false,
  // null unless they are there already (a lookup that sorts nothing).
  virtual Result<std::shared_ptr<const storage::SortedRunValues>> sorted_run_values(
      std::span<const std::string> tags, const std::string& value, bool compute) const {
    (void)tags;
    (void)value;
    (void)compute;
    return std::shared_ptr<const storage::SortedRunValues>();
  }
  // False when sorted_run_values never gives any (a block in memory): callers then
  // skip what they would check before asking.
  virtual bool keeps_sorted_run_values() const { return false; }
};

// Below this average run length a block's rows are read instead of its tag runs
// folded: per-run statistics would cost more than the rows they stand for.
inline constexpr size_t kMinAverageTagRun = 16;
inline constexpr size_t kMaxSortedRunTags = 3;

struct BlockView {
  // Kept alive by the TableSnapshot holding the view (TableSnapshot::owners): a
  // snapshot of a month of a table views thousands of blocks, and taking a reference
  // on each one's source, then dropping it, was a third of a small query's time.
  const BlockSource* source = nullptr;
  // For tables with a dedup key: live_rows->rows()[i] == 0 when row i was replaced by
  // a later write. Null when every row is live.
  LiveRows live_rows;
};

// Inclusive bounds on the row times a reader wants.
struct TimeRange {
  int64_t min_ns = std::numeric_limits<int64_t>::min();
  int64_t max_ns = std::numeric_limits<int64_t>::max();
};

// A consistent read view of one table: what was written before snapshot() began.
struct TableSnapshot {
  TableSchema schema;
  std::vector<BlockView> blocks;
  // Blocks left out because their partition lies outside the requested TimeRange.
  size_t blocks_outside_range = 0;
  // Blocks [begin, end) of `blocks` that are one sorted segment, in the order of the
  // table's sort key (engine/partition_sort.h): from one block to the next, the values
  // of the tenant column never decrease (a block's largest is at most the next one's
  // smallest), and blocks holding only NULL there come first. A query for one tenant
  // finds its blocks in a run by binary search instead of checking each. Blocks in no
  // run (unsorted rows in memory, segments awaiting compaction) are checked one by one.
  struct SortedRun {
    size_t begin = 0;
    size_t end = 0;
    // The statistics of the run's blocks together (the segment's totals), or null:
    // a query folds the whole run in one step when they show every row in one group.
    const storage::BlockStats* totals = nullptr;
  };
  std::vector<SortedRun> sorted_runs;
  // What the views of `blocks` point to: the partitions' block lists, shared with
  // the engine, and the sources of blocks held in memory.
  std::vector<std::shared_ptr<const void>> owners;

  // Appends a view of `source`, which the snapshot then keeps alive.
  void add_block(std::shared_ptr<const BlockSource> source, LiveRows live_rows = nullptr) {
    blocks.push_back({source.get(), std::move(live_rows)});
    owners.push_back(std::move(source));
  }
};

struct EngineStats {
  uint64_t rows_written = 0;
  uint64_t lines_rejected = 0;
  uint64_t flushes = 0;
  uint64_t segments = 0;
  uint64_t wal_syncs = 0;
  uint64_t head_rows = 0;
  // Segment files that could not be opened, each "<path>: <reason>"; queries of
  // their tables fail with kCorruption naming the file (docs/durability.md).
  std::vector<std::string> damaged_files;
  // Partitions merged into one segment by compaction, and dropped by retention.
  uint64_t compactions = 0;
  uint64_t partitions_dropped = 0;
  // Times a query's snapshot indexed a dedup partition anew: a flush or compaction
  // replaced its blocks without an index ready, or the snapshot was older than the
  // index kept. The flush or compaction indexes ahead the partitions snapshots use.
  uint64_t dedup_reindexes = 0;
  // Blocks a query's snapshot added to a dedup partition's index: sealed since
  // the index was last brought up to date and not yet added by the write that
  // sealed them (it adds them itself where snapshots keep an index), or indexed anew.
  uint64_t dedup_blocks_indexed_by_snapshots = 0;
};

class Engine {
 public:
  // Opens (creating if needed) the data directory, loads the catalog and segment
  // manifest, and replays the write-ahead log. kIoError / kCorruption on failure.
  static Result<std::unique_ptr<Engine>> open(const EngineOptions& options);
  virtual ~Engine() = default;

  // Parses and applies data lines (control lines are the caller's). Accepted rows are
  // appended to the write-ahead log and visible to snapshots taken after return;
  // they are durable once sync(report.lsn) returns ok. A rejected line creates nothing.
  // kIoError when the log append failed: nothing of the batch was applied, and a later
  // write may succeed (once the disk has space) unless the log had to be closed
  // (docs/durability.md, "Failures").
  virtual Result<WriteReport> write(std::span<const InputLine> lines,
                                    const WriteOptions& options) = 0;
  // write() in two halves, so that a caller can parse its next batch while the
  // previous one is applied: prepare_write() does the part that takes no lock (parsing
  // the lines), write_prepared() the rest. write_prepared(prepare_write(l, o)) has
  // exactly the effect and result of write(l, o). Both are thread-safe; batches are
  // applied in the order of their write_prepared() calls.
  // Requires: `prepared` came from this engine's prepare_write().
  virtual std::unique_ptr<PreparedWrite> prepare_write(std::span<const InputLine> lines,
                                                       const WriteOptions& options);
  virtual Result<WriteReport> write_prepared(std::unique_ptr<PreparedWrite> prepared);
  // Blocks until the log is fsynced through `lsn` (group commit: concurrent callers
  // share one fsync). kIoError when the fsync failed: nothing after it is acknowledged.
  virtual Status sync(uint64_t lsn) = 0;
  // Embedded convenience: splits `text` at '\n' (lines numbered from 1; blank lines and
  // '#' comments skipped), writes them, and syncs before returning.
  virtual Result<WriteReport> write_text(std::string_view text, const WriteOptions& options) = 0;

  // Declares a table. Identical to an existing one: no-op; different: kInvalidInput.
  virtual Status create_table(const TableSchema& schema) = 0;
  virtual std::vector<std::string> table_names() const = 0;  // sorted
  virtual std::optional<TableSchema> schema(std::string_view table) const = 0;
  // kUnknownTable when there is no such table. Blocks whose rows all lie outside
  // `range` may be left out (whole partitions are: a query then never looks at them).
  virtual Result<TableSnapshot> snapshot(std::string_view table, TimeRange range) const = 0;
  Result<TableSnapshot> snapshot(std::string_view table) const {
    return snapshot(table, TimeRange{});
  }

  // Writes buffered rows to segment files and trims the log.
  virtual Status flush() = 0;
  virtual EngineStats stats() const = 0;
};

}  // namespace tessera::engine
