// Database recovery: opening a data directory — create it durably, lock it, load the
// manifest and its segments, remove files an interrupted flush left behind, replay the
// write-ahead log (cutting a torn tail of the newest log; a bad record in an older one
// fails the open). Why each step is safe: docs/format/manifest.md, docs/durability.md.
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <set>

#include "engine/data_dir_layout.h"
#include "engine/database.h"
#include "engine/line_protocol/line_parser.h"
#include "engine/wal_record.h"
#include "storage/base/file_io.h"
#include "storage/segment/segment_reader.h"
#include "storage/wal/wal_reader.h"

namespace tessera::engine {

namespace fs = std::filesystem;

Status Database::recover() {
  // Rows may be acknowledged before the first MANIFEST is written: the directories
  // holding their log must survive a power loss too, so each one created here is
  // fsynced into its parent.
  TESSERA_RETURN_IF_ERROR(storage::create_directories_durably(options_.data_dir));
  TESSERA_RETURN_IF_ERROR(storage::create_directories_durably(wal_dir_));
  TESSERA_RETURN_IF_ERROR(storage::create_directories_durably(segment_dir_));

  fs::path lock_path = options_.data_dir / kLockFileName;
  lock_fd_ = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (lock_fd_ < 0 || ::flock(lock_fd_, LOCK_EX | LOCK_NB) != 0) {
    return make_error(ErrorCode::kUnavailable, "data directory " + options_.data_dir.string() +
                                                   " is in use by another process");
  }

  fs::path manifest_path = options_.data_dir / kManifestFileName;
  Manifest manifest;
  if (fs::exists(manifest_path)) {
    TESSERA_ASSIGN_OR_RETURN(std::string text, storage::read_file(manifest_path));
    auto decoded = decode_manifest(text);
    if (!decoded) {
      return make_error(ErrorCode::kCorruption,
                        manifest_path.string() + ": " + decoded.error().message);
    }
    manifest = std::move(decoded).value();
  }
  wal_start_ = manifest.wal_start;
  next_file_number_ = manifest.next_file_number;
  for (TableSchema& schema : manifest.tables) {
    std::string name = schema.name;
    tables_[name].schema = std::move(schema);
  }
  std::set<std::string> live_segments;
  for (const ManifestSegment& segment : manifest.segments) {
    auto table = tables_.find(segment.table);
    if (table == tables_.end()) {
      return make_error(ErrorCode::kCorruption, manifest_path.string() + ": segment " +
                                                    segment.file_name + " of unknown table " +
                                                    segment.table);
    }
    // Keep it in the manifest either way: the rows are only in this file.
    segments_.push_back(segment);
    live_segments.insert(segment.file_name);
    auto opened = storage::SegmentReader::open(segment_dir_ / segment.file_name);
    if (!opened) {
      // One bad file must not take the other tables down: open, and let every query of
      // this table report the damage instead of answering from part of its data.
      std::string damage = opened.error().message;
      if (damage.find(segment.file_name) == std::string::npos)
        damage = (segment_dir_ / segment.file_name).string() + ": " + damage;
      log_warning("table " + segment.table + " is unreadable: damaged segment " + damage);
      damaged_files_.push_back(damage);
      damaged_tables_.emplace(segment.table, damage);
      continue;
    }
    auto reader = std::move(opened).value();
    Partition& partition = table->second.partitions[segment.partition_start_ns];
    auto persisted = std::make_shared<SourceList>(*partition.persisted);
    for (size_t i = 0; i < reader->block_count(); ++i) {
      persisted->push_back(std::make_shared<SegmentBlockSource>(reader, i, cache_,
                                                                next_cache_key_++, tag_value_ids_));
    }
    partition.persisted = std::move(persisted);
  }

  // Segment files the manifest does not name come from a flush that crashed before
  // publishing; the log still holds their rows.
  for (const auto& entry : fs::directory_iterator(segment_dir_)) {
    std::string name = entry.path().filename().string();
    if (auto number = file_number(entry.path(), kSegmentExtension)) {
      next_file_number_ = std::max(next_file_number_, *number + 1);
    }
    if (!live_segments.contains(name)) {
      log_warning("removing unpublished segment file " + entry.path().string());
      std::error_code ec;
      fs::remove(entry.path(), ec);
    }
  }

  std::vector<std::pair<uint64_t, fs::path>> logs;
  for (const auto& entry : fs::directory_iterator(wal_dir_)) {
    if (auto number = file_number(entry.path(), kLogExtension))
      logs.emplace_back(*number, entry.path());
  }
  std::sort(logs.begin(), logs.end());
  // The logs to replay; the newest of them is the only one that may end torn.
  std::vector<fs::path> live_logs;
  for (const auto& [number, path] : logs) {
    next_file_number_ = std::max(next_file_number_, number + 1);
    std::error_code ec;
    if (number < wal_start_) {
      fs::remove(path, ec);
      continue;
    }
    // Opened here only to find the files that are no log at all.
    auto opened = storage::WalReader::open(path);
    if (!opened) {
      // A crash right after creating a log file can leave its header incomplete; such
      // a file holds no record, so nothing acknowledged is in it.
      if (opened.error().code == ErrorCode::kCorruption && fs::file_size(path, ec) < 64 && !ec) {
        log_warning("removing log file with an incomplete header: " + path.string());
        fs::remove(path, ec);
        continue;
      }
      return opened.error();
    }
    live_logs.push_back(path);
  }
  for (size_t i = 0; i < live_logs.size(); ++i) {
    TESSERA_RETURN_IF_ERROR(replay_log(live_logs[i], i + 1 == live_logs.size()));
  }
  TESSERA_RETURN_IF_ERROR(start_new_log());
  group_commit_.rotated(wal_, log_position_);
  group_commit_.set_policy(options_.fsync_policy);
  is_recovered_ = true;
  return Status::ok();
}

Status Database::replay_log(const fs::path& path, bool is_newest) {
  TESSERA_ASSIGN_OR_RETURN(std::unique_ptr<storage::WalReader> opened,
                           storage::WalReader::open(path));
  storage::WalReader& reader = *opened;
  while (true) {
    TESSERA_ASSIGN_OR_RETURN(std::optional<std::string> payload, reader.next());
    if (!payload) break;
    TESSERA_ASSIGN_OR_RETURN(WalRecord record, decode_wal_record(*payload));
    if (record.type == WalRecordType::kCreateTable) {
      TESSERA_ASSIGN_OR_RETURN(TableSchema schema, decode_schema(record.body));
      TESSERA_RETURN_IF_ERROR(apply_create_table(schema));
      continue;
    }
    // Parsed first, staged and applied as the write did: line by line against the
    // tables as the record's earlier lines left them.
    std::vector<ParsedLine> lines;
    std::string_view body = record.body;
    while (!body.empty()) {
      size_t end = body.find('\n');
      std::string_view line = body.substr(0, end);
      body = end == std::string_view::npos ? std::string_view() : body.substr(end + 1);
      auto parsed = parse_line(line, Precision::kNanoseconds);
      if (!parsed) {
        return make_error(
            ErrorCode::kCorruption,
            path.string() + ": logged line no longer parses: " + parsed.error().message);
      }
      lines.push_back(std::move(parsed).value());
    }
    StagedWrite staged;
    for (const ParsedLine& line : lines) {
      Status admitted = stage_line(line, std::nullopt, /*is_replay=*/true, staged);
      if (!admitted.is_ok()) {
        return make_error(ErrorCode::kCorruption,
                          path.string() + ": logged line no longer applies: " + admitted.message());
      }
    }
    build_rows(staged);
    commit_staged(staged);
  }
  if (const auto& problem = reader.tail_problem()) {
    if (!is_newest) {
      // Only the newest log can end in a torn write: every older one was fsynced
      // whole before the next was created. So this is damage, and cutting it would
      // silently drop acknowledged rows. The file is left as it is, for repair.
      return make_error(ErrorCode::kCorruption,
                        *problem + " (" + path.filename().string() +
                            " is not the newest log file, so this is damage, not a torn "
                            "write; the file is left untouched)");
    }
    log_warning(path.string() + ": cutting torn log tail at byte " +
                std::to_string(reader.valid_bytes()) + ": " + *problem);
  }
  if (is_newest) {
    // Cuts a torn tail, and makes the records durable before a newer log exists: the
    // previous process may not have fsynced them, and from now on this log is not the
    // newest, so a torn record in it would be taken for damage.
    TESSERA_RETURN_IF_ERROR(storage::truncate_file(path, reader.valid_bytes()));
  }
  return Status::ok();
}

}  // namespace tessera::engine
