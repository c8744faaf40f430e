// GroupCommit under both fsync policies: concurrent syncs share one fdatasync, an
// interval policy never forces its own, and no sync is ok after a failed fsync.
#include "engine/group_commit.h"

#include <gtest/gtest.h>

#include <future>
#include <thread>

#include "storage/base/fault_injection.h"
#include "tests/support/temp_dir.h"

namespace tessera::engine {
namespace {

using storage::FaultOp;
using storage::FaultSpec;
using storage::ScopedFault;
using tessera::testing::TempDir;

struct Log {
  std::shared_ptr<storage::WalWriter> writer;
  uint64_t lsn = 0;
  // Appends one record and tells `commit`; returns the new lsn.
  uint64_t append(GroupCommit& commit) {
    auto end = writer->append("record");
    EXPECT_TRUE(end.is_ok());
    lsn = end.is_ok() ? *end : lsn;
    commit.appended(writer, lsn);
    return lsn;
  }
};

Log open_log(const TempDir& dir) {
  auto writer = storage::WalWriter::create(dir / "1.log");
  EXPECT_TRUE(writer.is_ok()) << writer.status().to_string();
  return {std::shared_ptr<storage::WalWriter>(std::move(writer).value()), 0};
}

// Yields until `done` holds; the conditions waited for are reached by other
// threads without any timing assumption.
template <typename Condition>
void await(Condition done) {
  while (!done()) std::this_thread::yield();
}

TEST(GroupCommitTest, ConcurrentSyncsWaitingOnALeaderShareOneFsync) {
  TempDir dir;
  Log log = open_log(dir);
  GroupCommit commit;
  std::promise<void> release_leader;
  std::shared_future<void> released = release_leader.get_future().share();
  std::atomic<int> syncs_entered{0};
  ScopedFault hold(FaultSpec{.op = FaultOp::kSync,
                             .path_contains = "1.log",
                             .first_failure = UINT64_MAX,  // never fail, only observe
                             .on_match = [&] {
                               if (syncs_entered++ == 0) released.wait();
                             }});
  const uint64_t first = log.append(commit);
  auto leader = std::async(std::launch::async, [&] { return commit.sync(first); });
  await([&] { return syncs_entered.load() == 1; });  // the leader is inside fdatasync
  // Three more writers append and sync while the leader's fsync is running.
  std::vector<std::future<Status>> followers;
  for (int i = 0; i < 3; ++i) {
    const uint64_t lsn = log.append(commit);
    followers.push_back(
        std::async(std::launch::async, [&commit, lsn] { return commit.sync(lsn); }));
  }
  await([&] { return commit.waiters() == 3; });
  release_leader.set_value();
  EXPECT_TRUE(leader.get().is_ok());
  for (auto& follower : followers) EXPECT_TRUE(follower.get().is_ok());
  // One fsync for the leader, one shared by all three followers.
  EXPECT_EQ(commit.syncs(), 2u);
  EXPECT_EQ(syncs_entered.load(), 2);
}

TEST(GroupCommitTest, SyncOfWhatIsAlreadyDurableDoesNoFsync) {
  TempDir dir;
  Log log = open_log(dir);
  GroupCommit commit;
  const uint64_t lsn = log.append(commit);
  ASSERT_TRUE(commit.sync(lsn).is_ok());
  ASSERT_TRUE(commit.sync(lsn).is_ok());
  EXPECT_EQ(commit.syncs(), 1u);
}

TEST(GroupCommitTest, IntervalPolicyWaitsForTheTimedFsyncInsteadOfForcingOne) {
  TempDir dir;
  Log log = open_log(dir);
  std::atomic<int> fsyncs{0};
  ScopedFault count(FaultSpec{
      .op = FaultOp::kSync, .path_contains = "1.log", .first_failure = UINT64_MAX, .on_match = [&] {
        ++fsyncs;
      }});
  GroupCommit commit;
  commit.set_policy({FsyncPolicy::Kind::kInterval, std::chrono::milliseconds(5)});
  std::vector<std::future<Status>> syncs;
  for (int i = 0; i < 4; ++i) {
    const uint64_t lsn = log.append(commit);
    syncs.push_back(std::async(std::launch::async, [&commit, lsn] { return commit.sync(lsn); }));
  }
  for (auto& sync : syncs) EXPECT_TRUE(sync.get().is_ok());
  // Every fsync was the timer's: at most one per appended record, none by callers.
  EXPECT_GE(fsyncs.load(), 1);
  EXPECT_LE(fsyncs.load(), 4);
  EXPECT_EQ(static_cast<uint64_t>(fsyncs.load()), commit.syncs());
}

TEST(GroupCommitTest, NoSyncIsOkAfterAFailedFsync) {
  TempDir dir;
  Log log = open_log(dir);
  GroupCommit commit;
  const uint64_t first = log.append(commit);
  {
    ScopedFault fail(FaultSpec{.op = FaultOp::kSync, .error = EIO});
    Status status = commit.sync(first);
    ASSERT_FALSE(status.is_ok());
    EXPECT_EQ(status.code(), ErrorCode::kIoError);
  }
  // Later appends (the writer itself refuses them after a failed fsync) are
  // never acknowledged, nor is the earlier lsn.
  commit.appended(log.writer, first + 100);
  EXPECT_FALSE(commit.sync(first + 100).is_ok());
  EXPECT_FALSE(commit.sync(first).is_ok());
}

TEST(GroupCommitTest, ParsesFsyncPolicies) {
  auto always = parse_fsync_policy("always");
  ASSERT_TRUE(always.is_ok());
  EXPECT_EQ(always->kind, FsyncPolicy::Kind::kAlways);
  auto interval = parse_fsync_policy("interval=250");
  ASSERT_TRUE(interval.is_ok());
  EXPECT_EQ(interval->kind, FsyncPolicy::Kind::kInterval);
  EXPECT_EQ(interval->interval, std::chrono::milliseconds(250));
  for (const char* bad : {"", "never", "interval=", "interval=0", "interval=-5", "interval=1x",
                          "interval=60001", "interval=99999999999999999999", "ALWAYS"}) {
    SCOPED_TRACE(bad);
    auto parsed = parse_fsync_policy(bad);
    ASSERT_FALSE(parsed.is_ok());
    EXPECT_EQ(parsed.error().code, ErrorCode::kInvalidInput);
    EXPECT_NE(parsed.error().message.find("interval=<ms>"), std::string::npos);
  }
}

}  // namespace
}  // namespace tessera::engine
