// QueryThreads: each new session goes to the thread serving the fewest, its lease
// counts it there until dropped, every handler of one place runs on one thread
// (the point of the class: no hand-offs between threads), and finish() lets the
// work already posted run before it joins.
#include "server/query_threads.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <future>
#include <set>
#include <thread>
#include <vector>

namespace tessera::server {
namespace {

// The id of the thread that runs a handler posted to `executor`.
std::thread::id thread_of(const asio::any_io_executor& executor) {
  std::promise<std::thread::id> ran;
  asio::post(executor, [&ran] { ran.set_value(std::this_thread::get_id()); });
  return ran.get_future().get();
}

TEST(QueryThreadsTest, PlacesEachSessionOnTheThreadServingTheFewest) {
  QueryThreads threads(3);
  std::vector<QueryThreads::Place> places;
  for (int i = 0; i < 3; ++i) places.push_back(threads.place());
  EXPECT_EQ(threads.session_counts(), (std::vector<size_t>{1, 1, 1}));
  places.push_back(threads.place());
  std::vector<size_t> counts = threads.session_counts();
  std::sort(counts.begin(), counts.end());
  EXPECT_EQ(counts, (std::vector<size_t>{1, 1, 2}));
  // A lease ends with its last copy: the thread it held is the next one chosen.
  const std::thread::id freed = thread_of(places[1].executor);
  QueryThreads::Place copy = places[1];
  places[1] = QueryThreads::Place{};
  counts = threads.session_counts();
  EXPECT_EQ(std::count(counts.begin(), counts.end(), 0u), 0)
      << "a copy of the lease still holds the thread";
  copy = QueryThreads::Place{};
  places.push_back(threads.place());
  EXPECT_EQ(thread_of(places.back().executor), freed);
  places.clear();
  EXPECT_EQ(threads.session_counts(), (std::vector<size_t>{0, 0, 0}));
}

TEST(QueryThreadsTest, EveryHandlerOfOnePlaceRunsOnOneThread) {
  QueryThreads threads(2);
  const QueryThreads::Place a = threads.place();
  const QueryThreads::Place b = threads.place();
  std::set<std::thread::id> a_threads, b_threads;
  for (int i = 0; i < 50; ++i) {
    a_threads.insert(thread_of(a.executor));
    b_threads.insert(thread_of(b.executor));
  }
  ASSERT_EQ(a_threads.size(), 1u);
  ASSERT_EQ(b_threads.size(), 1u);
  EXPECT_NE(*a_threads.begin(), *b_threads.begin());
  EXPECT_EQ(a_threads.count(std::this_thread::get_id()), 0u);
}

TEST(QueryThreadsTest, FinishRunsWhatWasPostedThenJoins) {
  QueryThreads threads(2);
  std::atomic<int> ran{0};
  {
    const QueryThreads::Place place = threads.place();
    for (int i = 0; i < 100; ++i) asio::post(place.executor, [&ran] { ++ran; });
  }
  threads.finish();
  EXPECT_EQ(ran.load(), 100);
  threads.finish();  // idempotent; the destructor calls it again
}

}  // namespace
}  // namespace tessera::server
