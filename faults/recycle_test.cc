// Worker recycling at scale: maxtasksperchild=1 over 10 000 items forks
// 10 000 workers, one after another, while the map runs.

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "faults/fault_fixture.h"
#include "pool/pool.h"

namespace faults {
namespace {

// The item, and who ran it: the worker's pid and its start time (field 22 of
// /proc/self/stat). The pair identifies a process even if its pid is reused.
std::tuple<int, std::int32_t, std::uint64_t> WhoRan(int x) {
  return {x, ::getpid(), std::stoull(StatField(::getpid(), 22))};
}

int Identity(int x) { return x; }

// 10 000 items, one worker each (2 000 in the sanitizer builds; see
// kSanitized).
constexpr int kItems = kSanitized ? 2000 : 10000;

class MaxTasksPerChildTest : public FaultTest {
 protected:
  int HangGuardSeconds() const override { return 800; }
};

// maxtasksperchild=1 with chunksize 1 over 10 000 items: every result is
// right, and each item ran in a process of its own (10 000 distinct
// processes, told apart by pid and start time).
TEST_F(MaxTasksPerChildTest, TenThousandItemsTenThousandWorkers) {
  pool::Options options;
  options.processes = 4;
  options.maxtasksperchild = 1;
  pool::Pool p(options);
  std::vector<int> items(kItems);
  for (std::size_t i = 0; i < items.size(); ++i) items[i] = static_cast<int>(i);
  const auto results = p.map(WhoRan, items, {.chunksize = 1});
  ASSERT_EQ(results.size(), items.size());
  std::set<std::pair<std::int32_t, std::uint64_t>> workers;
  for (std::size_t i = 0; i < results.size(); ++i) {
    const auto& [x, pid, start] = results[i];
    ASSERT_EQ(x, static_cast<int>(i));
    workers.emplace(pid, start);
  }
  EXPECT_EQ(workers.size(), items.size());
  RecordProperty("distinct_workers", static_cast<int>(workers.size()));
  EXPECT_EQ(p.apply(Identity, 1), 1);
}

// maxtasksperchild=3 with chunks of 5 items: a chunk counts as one task, so
// no worker runs more than 3 chunks (600 chunks need at least 200 workers).
TEST_F(MaxTasksPerChildTest, ChunksCountAsOneTask) {
  pool::Options options;
  options.processes = 3;
  options.maxtasksperchild = 3;
  pool::Pool p(options);
  std::vector<int> items(3000);
  for (std::size_t i = 0; i < items.size(); ++i) items[i] = static_cast<int>(i);
  const auto results = p.map(WhoRan, items, {.chunksize = 5});
  std::map<std::pair<std::int32_t, std::uint64_t>, std::set<std::size_t>>
      chunks_of;
  for (std::size_t i = 0; i < results.size(); ++i) {
    const auto& [x, pid, start] = results[i];
    ASSERT_EQ(x, static_cast<int>(i));
    chunks_of[{pid, start}].insert(i / 5);
  }
  for (const auto& [worker, chunks] : chunks_of) {
    EXPECT_LE(chunks.size(), 3u) << "worker " << worker.first;
  }
  EXPECT_GE(chunks_of.size(), 200u);
}

}  // namespace
}  // namespace faults
