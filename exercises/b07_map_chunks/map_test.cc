// Tests for step b07 (map in chunks). They run against
// exercises/b07_map_chunks (your code) and solutions/b07_map_chunks.

#include "exercises/b07_map_chunks/map.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "exercises/testing/explain.h"
#include "exercises/testing/track_testing.h"

namespace bpool {
namespace {

using ::exercises::testing::Children;
using ::exercises::testing::FinishesWithin;
using ::exercises::testing::kCallGuard;
using ::exercises::testing::SharedCounters;
using ::exercises::testing::WaitForCounter;

constexpr int kArrived = 0;

// Tasks: plain functions, run in the workers.
std::int64_t Collatz(std::int64_t x) { return x % 2 == 0 ? x / 2 : 3 * x + 1; }
std::int64_t OwnPid(std::int64_t) { return ::getpid(); }
std::int64_t ThrowOn13(std::int64_t x) {
  if (x == 13) throw std::runtime_error("boom: 13");
  return x;
}
// Item values >= 1000 wait until that many minus 1000 tasks run at once.
std::int64_t BarrierAbove1000(std::int64_t x) {
  if (x < 1000) return x;
  SharedCounters::Current()[kArrived].fetch_add(1);
  return WaitForCounter(kArrived, x - 1000) ? x : -1;
}

std::vector<std::int64_t> Serial(Task fn,
                                 const std::vector<std::int64_t>& items) {
  std::vector<std::int64_t> out;
  for (std::int64_t x : items) out.push_back(fn(x));
  return out;
}

std::vector<std::int64_t> Numbers(std::size_t n) {
  std::mt19937_64 rng(n);
  std::vector<std::int64_t> items(n);
  for (std::int64_t& x : items) x = static_cast<std::int64_t>(rng() % 1000000);
  return items;
}

std::size_t CeilDiv(std::size_t a, std::size_t b) { return (a + b - 1) / b; }

class MapTest : public ::testing::Test {
 protected:
  void Start(int workers) { pool_ = std::make_shared<Pool>(workers); }

  // Runs map() under a hang guard.
  std::vector<std::int64_t> Map(Task fn, const std::vector<std::int64_t>& items,
                                std::optional<int> chunksize = std::nullopt) {
    auto pool = pool_;
    auto results = std::make_shared<std::vector<std::int64_t>>();
    if (!FinishesWithin(kCallGuard, [pool, fn, items, chunksize, results] {
          *results = map(*pool, fn, items, chunksize);
        })) {
      ADD_FAILURE() << Explain("map() did not return within ", "map() 在 ")
                    << kCallGuard.count()
                    << Explain(" s for ", " 秒内没有返回，元素个数：")
                    << items.size() << " items";
    }
    return *results;
  }

  void TearDown() override {
    pool_ = nullptr;
    EXPECT_TRUE(Children().empty());
  }

  SharedCounters counters_;
  std::shared_ptr<Pool> pool_;
};

// The default chunk size is Python's: ceil(items / (4 * workers)), 0 for
// no items.
TEST_F(MapTest, DefaultChunksizeIsPythons) {
  struct Case {
    std::size_t items;
    int workers;
    std::size_t expected;
  };
  for (const Case& c :
       {Case{0, 4, 0}, Case{1, 4, 1}, Case{16, 4, 1}, Case{17, 4, 2},
        Case{100, 4, 7}, Case{1000, 2, 125}, Case{1001, 2, 126}, Case{3, 4, 1},
        Case{64, 1, 16}, Case{65, 1, 17}}) {
    EXPECT_EQ(DefaultChunksize(c.items, c.workers), c.expected)
        << c.items << Explain(" items, ", " 个元素，工作进程数：") << c.workers
        << " workers";
  }
}

// map gives what a plain loop gives, in input order, for any chunk size.
TEST_F(MapTest, MatchesAPlainLoop) {
  Start(3);
  for (std::size_t n : {0, 1, 2, 11, 100, 5000}) {
    const std::vector<std::int64_t> items = Numbers(n);
    for (std::optional<int> chunksize :
         {std::optional<int>(), std::optional<int>(1), std::optional<int>(3),
          std::optional<int>(1000)}) {
      EXPECT_EQ(Map(Collatz, items, chunksize), Serial(Collatz, items))
          << n << Explain(" items, chunksize ", " 个元素，chunksize ")
          << (chunksize ? std::to_string(*chunksize) : "default");
    }
  }
}

// map submits ceil(items / chunksize) jobs: with the default chunk size,
// about four per worker.
TEST_F(MapTest, NumberOfChunksIsWhatTheFormulaSays) {
  Start(2);
  for (std::size_t n : {1, 8, 9, 100, 1000, 1001}) {
    const std::uint64_t before = pool_->jobs_submitted();
    (void)Map(Collatz, Numbers(n));
    EXPECT_EQ(pool_->jobs_submitted() - before,
              CeilDiv(n, DefaultChunksize(n, 2)))
        << n << Explain(" items on 2 workers", " 个元素，2 个工作进程");
  }
  for (int chunksize : {1, 7, 50}) {
    const std::uint64_t before = pool_->jobs_submitted();
    (void)Map(Collatz, Numbers(100), chunksize);
    EXPECT_EQ(pool_->jobs_submitted() - before,
              CeilDiv(100, static_cast<std::size_t>(chunksize)))
        << Explain("100 items, chunksize ", "100 个元素，chunksize ")
        << chunksize;
  }
}

// Each chunk is consecutive items run by one worker.
TEST_F(MapTest, EachChunkIsConsecutiveItemsOnOneWorker) {
  Start(3);
  const std::vector<std::int64_t> pids =
      Map(OwnPid, std::vector<std::int64_t>(60, 0), 10);
  ASSERT_EQ(pids.size(), 60u);
  for (std::size_t chunk = 0; chunk < 6; ++chunk) {
    const std::set<std::int64_t> in_chunk(pids.begin() + chunk * 10,
                                          pids.begin() + chunk * 10 + 10);
    EXPECT_EQ(in_chunk.size(), 1u)
        << Explain("items ", "元素 ") << chunk * 10 << Explain(" to ", " 到 ")
        << chunk * 10 + 9
        << Explain(" (one chunk) ran in ",
                   "（一个分块）在以下数目的进程中执行：")
        << in_chunk.size() << " processes";
  }
}

// All chunks are submitted before map waits for any: the first chunk of
// each worker can run at the same time.
TEST_F(MapTest, ChunksRunAtTheSameTime) {
  Start(2);
  // 8 items on 2 workers: chunks of 1. Items 0 and 1 wait until both run.
  const std::vector<std::int64_t> items = {1002, 1002, 3, 4, 5, 6, 7, 8};
  const std::vector<std::int64_t> results = Map(BarrierAbove1000, items);
  ASSERT_EQ(results.size(), items.size());
  EXPECT_EQ(results, items) << Explain(
      "the first two chunks never ran at once (-1): submit every chunk before "
      "waiting for the first",
      "前两个分块从未同时执行（-1）：先提交所有分块，再等待第一个");
}

// A chunk size below 1 is refused.
TEST_F(MapTest, ChunksizeBelowOneIsRefused) {
  Start(1);
  EXPECT_THROW((void)map(*pool_, Collatz, {1, 2, 3}, 0), std::invalid_argument);
  EXPECT_THROW((void)map(*pool_, Collatz, {1, 2, 3}, -4),
               std::invalid_argument);
}

// A failing item fails the map with its message.
TEST_F(MapTest, FailureIsReported) {
  Start(2);
  auto pool = pool_;
  auto message = std::make_shared<std::string>();
  ASSERT_TRUE(FinishesWithin(kCallGuard, [pool, message] {
    std::vector<std::int64_t> items(100);
    for (std::size_t i = 0; i < items.size(); ++i) {
      items[i] = static_cast<std::int64_t>(i);
    }
    try {
      (void)map(*pool, ThrowOn13, items);
    } catch (const TaskFailed& e) {
      *message = e.what();
    }
  }));
  EXPECT_NE(message->find("boom: 13"), std::string::npos)
      << Explain("map should throw TaskFailed with the task's message; got \"",
                 "map 应当抛出带有任务消息的 TaskFailed；实际得到 \"")
      << *message << "\"";
}

}  // namespace
}  // namespace bpool
