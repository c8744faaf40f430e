// Compaction through the Database: every row exactly once, latest write wins across
// segments, concurrent writers and snapshots, dedup indexes built ahead of the first
// snapshot after a flush or compaction, reopen, and the crash points of the swap.
#include "engine/compaction.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <random>
#include <set>
#include <string>
#include <thread>

#include "engine/data_dir_layout.h"
#include "engine/database.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_engine.h"

namespace tessera::engine {
namespace {

namespace fs = std::filesystem;
using tessera::testing::crash_image;
using tessera::testing::TempDir;

std::unique_ptr<Database> open_database(const fs::path& dir, size_t block_rows = 7) {
  EngineOptions options;
  options.data_dir = dir;
  options.block_rows = block_rows;
  options.background_maintenance = false;  // the test decides when to compact
  auto database = Database::open(options);
  EXPECT_TRUE(database.is_ok()) << database.status().to_string();
  return database.is_ok() ? std::move(database).value() : nullptr;
}

TableSchema snap_schema() {
  TableSchema schema;
  schema.name = "snap";
  schema.columns = {{"time", ColumnKind::kTime, storage::ColumnType::kInt64},
                    {"tenant", ColumnKind::kTag, storage::ColumnType::kString},
                    {"entity", ColumnKind::kTag, storage::ColumnType::kString},
                    {"provider", ColumnKind::kTag, storage::ColumnType::kString},
                    {"v", ColumnKind::kField, storage::ColumnType::kInt64}};
  schema.options.dedup_columns = {"tenant", "entity"};
  return schema;
}

std::string tag(const storage::Block& block, const char* name, size_t row) {
  const storage::Column* column = block.find(name);
  return column == nullptr || !column->is_valid(row) ? "NULL" : std::string(column->string_at(row));
}

// Every live row of `table` as "tenant entity time provider v", sorted.
std::vector<std::string> live_rows(const Engine& engine, const std::string& table) {
  auto snapshot = engine.snapshot(table);
  EXPECT_TRUE(snapshot.is_ok()) << snapshot.status().to_string();
  std::vector<std::string> rows;
  if (!snapshot.is_ok()) return rows;
  for (const BlockView& view : snapshot->blocks) {
    auto block = view.source->load();
    EXPECT_TRUE(block.is_ok()) << block.status().to_string();
    if (!block.is_ok()) continue;
    const storage::Block& b = **block;
    const storage::Column* v = b.find("v");
    for (size_t i = 0; i < b.row_count(); ++i) {
      if (view.live_rows && view.live_rows->rows()[i] == 0) continue;
      rows.push_back(tag(b, "tenant", i) + " " + tag(b, "entity", i) + " " +
                     std::to_string(b.time_ns[i]) + " " + tag(b, "provider", i) + " " +
                     (v != nullptr && v->is_valid(i) ? std::to_string(v->ints[i]) : "NULL"));
    }
  }
  std::sort(rows.begin(), rows.end());
  return rows;
}

// Each sorted run of `table`'s snapshot is in tenant order from block to block: a
// block's largest tenant is at most the next one's smallest (queries binary-search it).
void expect_sorted_runs_in_tenant_order(const Engine& engine, const std::string& table) {
  auto snapshot = engine.snapshot(table);
  ASSERT_TRUE(snapshot.is_ok()) << snapshot.status().to_string();
  for (const TableSnapshot::SortedRun& run : snapshot->sorted_runs) {
    ASSERT_LE(run.begin, run.end);
    ASSERT_LE(run.end, snapshot->blocks.size());
    for (size_t b = run.begin; b + 1 < run.end; ++b) {
      const storage::BlockStats& stats = snapshot->blocks[b].source->stats();
      const storage::BlockStats& next = snapshot->blocks[b + 1].source->stats();
      const int i = stats.find("tenant");
      const int j = next.find("tenant");
      ASSERT_GE(i, 0);
      ASSERT_GE(j, 0);
      EXPECT_LE(stats.columns[i].max_string, next.columns[j].min_string) << "block " << b;
    }
  }
}

void write_ok(Engine& engine, const std::string& text) {
  auto report = engine.write_text(text, {});
  ASSERT_TRUE(report.is_ok()) << report.status().to_string();
  ASSERT_TRUE(report->rejected.empty()) << report->rejected[0].reason;
}

TEST(CompactionTest, NeedsCompactionForSeveralSegmentsOrAnUnsortedOne) {
  EXPECT_FALSE(needs_compaction({}));
  std::vector<ManifestSegment> one = {{"t", 0, "1.tsg", true}};
  EXPECT_FALSE(needs_compaction(one));
  one[0].is_sorted = false;
  EXPECT_TRUE(needs_compaction(one));
  std::vector<ManifestSegment> two = {{"t", 0, "1.tsg", true}, {"t", 0, "2.tsg", true}};
  EXPECT_TRUE(needs_compaction(two));
}

TEST(CompactionTest, KeepsEveryRowOnceAndTheLatestWriteAcrossSegments) {
  const uint32_t seed = 20261122;
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937 rng(seed);
  auto pick = [&](uint32_t n) { return rng() % n; };
  TempDir dir;
  auto db = open_database(dir.path());
  ASSERT_TRUE(db->create_table(snap_schema()).is_ok());
  // The model: identity (tenant, entity, time) -> the latest "provider v".
  std::map<std::string, std::string> model;
  int64_t value = 0;
  for (int round = 0; round < 30; ++round) {
    std::string text;
    const uint32_t lines = 1 + pick(25);
    for (uint32_t i = 0; i < lines; ++i) {
      std::string tenant = "t" + std::to_string(pick(3));
      std::string entity = "e" + std::to_string(pick(4));
      std::string provider = "p" + std::to_string(pick(2));
      // Three daily partitions, a few instants in each.
      int64_t time = static_cast<int64_t>(pick(3)) * kNanosPerDay + pick(3);
      ++value;
      text += "snap,tenant=" + tenant + ",entity=" + entity + ",provider=" + provider +
              " v=" + std::to_string(value) + "i " + std::to_string(time) + "\n";
      model[tenant + " " + entity + " " + std::to_string(time)] =
          provider + " " + std::to_string(value);
    }
    write_ok(*db, text);
    if (pick(2) == 0) {
      ASSERT_TRUE(db->flush().is_ok());
    }
    if (pick(4) == 0) {
      ASSERT_TRUE(db->compact().is_ok());
    }
    std::vector<std::string> expected;
    for (const auto& [identity, rest] : model) expected.push_back(identity + " " + rest);
    std::sort(expected.begin(), expected.end());
    ASSERT_EQ(live_rows(*db, "snap"), expected) << "round " << round;
    expect_sorted_runs_in_tenant_order(*db, "snap");
  }
  ASSERT_TRUE(db->flush().is_ok());
  ASSERT_TRUE(db->compact().is_ok());
  EXPECT_GT(db->stats().compactions, 0u);
  EXPECT_EQ(db->stats().segments, 3u);  // one per partition
  // One duplicate-free segment per partition: no row needs a dead mark.
  auto snapshot = db->snapshot("snap");
  ASSERT_TRUE(snapshot.is_ok());
  for (const BlockView& view : snapshot->blocks) EXPECT_EQ(view.live_rows, nullptr);
  // Each partition's segment is one sorted run, and they cover every block.
  ASSERT_EQ(snapshot->sorted_runs.size(), 3u);
  size_t covered = 0;
  for (const TableSnapshot::SortedRun& run : snapshot->sorted_runs) {
    EXPECT_EQ(run.begin, covered);
    covered = run.end;
  }
  EXPECT_EQ(covered, snapshot->blocks.size());
  expect_sorted_runs_in_tenant_order(*db, "snap");
  EXPECT_EQ(live_rows(*db, "snap").size(), model.size());
  std::vector<std::string> before = live_rows(*db, "snap");
  db.reset();
  auto reopened = open_database(dir.path());
  EXPECT_EQ(live_rows(*reopened, "snap"), before);
  EXPECT_EQ(reopened->stats().segments, 3u);
}

TEST(CompactionTest, CompactedBlocksHoldOneTenantEach) {
  TempDir dir;
  auto db = open_database(dir.path(), /*block_rows=*/4);
  write_ok(*db, "m,tenant=b v=1i 5\nm,tenant=a v=2i 6\nm,tenant=b v=3i 1\n");
  ASSERT_TRUE(db->flush().is_ok());
  write_ok(*db, "m,tenant=a v=4i 2\nm,tenant=c v=5i 3\nm,tenant=a v=6i 7\nm,tenant=a v=7i 0\n");
  ASSERT_TRUE(db->flush().is_ok());
  ASSERT_TRUE(db->compact().is_ok());
  auto snapshot = db->snapshot("m");
  ASSERT_TRUE(snapshot.is_ok());
  std::vector<std::string> blocks;
  for (const BlockView& view : snapshot->blocks) {
    const storage::BlockStats& stats = view.source->stats();
    int tenant = stats.find("tenant");
    ASSERT_GE(tenant, 0);
    blocks.push_back(stats.columns[tenant].min_string + stats.columns[tenant].max_string + ":" +
                     std::to_string(stats.row_count));
  }
  // Tenant a has 4 rows (one full block), b 2, c 1; sorted by tenant.
  EXPECT_EQ(blocks, (std::vector<std::string>{"aa:4", "bb:2", "cc:1"}));
}

TEST(CompactionTest, ConcurrentWritesFlushesAndCompactionsLoseNoRow) {
  TempDir dir;
  auto db = open_database(dir.path(), /*block_rows=*/16);
  constexpr int kBatches = 80, kRowsPerBatch = 20;
  std::atomic<bool> is_done{false};
  std::thread writer([&] {
    for (int b = 0; b < kBatches; ++b) {
      std::string text;
      for (int i = 0; i < kRowsPerBatch; ++i) {
        int n = b * kRowsPerBatch + i;
        text += "c,tenant=t" + std::to_string(n % 3) + " n=" + std::to_string(n) + "i " +
                std::to_string((n % 2) * kNanosPerDay + n) + "\n";
      }
      auto report = db->write_text(text, {});
      EXPECT_TRUE(report.is_ok() && report->accepted == kRowsPerBatch);
    }
    is_done = true;
  });
  size_t last_count = 0;
  std::vector<TableSnapshot> held;
  while (!is_done) {
    ASSERT_TRUE(db->flush().is_ok());
    auto snapshot = db->snapshot("c");
    if (snapshot.is_ok()) held.push_back(std::move(snapshot).value());
    ASSERT_TRUE(db->compact().is_ok());
    size_t count = 0;
    if (db->schema("c")) count = live_rows(*db, "c").size();
    EXPECT_GE(count, last_count);  // rows never disappear
    last_count = count;
  }
  writer.join();
  ASSERT_TRUE(db->flush().is_ok());
  ASSERT_TRUE(db->compact().is_ok());
  // Every value exactly once.
  auto snapshot = db->snapshot("c");
  ASSERT_TRUE(snapshot.is_ok());
  std::vector<int64_t> values;
  for (const BlockView& view : snapshot->blocks) {
    auto block = view.source->load();
    ASSERT_TRUE(block.is_ok());
    const storage::Column* n = (*block)->find("n");
    ASSERT_NE(n, nullptr);
    values.insert(values.end(), n->ints.begin(), n->ints.end());
  }
  std::sort(values.begin(), values.end());
  ASSERT_EQ(values.size(), size_t{kBatches * kRowsPerBatch});
  for (size_t i = 0; i < values.size(); ++i) ASSERT_EQ(values[i], static_cast<int64_t>(i));
  // Snapshots taken before compactions still read their (now deleted) files.
  for (const TableSnapshot& old : held) {
    for (const BlockView& view : old.blocks) EXPECT_TRUE(view.source->load().is_ok());
  }
}

// Lines writing value `v` for entity e<e> of tenant t at `time`.
std::string snap_line(int e, int64_t time, int64_t v) {
  return "snap,tenant=t,entity=e" + std::to_string(e) + " v=" + std::to_string(v) + "i " +
         std::to_string(time) + "\n";
}

// Writes rows of tenant t to table snap, each with the next value, and keeps the
// latest value of each key: the live rows a snapshot must show.
class SnapWrites {
 public:
  explicit SnapWrites(Database& db) : db_(db) {}

  // One row for each of entities e0..e(entities - 1) at `time`.
  void write(int entities, int64_t time) {
    std::string text;
    for (int e = 0; e < entities; ++e) {
      text += snap_line(e, time, ++v_);
      latest_["t e" + std::to_string(e) + " " + std::to_string(time)] = v_;
    }
    auto report = db_.write_text(text, {});
    ASSERT_TRUE(report.is_ok() && report->rejected.empty());
  }
  // The latest row of each key, as live_rows() gives them.
  std::vector<std::string> expected() const {
    std::vector<std::string> rows;
    for (const auto& [key, value] : latest_) {
      rows.push_back(key + " NULL " + std::to_string(value));
    }
    std::sort(rows.begin(), rows.end());
    return rows;
  }

 private:
  Database& db_;
  std::map<std::string, int64_t> latest_;  // "t entity time" -> v
  int64_t v_ = 0;
};

// A flush or compaction indexes ahead the dedup partitions snapshots read, so that
// the first snapshot after it does not index them anew on a query's time.
TEST(CompactionTest, SnapshotsAfterFlushesAndCompactionsFindTheIndexReady) {
  TempDir dir;
  auto db = open_database(dir.path(), /*block_rows=*/4);
  ASSERT_TRUE(db->create_table(snap_schema()).is_ok());
  SnapWrites writes(*db);
  // Two days: each restated once in memory, so the partitions need an index.
  for (const int64_t day : {int64_t{0}, kNanosPerDay}) {
    writes.write(10, day + 1);
    writes.write(10, day + 2);
    writes.write(3, day + 1);
  }
  ASSERT_TRUE(db->flush().is_ok());
  writes.write(10, 3);  // rows in memory after the segment: day 0 needs its index
  writes.write(10, kNanosPerDay + 3);
  ASSERT_EQ(live_rows(*db, "snap"), writes.expected());  // the snapshot indexes both partitions
  const uint64_t before = db->stats().dedup_reindexes;

  for (int round = 0; round < 4; ++round) {
    writes.write(4, 1 + round % 3);  // restatements of flushed rows
    writes.write(4, kNanosPerDay + 2);
    ASSERT_TRUE(db->flush().is_ok());
    writes.write(2, 2);  // and of the rows just flushed, in memory
    ASSERT_EQ(live_rows(*db, "snap"), writes.expected()) << "after flush, round " << round;
    if (round % 2 == 1) {
      ASSERT_TRUE(db->compact().is_ok());
      ASSERT_EQ(live_rows(*db, "snap"), writes.expected()) << "after compaction, round " << round;
    }
  }
  EXPECT_GT(db->stats().compactions, 0u);
  EXPECT_EQ(db->stats().dedup_reindexes, before);
}

// A write that seals blocks of a partition snapshots keep a dedup index for adds them
// to the index itself, so that the next snapshot does not add them on a query's time
// while the table's other snapshots wait. Partitions no snapshot reads get nothing.
TEST(CompactionTest, WritesThatSealBlocksIndexThemForTheNextSnapshot) {
  TempDir dir;
  auto db = open_database(dir.path(), /*block_rows=*/4);
  ASSERT_TRUE(db->create_table(snap_schema()).is_ok());
  SnapWrites writes(*db);
  writes.write(10, 1);                                   // two sealed blocks and a head
  writes.write(3, 1);                                    // restated: the partition needs an index
  ASSERT_EQ(live_rows(*db, "snap"), writes.expected());  // the snapshot indexes the partition
  const uint64_t before = db->stats().dedup_blocks_indexed_by_snapshots;
  EXPECT_GT(before, 0u);
  for (int round = 0; round < 6; ++round) {
    writes.write(9, 2 + round % 2);  // seals two or three blocks, restating every other round
    ASSERT_EQ(live_rows(*db, "snap"), writes.expected()) << "round " << round;
  }
  EXPECT_EQ(db->stats().dedup_blocks_indexed_by_snapshots, before);
  EXPECT_EQ(db->stats().dedup_reindexes, 0u);
}

// Readers take snapshots while a writer restates keys and another thread flushes and
// compacts: every snapshot holds each key once and misses none written before it
// began (whichever index it got, kept or its own), and once everything is written
// the latest values are read.
TEST(CompactionTest, SnapshotsRacingFlushesAndCompactionsSeeEachKeyOnce) {
  TempDir dir;
  auto db = open_database(dir.path(), /*block_rows=*/4);
  ASSERT_TRUE(db->create_table(snap_schema()).is_ok());
  constexpr int kBatches = 120, kEntities = 6;
  std::atomic<bool> is_done{false};
  std::atomic<int> batches_written{0};
  std::thread writer([&] {
    for (int b = 0; b < kBatches; ++b) {
      std::string text;
      for (int e = 0; e < kEntities; ++e) {
        // Four instants in two days, each written again and again.
        const int64_t time = (b % 2) * kNanosPerDay + (b / 2) % 2;
        text += snap_line(e, time, b);
      }
      auto report = db->write_text(text, {});
      EXPECT_TRUE(report.is_ok() && report->accepted == kEntities);
      batches_written.fetch_add(1);
    }
    is_done = true;
  });
  std::thread maintenance([&] {
    for (int i = 0; !is_done; ++i) {
      EXPECT_TRUE(db->flush().is_ok());
      if (i % 3 == 2) {
        EXPECT_TRUE(db->compact().is_ok());
      }
    }
  });
  std::atomic<int> failures{0};
  std::vector<std::thread> readers;
  for (int r = 0; r < 3; ++r) {
    readers.emplace_back([&] {
      while (!is_done) {
        // After four batches every (entity, instant) key exists.
        const bool has_every_key = batches_written.load() >= 4;
        std::set<std::string> keys;
        for (const std::string& row : live_rows(*db, "snap")) {
          // "tenant entity time provider v": the key is the first three words.
          const size_t provider = row.find(' ', row.find(' ', row.find(' ') + 1) + 1);
          if (!keys.insert(row.substr(0, provider)).second) failures.fetch_add(1);
        }
        if (has_every_key && keys.size() != 4 * kEntities) failures.fetch_add(1);
      }
    });
  }
  writer.join();
  maintenance.join();
  for (std::thread& t : readers) t.join();
  EXPECT_EQ(failures.load(), 0);
  // Batches b and b + 4 write the same instant: the last four batches hold the values.
  std::vector<std::string> expected;
  for (int b = kBatches - 4; b < kBatches; ++b) {
    const int64_t time = (b % 2) * kNanosPerDay + (b / 2) % 2;
    for (int e = 0; e < kEntities; ++e) {
      expected.push_back("t e" + std::to_string(e) + " " + std::to_string(time) + " NULL " +
                         std::to_string(b));
    }
  }
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(live_rows(*db, "snap"), expected);
}

TEST(CompactionTest, CrashBeforeTheManifestNamesTheNewSegmentKeepsRowsOnce) {
  TempDir dir;
  auto db = open_database(dir / "live");
  ASSERT_TRUE(db->create_table(snap_schema()).is_ok());
  write_ok(*db, "snap,tenant=a,entity=e v=1i 10\nsnap,tenant=a,entity=f v=2i 10\n");
  ASSERT_TRUE(db->flush().is_ok());
  write_ok(*db, "snap,tenant=a,entity=e v=3i 10\n");
  ASSERT_TRUE(db->flush().is_ok());
  const std::vector<std::string> expected = {"a e 10 NULL 3", "a f 10 NULL 2"};
  // The state after the new segment is written and fsynced but before the manifest
  // swap: the manifest still names both old segments, the new file is an orphan.
  fs::path image = crash_image(dir / "live", dir / "before_swap");
  ASSERT_TRUE(db->compact().is_ok());
  fs::path after = crash_image(dir / "live", dir / "after_swap");
  for (const auto& entry : fs::directory_iterator(after / kSegmentDirName)) {
    if (!fs::exists(image / kSegmentDirName / entry.path().filename()))
      fs::copy(entry.path(), image / kSegmentDirName / entry.path().filename());
  }
  // And the state after the manifest swap but before the old files are deleted.
  for (const auto& entry : fs::directory_iterator(image / kSegmentDirName)) {
    if (!fs::exists(after / kSegmentDirName / entry.path().filename()))
      fs::copy(entry.path(), after / kSegmentDirName / entry.path().filename());
  }
  for (const fs::path& crashed : {image, after}) {
    SCOPED_TRACE(crashed.string());
    auto reopened = open_database(crashed);
    ASSERT_NE(reopened, nullptr);
    EXPECT_EQ(live_rows(*reopened, "snap"), expected);
    reopened.reset();
    // The leftover file is gone: the directory holds exactly what the manifest names.
    size_t files = 0;
    for (const auto& entry : fs::directory_iterator(crashed / kSegmentDirName)) {
      (void)entry;
      ++files;
    }
    EXPECT_EQ(files, crashed == image ? 2u : 1u);
  }
}

}  // namespace
}  // namespace tessera::engine
