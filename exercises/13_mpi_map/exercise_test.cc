// Tests for Exercise 13 (map on MPI, master/worker). They run against
// exercises/13_mpi_map (your code) and solutions/13_mpi_map.
//
// Each test case is one MPI job: RunScenario("Name") starts this binary
// under `mpirun -np 4`, every rank runs MPI_SCENARIO(Name), and the ranks
// report what they saw (exercises/testing/mpi_job.h). The TEST then checks
// the reports. A scenario gives rank 0 the items and the other ranks an
// empty vector, so workers only learn their items by message.

#include "exercises/13_mpi_map/exercise.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "exercises/testing/explain.h"
#include "exercises/testing/gate.h"
#include "exercises/testing/mpi_job.h"

namespace exercises {
namespace {

using ::exercises::testing::ArriveAndWait;
using ::exercises::testing::kRanks;
using ::exercises::testing::OpenGateFromTask;
using ::exercises::testing::Rank;
using ::exercises::testing::Report;
using ::exercises::testing::RunScenario;
using ::exercises::testing::ScenarioRun;
using ::exercises::testing::WaitAtGate;

// ---- Helpers shared by both sides ----------------------------------------

std::string Join(const std::vector<long long>& values) {
  std::ostringstream out;
  for (std::size_t i = 0; i < values.size(); ++i) {
    out << (i ? " " : "") << values[i];
  }
  return out.str();
}

std::vector<long long> Split(const std::string& text) {
  std::vector<long long> values;
  std::istringstream in(text);
  for (long long v; in >> v;) values.push_back(v);
  return values;
}

// The inputs of each scenario, known to the TEST as well as to rank 0.
const std::vector<long long> kArticle = {50, 100, 150};

std::vector<long long> Range(long long n) {
  std::vector<long long> items;
  for (long long i = 0; i < n; ++i) items.push_back(i);
  return items;
}

std::vector<long long> Scrambled(int n) {
  std::vector<long long> items;
  std::uint64_t x = 88172645463325252ULL;  // xorshift64: same on every run.
  for (int i = 0; i < n; ++i) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    items.push_back(static_cast<long long>(x % 5000));
  }
  return items;
}

const std::vector<std::vector<long long>> kSerialInputs = {
    {}, {7}, {3, 3, 3, 1, 1, 2}, Scrambled(200), Range(500)};

// ---- Tasks: they run on the worker ranks ---------------------------------

// Every item this process computed, in order; each rank reports its own.
std::vector<long long>& Computed() {
  static std::vector<long long> computed;
  return computed;
}

long long SumBelow(long long max) {
  Computed().push_back(max);
  long long sum = 0;
  for (long long i = 0; i < max; ++i) sum += i;
  return sum;
}

long long Square(long long x) {
  Computed().push_back(x);
  return x * x;
}

// Items 0, 1 and 2 each wait until all three have started: only three
// workers holding one item each at the same time get past. -1 if not.
long long ThreeMeetThenSquare(long long x) {
  Computed().push_back(x);
  if (x < 3 && !ArriveAndWait(3)) return -1;
  return x * x;
}

// Item 0 waits at the gate, which rank 0 opens once on_result has seen
// every other item. -1 if it gave up.
long long ZeroWaitsForTheOthers(long long x) {
  Computed().push_back(x);
  if (x == 0 && !WaitAtGate()) return -1;
  return x * x;
}

// ---- Scenario side: what each rank runs ----------------------------------

// The items: rank 0's; the workers get none.
std::vector<long long> Mine(const std::vector<long long>& items) {
  return Rank() == 0 ? items : std::vector<long long>{};
}

// "index:result:worker" for every on_result call, in order of the calls.
struct Calls {
  std::vector<std::string> seen;
  OnResult Recorder() {
    return [this](std::size_t index, long long result, int worker) {
      seen.push_back(std::to_string(index) + ":" + std::to_string(result) +
                     ":" + std::to_string(worker));
    };
  }
  std::string Text() const {
    std::string text;
    for (const std::string& s : seen) text += (text.empty() ? "" : " ") + s;
    return text;
  }
};

MPI_SCENARIO(ArticleSums) {
  Calls calls;
  const std::vector<long long> results =
      MasterWorkerMap(SumBelow, Mine(kArticle), calls.Recorder());
  Report("results", Join(results));
  Report("calls", calls.Text());
  Report("computed", Join(Computed()));
}

MPI_SCENARIO(MatchesASerialLoop) {
  for (std::size_t k = 0; k < kSerialInputs.size(); ++k) {
    Calls calls;
    const std::vector<long long> results =
        MasterWorkerMap(Square, Mine(kSerialInputs[k]), calls.Recorder());
    Report("results." + std::to_string(k), Join(results));
    Report("calls." + std::to_string(k), std::to_string(calls.seen.size()));
    Report("computed." + std::to_string(k), Join(Computed()));
    Computed().clear();
  }
}

MPI_SCENARIO(StopsEveryWorkerEveryTime) {
  const std::vector<std::vector<long long>> inputs = {{}, {5}, {1, 2, 3, 4}};
  for (std::size_t k = 0; k < inputs.size(); ++k) {
    Calls calls;
    const std::vector<long long> results =
        MasterWorkerMap(Square, Mine(inputs[k]), calls.Recorder());
    Report("returned." + std::to_string(k), Join(results));
    Report("computed." + std::to_string(k), Join(Computed()));
    Computed().clear();
  }
}

MPI_SCENARIO(EveryWorkerComputes) {
  Calls calls;
  const std::vector<long long> results =
      MasterWorkerMap(ThreeMeetThenSquare, Mine(Range(30)), calls.Recorder());
  Report("results", Join(results));
  Report("calls", calls.Text());
  Report("computed", Join(Computed()));
}

MPI_SCENARIO(CollectsResultsAsTheyArrive) {
  Calls calls;
  int others = 0;
  OnResult record = calls.Recorder();
  const std::vector<long long> results =
      MasterWorkerMap(ZeroWaitsForTheOthers, Mine(Range(12)),
                      [&](std::size_t index, long long result, int worker) {
                        record(index, result, worker);
                        if (index != 0 && ++others == 11) OpenGateFromTask();
                      });
  Report("results", Join(results));
  Report("calls", calls.Text());
}

// ---- Test side: start the job, check the reports -------------------------

std::vector<long long> SerialSquares(const std::vector<long long>& items) {
  std::vector<long long> out;
  for (long long x : items) out.push_back(x * x);
  return out;
}

// Call k's items were computed by the workers, each exactly once, and none
// by rank 0.
void ExpectWorkersComputed(const ScenarioRun& run, std::size_t k,
                           const std::vector<long long>& items) {
  const std::string key = "computed." + std::to_string(k);
  EXPECT_EQ(run.Get(0, key), "")
      << Explain("call ", "调用 ") << k
      << Explain(": rank 0 is the master, it must not compute",
                 "：rank 0 是主进程，它不能做计算");
  std::multiset<long long> all;
  for (int rank = 1; rank < kRanks; ++rank) {
    const std::vector<long long> done = Split(run.Get(rank, key));
    all.insert(done.begin(), done.end());
  }
  EXPECT_EQ(all, std::multiset<long long>(items.begin(), items.end()))
      << Explain("call ", "调用 ") << k
      << Explain(": the workers must compute every item once",
                 "：每个元素都必须由工作 rank 恰好计算一次");
}

// The parsed "calls" report: on_result's (index, result, worker) triples.
struct Call {
  std::size_t index;
  long long result;
  int worker;
};
std::vector<Call> ParseCalls(const std::string& text) {
  std::vector<Call> calls;
  std::istringstream in(text);
  for (std::string word; in >> word;) {
    Call c{};
    char colon1 = 0, colon2 = 0;
    std::istringstream w(word);
    w >> c.index >> colon1 >> c.result >> colon2 >> c.worker;
    calls.push_back(c);
  }
  return calls;
}

// on_result was called once per item, with the right result, and named a
// worker rank that really computed that item.
void ExpectCallsMatchWork(const ScenarioRun& run,
                          const std::vector<long long>& items,
                          const std::vector<long long>& expected) {
  const std::vector<Call> calls = ParseCalls(run.Get(0, "calls"));
  ASSERT_EQ(calls.size(), items.size())
      << Explain("on_result should be called once per item; calls: ",
                 "on_result 应当每个元素调用一次；实际调用：")
      << run.Get(0, "calls");
  std::set<std::size_t> indices;
  for (const Call& c : calls) {
    ASSERT_LT(c.index, items.size());
    EXPECT_TRUE(indices.insert(c.index).second)
        << Explain("on_result called twice for index ",
                   "on_result 被调用了两次，下标为 ")
        << c.index;
    EXPECT_EQ(c.result, expected[c.index])
        << Explain("index ", "下标 ") << c.index;
    ASSERT_GE(c.worker, 1) << Explain("on_result named rank ",
                                      "on_result 指明的是 rank ")
                           << c.worker
                           << Explain(": results come from the workers, 1..",
                                      "：结果来自工作 rank，即 1..")
                           << kRanks - 1;
    ASSERT_LT(c.worker, kRanks);
    const std::vector<long long> done = Split(run.Get(c.worker, "computed"));
    EXPECT_NE(std::find(done.begin(), done.end(), items[c.index]), done.end())
        << Explain("on_result says rank ", "on_result 说 rank ") << c.worker
        << Explain(" computed item ", " 计算了元素 ") << items[c.index]
        << Explain(" (index ", "（下标 ") << c.index
        << Explain("), but it did not", "），但它并没有");
  }
}

// The article's map: rank 0 gets 1225, 4950, 11175 in input order, computed
// by the workers, not by rank 0; the workers return nothing.
TEST(MpiMapTest, ArticleSums) {
  const ScenarioRun run = RunScenario("ArticleSums");
  ASSERT_TRUE(run.ok()) << run.Describe();
  EXPECT_EQ(run.Get(0, "results"), "1225 4950 11175");
  EXPECT_EQ(run.Get(0, "computed"), "") << Explain(
      "rank 0 is the master: it must hand the items out, not compute",
      "rank 0 是主进程：它必须分发元素，而不是自己计算");
  for (int rank = 1; rank < kRanks; ++rank) {
    EXPECT_EQ(run.Get(rank, "results"), "")
        << Explain("worker ", "工作 rank ") << rank;
  }
  ExpectCallsMatchWork(run, kArticle, {1225, 4950, 11175});
}

// Results equal a plain loop's, in input order, for empty, single, repeated,
// scrambled and long inputs, one call after another in the same job.
TEST(MpiMapTest, MatchesASerialLoop) {
  const ScenarioRun run = RunScenario("MatchesASerialLoop");
  ASSERT_TRUE(run.ok()) << run.Describe();
  for (std::size_t k = 0; k < kSerialInputs.size(); ++k) {
    const std::vector<long long>& items = kSerialInputs[k];
    EXPECT_EQ(Split(run.Get(0, "results." + std::to_string(k))),
              SerialSquares(items))
        << Explain("call ", "调用 ") << k << " (" << items.size()
        << Explain(" items)", " 个元素)");
    EXPECT_EQ(run.Get(0, "calls." + std::to_string(k)),
              std::to_string(items.size()))
        << Explain("on_result calls in call ", "on_result 的调用次数，调用 ")
        << k;
    ExpectWorkersComputed(run, k, items);
  }
}

// Every worker is stopped each time, also with no items or fewer items than
// workers, and nothing is left over for the next call: every rank returns
// from all three calls, and the job ends.
TEST(MpiMapTest, StopsEveryWorkerEveryTime) {
  const ScenarioRun run = RunScenario("StopsEveryWorkerEveryTime");
  ASSERT_TRUE(run.ok()) << run.Describe();
  const std::vector<std::string> expected = {"", "25", "1 4 9 16"};
  ExpectWorkersComputed(run, 1, {5});
  ExpectWorkersComputed(run, 2, {1, 2, 3, 4});
  for (int rank = 0; rank < kRanks; ++rank) {
    for (std::size_t k = 0; k < expected.size(); ++k) {
      const std::string key = "returned." + std::to_string(k);
      ASSERT_TRUE(run.Has(rank, key))
          << "rank " << rank
          << Explain(" never returned from call ", " 没有从调用返回：调用 ")
          << k;
      EXPECT_EQ(run.Get(rank, key), rank == 0 ? expected[k] : "")
          << "rank " << rank << Explain(", call ", "，调用 ") << k;
    }
  }
}

// Items go to whichever worker is free, one at a time: items 0, 1 and 2
// can only finish once three workers hold one each at the same time. Then
// every worker computed some items, rank 0 none, each item was computed
// exactly once, and on_result names the worker that computed it.
TEST(MpiMapTest, EveryWorkerComputes) {
  const ScenarioRun run = RunScenario("EveryWorkerComputes");
  ASSERT_TRUE(run.ok()) << run.Describe();
  EXPECT_FALSE(run.gave_up) << Explain(
      "items 0, 1 and 2 never ran on three workers at once: are items handed "
      "out one at a time to every worker?",
      "元素 0、1、2 从未同时在三个工作 rank 上执行：是否每次给每个工作 rank "
      "分发一个元素？");
  const std::vector<long long> items = Range(30);
  EXPECT_EQ(Split(run.Get(0, "results")), SerialSquares(items));
  EXPECT_EQ(run.Get(0, "computed"), "")
      << Explain("rank 0 must not compute", "rank 0 不能做计算");
  std::multiset<long long> all;
  for (int rank = 1; rank < kRanks; ++rank) {
    const std::vector<long long> done = Split(run.Get(rank, "computed"));
    EXPECT_FALSE(done.empty()) << Explain("worker ", "工作 rank ") << rank
                               << Explain(" computed nothing", " 什么也没算");
    all.insert(done.begin(), done.end());
  }
  EXPECT_EQ(all, std::multiset<long long>(items.begin(), items.end()))
      << Explain("each item must be computed exactly once",
                 "每个元素都必须恰好计算一次");
  ExpectCallsMatchWork(run, items, SerialSquares(items));
}

// Results are handled as they arrive: item 0 can only finish after
// on_result has seen the 11 others. Collecting in input order, gathering
// everything first, or dealing the items out in advance never gets there.
TEST(MpiMapTest, CollectsResultsAsTheyArrive) {
  const ScenarioRun run = RunScenario("CollectsResultsAsTheyArrive");
  ASSERT_TRUE(run.ok()) << run.Describe();
  EXPECT_FALSE(run.gave_up) << Explain(
      "item 0 waited 20 s for on_result to see the other 11 results: results "
      "must be received from any worker as they come (MPI_ANY_SOURCE), and "
      "passed to on_result at once",
      "元素 0 等了 20 秒，on_result 仍没见到其余 11 "
      "个结果：结果必须一到就从任意工作 rank "
      "接收（MPI_ANY_SOURCE），并立即交给 on_result");
  const std::vector<long long> items = Range(12);
  EXPECT_EQ(Split(run.Get(0, "results")), SerialSquares(items));
  const std::vector<Call> calls = ParseCalls(run.Get(0, "calls"));
  ASSERT_EQ(calls.size(), items.size()) << run.Get(0, "calls");
  EXPECT_EQ(calls.back().index, 0u)
      << Explain("item 0 cannot finish before the others; calls: ",
                 "元素 0 不可能在其他元素之前完成；实际调用：")
      << run.Get(0, "calls");
}

}  // namespace
}  // namespace exercises
