// Database: the engine's write path (admit, log, then apply; group commit), DDL and
// snapshots. Recovery and flush live in database_recovery.cpp and database_flush.cpp.
#include "engine/database.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <utility>

#include "engine/data_dir_layout.h"
#include "engine/dedup.h"
#include "engine/line_protocol/line_parser.h"
#include "engine/retention.h"
#include "engine/schema_on_write.h"
#include "engine/wal_record.h"
#include "storage/base/file_io.h"
#include "storage/segment/segment_format.h"

namespace tessera::engine {

namespace fs = std::filesystem;

Result<std::unique_ptr<Engine>> Engine::open(const EngineOptions& options) {
  TESSERA_ASSIGN_OR_RETURN(auto database, Database::open(options));
  return std::unique_ptr<Engine>(std::move(database));
}

namespace {

// Engine's default split of write(): nothing is done ahead, write_prepared() writes.
struct DeferredWrite final : PreparedWrite {
  std::span<const InputLine> lines;
  WriteOptions options;
};

// Database's: the lines parsed, waiting for the write lock.
struct ParsedBatch final : PreparedWrite {
  struct Line {
    const InputLine* input;
    const ParsedLine* parsed;  // in `parsed`
    bool had_timestamp;
  };
  WriteOptions options;
  WriteReport report;  // the lines that did not parse, so far
  std::vector<Line> lines;
  // Parsing targets, the first `used` filled by this batch; the rest keep their
  // capacity for a later batch.
  std::vector<ParsedLine> parsed;
  size_t used = 0;
};

// Spare parsed-line vectors: at most this many, of at most kMaxSpareParsedLines
// lines, each line keeping at most kMaxSpareParsedLineBytes of heap (an ordinary
// line keeps about 1.5 KiB); so they hold at most 4 * 2048 * 4 KiB = 32 MiB.
constexpr size_t kMaxSpareParsedBatches = 4;
constexpr size_t kMaxSpareParsedLines = 2048;
constexpr size_t kMaxSpareParsedLineBytes = 4096;

// Heap bytes `line` keeps (roughly: capacities, inline string buffers included).
size_t retained_bytes(const ParsedLine& line) {
  size_t bytes = line.measurement.capacity();
  bytes += line.tags.capacity() * sizeof(line.tags[0]);
  for (const auto& [key, value] : line.tags) bytes += key.capacity() + value.capacity();
  bytes += line.fields.capacity() * sizeof(ParsedField);
  for (const ParsedField& field : line.fields) {
    bytes += field.key.capacity() + field.string_value.capacity();
  }
  return bytes;
}

// Makes `parsed` fit to be a spare: lines that grew too large start afresh.
void trim_spare(std::vector<ParsedLine>& parsed, size_t used) {
  if (parsed.size() > kMaxSpareParsedLines) parsed.resize(kMaxSpareParsedLines);
  // Only the lines this batch filled can have grown; the others were trimmed before.
  for (size_t i = 0; i < std::min(used, parsed.size()); ++i) {
    if (retained_bytes(parsed[i]) > kMaxSpareParsedLineBytes) parsed[i] = ParsedLine{};
  }
}

}  // namespace

std::unique_ptr<PreparedWrite> Engine::prepare_write(std::span<const InputLine> lines,
                                                     const WriteOptions& options) {
  auto deferred = std::make_unique<DeferredWrite>();
  deferred->lines = lines;
  deferred->options = options;
  return deferred;
}

Result<WriteReport> Engine::write_prepared(std::unique_ptr<PreparedWrite> prepared) {
  auto* deferred = dynamic_cast<DeferredWrite*>(prepared.get());
  if (deferred == nullptr) {
    return make_error(ErrorCode::kInternal, "write_prepared: the batch was not prepared here");
  }
  return write(deferred->lines, deferred->options);
}

namespace {

// Start of the partition holding `t`, rounding toward minus infinity; saturates at
// INT64_MIN for the few instants whose partition would start before it.
int64_t partition_start(int64_t t, int64_t interval_ns) {
  int64_t q = t / interval_ns;
  if (t % interval_ns != 0 && t < 0) --q;
  int64_t start = 0;
  if (__builtin_mul_overflow(q, interval_ns, &start)) return INT64_MIN;
  return start;
}

// True when partition [start, start + interval_ns) may hold a time in `range`.
bool partition_overlaps(int64_t start, int64_t interval_ns, const TimeRange& range) {
  int64_t last = 0;
  if (__builtin_add_overflow(start, interval_ns - 1, &last)) last = INT64_MAX;
  return start <= range.max_ns && last >= range.min_ns;
}

int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string_view strip_cr(std::string_view line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

}  // namespace

Database::Database(const EngineOptions& options)
    : options_(options),
      wal_dir_(options.data_dir / kLogDirName),
      segment_dir_(options.data_dir / kSegmentDirName),
      cache_(std::make_shared<BlockCache>(options.block_cache_bytes)) {}

Result<std::unique_ptr<Database>> Database::open(const EngineOptions& options) {
  if (options.max_columns_per_table < 1 ||
      options.max_columns_per_table > storage::segment_format::kMaxColumnsPerBlock) {
    return make_error(ErrorCode::kInvalidInput,
                      "max_columns_per_table must be between 1 and " +
                          std::to_string(storage::segment_format::kMaxColumnsPerBlock) + ", got " +
                          std::to_string(options.max_columns_per_table));
  }
  std::unique_ptr<Database> database(new Database(options));
  TESSERA_RETURN_IF_ERROR(database->recover());
  database->mark_sorted_partitions();
  Database* raw = database.get();
  database->flush_thread_ = std::thread([raw] { raw->flush_loop(); });
  if (options.background_maintenance) {
    database->maintenance_thread_ = std::thread([raw] { raw->maintenance_loop(); });
  }
  return database;
}

Database::~Database() {
  {
    std::lock_guard lock(flush_signal_mu_);
    stopping_ = true;
  }
  flush_signal_.notify_all();
  maintenance_signal_.notify_all();
  if (maintenance_thread_.joinable()) maintenance_thread_.join();
  if (flush_thread_.joinable()) flush_thread_.join();
  // A clean close leaves everything in segments, so the next open replays nothing.
  // After a failed open nothing is flushed: the state may be partly replayed.
  if (is_recovered_) {
    if (Status status = flush(); !status.is_ok())
      log_warning("final flush failed: " + status.to_string());
  }
  if (lock_fd_ >= 0) ::close(lock_fd_);
}

Result<std::shared_ptr<storage::WalWriter>> Database::create_log(uint64_t number) const {
  // create() fsyncs the file and wal/, and removes the file again if it cannot.
  TESSERA_ASSIGN_OR_RETURN(auto writer, storage::WalWriter::create(
                                            wal_dir_ / numbered_file_name(number, kLogExtension)));
  return std::shared_ptr<storage::WalWriter>(std::move(writer));
}

Status Database::start_new_log() {
  const uint64_t number = next_file_number_++;
  TESSERA_ASSIGN_OR_RETURN(wal_, create_log(number));
  wal_number_ = number;
  return Status::ok();
}

Status Database::stage_line(const ParsedLine& line, const std::optional<std::string>& tenant_scope,
                            bool is_replay, StagedWrite& staged) const {
  // The table as the batch's earlier lines leave it.
  const TableSchema* current = nullptr;
  std::optional<TableSchema> fresh;
  if (staged.last_schema != nullptr && staged.last_table == line.measurement) {
    current = staged.last_schema;
  } else if (auto s = staged.schemas.find(line.measurement); s != staged.schemas.end()) {
    current = &s->second;
  } else if (auto t = tables_.find(line.measurement); t != tables_.end()) {
    current = &t->second.schema;
  } else {
    fresh = default_schema(line.measurement);
    current = &*fresh;
  }
  if (!fresh && current != staged.last_schema) {
    staged.last_table = line.measurement;
    staged.last_schema = current;
  }
  // A line shaped like the previous admitted one, in the same table, fits as that one
  // did (its columns exist now, with its kinds and types): only its tenant can differ.
  const StagedWrite::Row* previous = staged.rows.empty() ? nullptr : &staged.rows.back();
  const bool is_same_shape =
      previous != nullptr && has_same_shape(line, *staged.shapes[previous->shape].example);
  std::vector<ColumnDef> added;
  if (is_same_shape) {
    TESSERA_RETURN_IF_ERROR(check_tenant_scope(*current, line, tenant_scope));
  } else {
    TESSERA_ASSIGN_OR_RETURN(
        added,
        admit_line(*current, line, tenant_scope,
                   is_replay ? SIZE_MAX : options_.max_columns_per_table, staged.column_hints));
  }
  // A row for a partition retention has dropped (or would drop) is refused rather than
  // accepted and silently dropped again; replayed lines were accepted in their time.
  const int64_t row_partition = partition_start(*line.timestamp_ns, current->options.partition_ns);
  if (!is_replay && current->options.retention_ns &&
      is_partition_expired(row_partition, current->options.partition_ns,
                           current->options.retention_ns, clock_now_ns())) {
    return make_error(ErrorCode::kInvalidInput,
                      "timestamp " + std::to_string(*line.timestamp_ns) + " is older than the " +
                          std::to_string(*current->options.retention_ns / kNanosPerSecond) +
                          " s retention of table \"" + line.measurement + "\"");
  }
  TESSERA_RETURN_IF_ERROR(
      cardinality_.admit_pending(line.measurement, line.tags, !is_replay, &staged.series));
  if (fresh || !added.empty()) {
    // try_emplace copies only when the batch has not staged this table yet.
    TableSchema& next = staged.schemas.try_emplace(line.measurement, *current).first->second;
    for (ColumnDef& def : added) next.columns.push_back(std::move(def));
    // The table's staged schema is now `next`, for this batch's later lines.
    staged.last_table = line.measurement;
    staged.last_schema = &next;
  }
  if (!is_same_shape) staged.shapes.push_back(shape_of(line, *staged.last_schema));
  staged.rows.push_back({&line, static_cast<uint32_t>(staged.shapes.size() - 1)});
  return Status::ok();
}

void Database::build_rows(StagedWrite& staged) const {
  static constexpr size_t kNoSlot = SIZE_MAX;
  struct Target {
    const TableSchema* schema = nullptr;
    BlockBuilder rows;
    std::vector<size_t> slots;  // the builder's slot of each schema column, or kNoSlot
  };
  std::vector<Target> targets;
  std::map<std::pair<std::string_view, int64_t>, size_t> target_of;  // (table, partition)
  // Consecutive rows mostly share their table and partition: the last one is tried first.
  const std::string* last_table = nullptr;
  int64_t last_start = 0;
  Target* target = nullptr;
  for (const StagedWrite::Row& row : staged.rows) {
    const ParsedLine* line = row.line;
    const int64_t t = *line->timestamp_ns;
    if (target == nullptr || *last_table != line->measurement ||
        partition_start(t, target->schema->options.partition_ns) != last_start) {
      auto staged_schema = staged.schemas.find(line->measurement);
      const TableSchema& schema = staged_schema != staged.schemas.end()
                                      ? staged_schema->second
                                      : tables_.find(line->measurement)->second.schema;
      last_table = &line->measurement;
      last_start = partition_start(t, schema.options.partition_ns);
      auto [at, is_new] = target_of.try_emplace({line->measurement, last_start}, targets.size());
      if (is_new) {
        targets.push_back({&schema, {}, std::vector<size_t>(schema.columns.size(), kNoSlot)});
      }
      target = &targets[at->second];
    }
    BlockBuilder& rows = target->rows;
    auto slot = [target](uint32_t column) {
      size_t& slot = target->slots[column];
      if (slot == kNoSlot) {
        const ColumnDef& def = target->schema->columns[column];
        slot = target->rows.slot_of(def.name, def.type);
      }
      return slot;
    };
    // The shape's columns are those of the table's staged schema (columns are only
    // ever appended), so they index `target->schema` and its slots.
    const std::vector<uint32_t>& columns = staged.shapes[row.shape].columns;
    rows.begin_row(t);
    size_t position = 0;
    for (const auto& tag : line->tags) rows.set_string_at(slot(columns[position++]), tag.second);
    for (const ParsedField& field : line->fields) {
      const uint32_t column = columns[position++];
      switch (target->schema->columns[column].type) {
        case storage::ColumnType::kInt64:
          rows.set_int_at(slot(column), field.int_value);
          break;
        case storage::ColumnType::kFloat64:
          rows.set_float_at(slot(column), field.type == storage::ColumnType::kInt64
                                              ? static_cast<double>(field.int_value)
                                              : field.float_value);
          break;
        case storage::ColumnType::kBool:
          rows.set_bool_at(slot(column), field.bool_value);
          break;
        case storage::ColumnType::kString:
          rows.set_string_at(slot(column), field.string_value);
          break;
      }
    }
  }
  staged.partitions.clear();
  for (const auto& [key, index] : target_of) {
    staged.partitions.push_back({std::string(key.first), key.second, targets[index].rows.take()});
  }
}

void Database::commit_staged(StagedWrite& staged) {
  for (auto& [name, schema] : staged.schemas) {
    auto it = tables_.find(name);
    if (it == tables_.end()) {
      tables_.emplace(name, Table{std::move(schema), {}});
    } else {
      it->second.schema = std::move(schema);
    }
  }
  cardinality_.commit(std::move(staged.series));
  for (StagedWrite::PartitionRows& built : staged.partitions) {
    Table& table = tables_.find(built.table)->second;
    Partition& partition = table.partitions[built.partition_start];
    const storage::Block& rows = built.rows;
    bool sealed = false;
    for (size_t at = 0; at < rows.row_count();) {
      // The head is sealed as it fills: it has room for a row (block_rows 0 seals each).
      const size_t head_rows = partition.head.row_count();
      const size_t room = options_.block_rows > head_rows ? options_.block_rows - head_rows : 1;
      const size_t take = std::min(room, rows.row_count() - at);
      partition.head.append_rows(rows, at, at + take);
      at += take;
      sealed |= seal_if_full(partition);
    }
    if (sealed && table.schema.has_dedup()) {
      staged.sealed.emplace_back(built.table, built.partition_start);
    }
  }
  head_rows_ += staged.rows.size();
}

bool Database::seal_if_full(Partition& partition) {
  if (partition.head.row_count() < options_.block_rows) return false;
  partition.sealed.push_back(std::make_shared<MemoryBlockSource>(
      std::make_shared<const storage::Block>(partition.head.take())));
  partition.blocks_version = ++last_blocks_version_;
  return true;
}

Status Database::apply_create_table(const TableSchema& schema) {
  if (tables_.contains(schema.name)) return Status::ok();
  tables_.emplace(schema.name, Table{schema, {}});
  return Status::ok();
}

Status Database::append_log(std::string_view payload, uint64_t* lsn) {
  uint64_t before = wal_->size_bytes();
  auto appended = wal_->append(payload);
  if (!appended) {
    if (wal_->is_failed()) {
      // The log may end in a partial record that could not be removed: records after
      // it would be unreadable at replay, so it takes nothing more.
      wal_failure_ = Error{ErrorCode::kIoError,
                           "write-ahead log append failed (" + appended.error().message +
                               "); writes are refused until the process restarts and replays "
                               "the log (docs/durability.md)"};
      return *wal_failure_;
    }
    // Nothing was logged (the writer removed the partial record) and nothing applied:
    // the write failed as a whole, and the next one may succeed once there is space.
    return make_error(appended.error().code, "write-ahead log append failed (" +
                                                 appended.error().message +
                                                 "); nothing of this write was applied");
  }
  log_position_ += wal_->size_bytes() - before;
  *lsn = log_position_;
  group_commit_.appended(wal_, log_position_);
  return Status::ok();
}

Result<WriteReport> Database::write(std::span<const InputLine> lines, const WriteOptions& options) {
  return write_prepared(prepare_write(lines, options));
}

std::unique_ptr<PreparedWrite> Database::prepare_write(std::span<const InputLine> lines,
                                                       const WriteOptions& options) {
  auto batch = std::make_unique<ParsedBatch>();
  {
    std::lock_guard lock(spare_parsed_mu_);
    if (!spare_parsed_.empty()) {
      batch->parsed = std::move(spare_parsed_.back());
      spare_parsed_.pop_back();
    }
  }
  batch->options = options;
  const int64_t default_time_ns = options.default_time_ns.value_or(now_ns());
  // Sized up front: `lines` keeps pointers into it.
  if (batch->parsed.size() < lines.size()) batch->parsed.resize(lines.size());
  batch->lines.reserve(lines.size());
  WriteReport& report = batch->report;
  size_t& used = batch->used;
  for (const InputLine& input : lines) {
    if (input.text.size() > options_.max_line_bytes) {
      report.rejected.push_back(
          {input.line_number,
           "line exceeds " + std::to_string(options_.max_line_bytes) + " bytes"});
      continue;
    }
    // A line that fails leaves its slot to the next one.
    ParsedLine& parsed = batch->parsed[used];
    if (Status status = parse_line(input.text, options.precision, parsed); !status.is_ok()) {
      report.rejected.push_back({input.line_number, status.message()});
      continue;
    }
    bool had_timestamp = parsed.timestamp_ns.has_value();
    if (!had_timestamp) parsed.timestamp_ns = default_time_ns;
    batch->lines.push_back({&input, &parsed, had_timestamp});
    ++used;
  }
  return batch;
}

Result<WriteReport> Database::write_prepared(std::unique_ptr<PreparedWrite> prepared) {
  auto* batch = dynamic_cast<ParsedBatch*>(prepared.get());
  if (batch == nullptr) {
    return make_error(ErrorCode::kInternal, "write_prepared: the batch was not prepared here");
  }
  const WriteOptions& options = batch->options;
  WriteReport report = std::move(batch->report);

  if (head_rows_ >= 2 * options_.flush_threshold_rows) {
    // Backpressure: the flusher is behind; help it rather than grow without bound.
    TESSERA_RETURN_IF_ERROR(flush());
  }

  bool wants_flush = false;
  std::vector<std::pair<std::string, int64_t>> sealed;
  {
    std::lock_guard writer(write_mu_);
    StagedWrite staged;
    std::shared_lock lock(mu_);
    if (wal_failure_) return *wal_failure_;
    std::string log_body;
    for (const ParsedBatch::Line& p : batch->lines) {
      Status admitted = stage_line(*p.parsed, options.tenant_scope, /*is_replay=*/false, staged);
      if (!admitted.is_ok()) {
        report.rejected.push_back({p.input->line_number, admitted.message()});
        continue;
      }
      ++report.accepted;
      // The log holds canonical lines with nanosecond timestamps; most input already is.
      if (p.had_timestamp && options.precision == Precision::kNanoseconds) {
        log_body += strip_cr(p.input->text);
      } else {
        log_body += format_line(*p.parsed);
      }
      log_body += '\n';
    }
    report.lsn = log_position_;
    // Logged first, applied after: if the append fails nothing of this write is
    // visible, and nothing in memory lacks its log record.
    if (!log_body.empty()) {
      TESSERA_RETURN_IF_ERROR(
          append_log(encode_wal_record(WalRecordType::kLines, log_body), &report.lsn));
    }
    build_rows(staged);
    lock.unlock();
    // Readers wait only for the built rows to be appended. write_mu_ keeps every other
    // change to the tables and the log out until then.
    std::unique_lock exclusive(mu_);
    commit_staged(staged);
    wants_flush = head_rows_ >= options_.flush_threshold_rows;
    sealed = std::move(staged.sealed);
  }
  for (const auto& [table, partition_start] : sealed) index_sealed(table, partition_start);
  std::sort(
      report.rejected.begin(), report.rejected.end(),
      [](const LineRejection& a, const LineRejection& b) { return a.line_number < b.line_number; });
  rows_written_ += report.accepted;
  lines_rejected_ += report.rejected.size();
  // The slot of a line that failed to parse was reused by the next one, or is
  // batch->parsed[used]: it may have grown too.
  trim_spare(batch->parsed, batch->used + 1);
  {
    std::lock_guard lock(spare_parsed_mu_);
    if (spare_parsed_.size() < kMaxSpareParsedBatches) {
      spare_parsed_.push_back(std::move(batch->parsed));
    }
  }
  if (wants_flush) {
    std::lock_guard lock(flush_signal_mu_);
    flush_requested_ = true;
    flush_signal_.notify_one();
  }
  return report;
}

Status Database::sync(uint64_t lsn) { return group_commit_.sync(lsn); }

Result<WriteReport> Database::write_text(std::string_view text, const WriteOptions& options) {
  std::vector<InputLine> lines;
  uint64_t number = 0;
  while (!text.empty()) {
    size_t end = text.find('\n');
    std::string_view line = strip_cr(text.substr(0, end));
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
    ++number;
    if (line.find_first_not_of(" \t") == std::string_view::npos || line.front() == '#') continue;
    lines.push_back({line, number});
  }
  TESSERA_ASSIGN_OR_RETURN(WriteReport report, write(lines, options));
  TESSERA_RETURN_IF_ERROR(sync(report.lsn));
  return report;
}

Status Database::create_table(const TableSchema& schema) {
  if (schema.columns.empty() || schema.columns[0].kind != ColumnKind::kTime) {
    return make_error(ErrorCode::kInternal, "schema of " + schema.name + " lacks its time column");
  }
  TESSERA_RETURN_IF_ERROR(check_table_definition(schema, options_.max_columns_per_table));
  uint64_t lsn = 0;
  {
    std::lock_guard writer(write_mu_);
    std::unique_lock lock(mu_);
    if (wal_failure_) return *wal_failure_;
    if (auto it = tables_.find(schema.name); it != tables_.end()) {
      const TableSchema& existing = it->second.schema;
      bool same = existing.options == schema.options;
      for (const ColumnDef& def : schema.columns) {
        const ColumnDef* have = existing.find(def.name);
        same = same && have != nullptr && *have == def;
      }
      if (same) return Status::ok();
      return make_error(ErrorCode::kInvalidInput,
                        "table \"" + schema.name + "\" already exists with another definition");
    }
    // Logged first, as writes are: a failed append creates nothing.
    TESSERA_RETURN_IF_ERROR(
        append_log(encode_wal_record(WalRecordType::kCreateTable, encode_schema(schema)), &lsn));
    TESSERA_RETURN_IF_ERROR(apply_create_table(schema));
  }
  return sync(lsn);
}

std::vector<std::string> Database::table_names() const {
  std::shared_lock lock(mu_);
  std::vector<std::string> names;
  for (const auto& [name, table] : tables_) names.push_back(name);
  return names;
}

std::optional<TableSchema> Database::schema(std::string_view table) const {
  std::shared_lock lock(mu_);
  auto it = tables_.find(table);
  if (it == tables_.end()) return std::nullopt;
  return it->second.schema;
}

Result<TableSnapshot> Database::snapshot(std::string_view table_name, TimeRange range) const {
  // A retry sees blocks at least as new as the index that turned the last try away;
  // only a flush, compaction or sealed block in between can turn it away again.
  constexpr int kTries = 3;
  for (int attempt = 1;; ++attempt) {
    TESSERA_ASSIGN_OR_RETURN(std::optional<TableSnapshot> snapshot,
                             try_snapshot(table_name, range, attempt == kTries));
    if (snapshot) return std::move(*snapshot);
  }
}

Result<std::optional<TableSnapshot>> Database::try_snapshot(std::string_view table_name,
                                                            TimeRange range, bool last_try) const {
  struct PartitionView {
    int64_t start;
    std::shared_ptr<const SourceList> persisted;
    std::vector<std::shared_ptr<const MemoryBlockSource>> sealed;
    std::shared_ptr<const MemoryBlockSource> head;  // copy of the unsealed rows, or null
    bool is_duplicate_free;  // one sorted segment and nothing else: no dedup index needed
    bool is_sorted;          // `persisted` is one sorted segment
    uint64_t blocks_version;
  };
  TableSnapshot snapshot;
  std::vector<PartitionView> partitions;
  std::shared_ptr<DedupCache> dedup;
  {
    std::shared_lock lock(mu_);
    auto it = tables_.find(table_name);
    if (it == tables_.end()) {
      return make_error(ErrorCode::kUnknownTable,
                        "table \"" + std::string(table_name) + "\" does not exist");
    }
    if (auto damaged = damaged_tables_.find(table_name); damaged != damaged_tables_.end()) {
      return make_error(ErrorCode::kCorruption, "table \"" + std::string(table_name) +
                                                    "\" has a damaged segment: " + damaged->second);
    }
    snapshot.schema = it->second.schema;
    dedup = it->second.dedup;
    const int64_t interval_ns = snapshot.schema.options.partition_ns;
    for (const auto& [start, partition] : it->second.partitions) {
      if (!partition_overlaps(start, interval_ns, range)) {
        snapshot.blocks_outside_range += partition.persisted->size() + partition.sealed.size() +
                                         (partition.head.row_count() > 0 ? 1 : 0);
        continue;
      }
      const bool is_duplicate_free = partition.is_single_sorted_segment &&
                                     partition.sealed.empty() && partition.head.row_count() == 0;
      PartitionView& view = partitions.emplace_back(
          PartitionView{start, partition.persisted, partition.sealed, nullptr, is_duplicate_free,
                        partition.is_single_sorted_segment, partition.blocks_version});
      view.head = partition.head_copy->of(partition.head);
    }
  }
  size_t block_count = 0;
  for (const PartitionView& view : partitions) {
    block_count += view.persisted->size() + view.sealed.size() + (view.head ? 1 : 0);
  }
  snapshot.blocks.reserve(block_count);
  for (PartitionView& view : partitions) {
    const SourceList& persisted = *view.persisted;
    std::vector<LiveRows> live(persisted.size() + view.sealed.size() + (view.head ? 1 : 0));
    if (snapshot.schema.has_dedup() && !view.is_duplicate_free) {
      SourceList stable = persisted;
      stable.insert(stable.end(), view.sealed.begin(), view.sealed.end());
      TESSERA_ASSIGN_OR_RETURN(std::optional<std::vector<LiveRows>> masks,
                               dedup_partition(*dedup, view.start, view.blocks_version,
                                               snapshot.schema.options.dedup_columns, stable,
                                               view.head ? view.head->block() : nullptr, last_try));
      if (!masks) return std::optional<TableSnapshot>();
      live = std::move(*masks);
    }
    if (view.is_sorted && !persisted.empty() && snapshot.schema.options.tenant_column) {
      snapshot.sorted_runs.push_back({snapshot.blocks.size(),
                                      snapshot.blocks.size() + persisted.size(),
                                      persisted.front()->segment_totals()});
    }
    // The persisted blocks are viewed through one reference to their list.
    for (size_t i = 0; i < persisted.size(); ++i) {
      snapshot.blocks.push_back({persisted[i].get(), std::move(live[i])});
    }
    snapshot.owners.push_back(std::move(view.persisted));
    for (size_t i = 0; i < view.sealed.size(); ++i) {
      snapshot.add_block(std::move(view.sealed[i]), std::move(live[persisted.size() + i]));
    }
    if (view.head) {
      snapshot.add_block(std::move(view.head), std::move(live.back()));
    }
  }
  return std::optional(std::move(snapshot));
}

Result<std::optional<std::vector<LiveRows>>> Database::dedup_partition(
    DedupCache& cache, int64_t partition_start, uint64_t blocks_version,
    const std::vector<std::string>& key_columns,
    const std::vector<std::shared_ptr<const BlockSource>>& stable,
    const std::shared_ptr<const storage::Block>& head, bool last_try) {
  // The index of a snapshot older than the kept one, on its last try; freed after
  // the lock is released.
  PartitionDedup own;
  std::lock_guard lock(cache.mu);
  PartitionDedup& kept = cache.partitions[partition_start];
  const bool is_older = kept.index && kept.blocks_version > blocks_version;
  if (is_older && !last_try) return std::optional<std::vector<LiveRows>>();
  PartitionDedup& entry = is_older ? own : kept;
  entry.blocks_version = blocks_version;
  if (!entry.index || !starts_with(stable, entry.indexed)) {
    // A flush or compaction replaced blocks and had no index ready, or the snapshot is
    // older than the kept index: index anew.
    if (entry.index || is_older) cache.reindexes.fetch_add(1, std::memory_order_relaxed);
    entry.indexed.clear();
    entry.index = std::make_unique<DedupIndex>(key_columns);
  }
  cache.blocks_indexed_by_snapshots.fetch_add(stable.size() - entry.indexed.size(),
                                              std::memory_order_relaxed);
  TESSERA_RETURN_IF_ERROR(index_blocks(entry, key_columns, stable));
  if (!head) return std::optional(entry.index->live_rows(nullptr));
  const LoadedBlock loaded_head = LoadedBlock::project(head, key_columns);
  return std::optional(entry.index->live_rows(&loaded_head));
}

Database::SourceList Database::Partition::blocks_from(size_t persisted_from,
                                                      size_t sealed_from) const {
  SourceList blocks(persisted->begin() + ptrdiff_t(std::min(persisted_from, persisted->size())),
                    persisted->end());
  blocks.insert(blocks.end(), sealed.begin() + ptrdiff_t(std::min(sealed_from, sealed.size())),
                sealed.end());
  return blocks;
}

bool Database::starts_with(const SourceList& list, const SourceList& prefix) {
  return prefix.size() <= list.size() && std::equal(prefix.begin(), prefix.end(), list.begin());
}

Status Database::index_blocks(PartitionDedup& entry, const std::vector<std::string>& key_columns,
                              const std::vector<std::shared_ptr<const BlockSource>>& stable) {
  if (entry.indexed.size() < stable.size()) {
    size_t rows = 0;
    for (const auto& source : stable) rows += source->stats().row_count;
    entry.index->reserve(rows);
  }
  for (size_t i = entry.indexed.size(); i < stable.size(); ++i) {
    // The key columns and time only, through the block cache: a partition re-indexed
    // after a flush decodes three columns of its segment blocks, not all of them.
    TESSERA_ASSIGN_OR_RETURN(LoadedBlock block, stable[i]->load_columns(key_columns));
    entry.index->add(block);
    entry.indexed.push_back(stable[i]);
  }
  return Status::ok();
}

void Database::index_sealed(const std::string& table_name, int64_t partition_start) const {
  std::shared_ptr<DedupCache> cache;
  std::vector<std::string> key_columns;
  SourceList stable;
  uint64_t blocks_version = 0;
  {
    std::shared_lock lock(mu_);
    auto table = tables_.find(table_name);
    if (table == tables_.end()) return;
    auto partition = table->second.partitions.find(partition_start);
    if (partition == table->second.partitions.end()) return;
    cache = table->second.dedup;
    key_columns = table->second.schema.options.dedup_columns;
    stable = partition->second.blocks_from();
    blocks_version = partition->second.blocks_version;
  }
  std::lock_guard lock(cache->mu);
  auto kept = cache->partitions.find(partition_start);
  if (kept == cache->partitions.end()) return;
  PartitionDedup& entry = kept->second;
  if (!entry.index || entry.blocks_version > blocks_version ||
      !starts_with(stable, entry.indexed)) {
    return;
  }
  if (index_blocks(entry, key_columns, stable).is_ok()) entry.blocks_version = blocks_version;
}

std::optional<Database::PartitionDedup> Database::index_ahead(
    DedupCache& cache, const std::string& table, int64_t partition_start,
    const std::vector<std::string>& key_columns, SourceList published, size_t persisted_count,
    size_t sealed_count) const {
  {
    std::lock_guard lock(cache.mu);
    if (!cache.partitions.contains(partition_start)) return std::nullopt;
  }
  PartitionDedup built;
  built.index = std::make_unique<DedupIndex>(key_columns);
  if (!index_blocks(built, key_columns, published).is_ok()) return std::nullopt;
  // Read after the index is built, so that it also covers blocks added meanwhile.
  const SourceList later = blocks_after(table, partition_start, persisted_count, sealed_count);
  published.insert(published.end(), later.begin(), later.end());
  if (!index_blocks(built, key_columns, published).is_ok()) return std::nullopt;
  return built;
}

bool Database::install_index(DedupCache& cache, int64_t partition_start, PartitionDedup& built,
                             PartitionDedup& replaced, bool wait) {
  std::unique_lock lock(cache.mu, std::defer_lock);
  if (wait) {
    lock.lock();
  } else if (!lock.try_lock()) {
    return false;
  }
  PartitionDedup& entry = cache.partitions[partition_start];
  const bool covers_built = entry.index && (entry.blocks_version > built.blocks_version ||
                                            starts_with(entry.indexed, built.indexed));
  if (!covers_built) replaced = std::exchange(entry, std::move(built));
  return true;
}

EngineStats Database::stats() const {
  EngineStats stats;
  stats.rows_written = rows_written_;
  stats.lines_rejected = lines_rejected_;
  stats.flushes = flushes_;
  stats.wal_syncs = group_commit_.syncs();
  stats.compactions = compactions_;
  stats.partitions_dropped = partitions_dropped_;
  stats.damaged_files = damaged_files_;
  std::shared_lock lock(mu_);
  stats.segments = segments_.size();
  stats.head_rows = head_rows_;
  for (const auto& [name, table] : tables_) {
    stats.dedup_reindexes += table.dedup->reindexes.load(std::memory_order_relaxed);
    stats.dedup_blocks_indexed_by_snapshots +=
        table.dedup->blocks_indexed_by_snapshots.load(std::memory_order_relaxed);
  }
  return stats;
}

}  // namespace tessera::engine
