// HeadCopy hands snapshots one copy of a head while its rows stay the same, and a
// new one as soon as a row is appended or the head is taken and refilled, even to
// the same row count. Each copy holds the rows the head held when it was made.
#include "engine/head_copy.h"

#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

namespace tessera::engine {
namespace {

void add_row(BlockBuilder& head, int64_t time, int64_t value) {
  head.begin_row(time);
  head.set_int("v", value);
}

// The time and v of every row of `source`'s block, as "t:v t:v ...".
std::string rows_of(const MemoryBlockSource& source) {
  const storage::Block& block = *source.block();
  const storage::Column* v = block.find("v");
  std::string out;
  for (size_t r = 0; r < block.row_count(); ++r) {
    out += std::to_string(block.time_ns[r]) + ":" + std::to_string(v->ints[r]) + " ";
  }
  return out;
}

TEST(HeadCopyTest, SharesOneCopyUntilTheHeadChanges) {
  BlockBuilder head;
  HeadCopy copies;
  EXPECT_EQ(copies.of(head), nullptr);  // empty: nothing to view

  add_row(head, 1, 10);
  add_row(head, 2, 20);
  const auto first = copies.of(head);
  ASSERT_NE(first, nullptr);
  EXPECT_EQ(copies.of(head), first);
  EXPECT_EQ(rows_of(*first), "1:10 2:20 ");

  add_row(head, 3, 30);
  const auto second = copies.of(head);
  EXPECT_NE(second, first);
  EXPECT_EQ(rows_of(*second), "1:10 2:20 3:30 ");
  EXPECT_EQ(rows_of(*first), "1:10 2:20 ");  // a snapshot's copy never changes

  // Taken and refilled to the same row count: other rows, so a new copy.
  head.take();
  for (int64_t t = 4; t <= 6; ++t) add_row(head, t, t * 10);
  const auto third = copies.of(head);
  EXPECT_NE(third, second);
  EXPECT_EQ(rows_of(*third), "4:40 5:50 6:60 ");

  head.take();
  EXPECT_EQ(copies.of(head), nullptr);
  add_row(head, 7, 70);
  EXPECT_EQ(rows_of(*copies.of(head)), "7:70 ");
}

TEST(HeadCopyTest, SnapshotsOnSeveralThreadsGetTheSameRows) {
  // The database calls of() under its shared lock: heads stay still, and snapshots
  // of one partition on several threads race only for the kept copy.
  BlockBuilder head;
  for (int64_t t = 1; t <= 3; ++t) add_row(head, t, t);
  HeadCopy copies;
  std::vector<std::thread> threads;
  std::atomic<int> wrong{0};
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&] {
      for (int call = 0; call < 500; ++call) {
        const auto copy = copies.of(head);
        if (copy == nullptr || rows_of(*copy) != "1:1 2:2 3:3 ") ++wrong;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(wrong.load(), 0);
}

}  // namespace
}  // namespace tessera::engine
