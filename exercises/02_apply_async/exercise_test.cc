// Tests for Exercise 2 (Pool::apply_async). They run against
// exercises/02_apply_async (your code) and solutions/02_apply_async.

#include "exercises/02_apply_async/exercise.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "exercises/testing/checks.h"
#include "exercises/testing/gate.h"
#include "pool/pool.h"

namespace exercises {
namespace {

using ::exercises::testing::ArriveAndWait;
using ::exercises::testing::Gate;
using ::exercises::testing::NobodyGaveUp;
using ::exercises::testing::RanInAWorker;
using ::exercises::testing::RanInWorkers;
using ::exercises::testing::WaitAtGate;

// Tasks. They are plain functions: they run in the worker processes.

// The article's action, returning its line instead of printing it.
std::string Action(std::string name) {
  return "(" + std::to_string(::getpid()) + ") running, argument: " + name;
}
std::string Reverse(std::string s) { return {s.rbegin(), s.rend()}; }
std::string OwnPid(std::string) { return std::to_string(::getpid()); }
// Returns "met <pid>" once three of these run at the same time.
std::string MeetThreeAndSayWhere(std::string) {
  return ArriveAndWait(3) ? "met " + std::to_string(::getpid())
                          : "gave up waiting for the others";
}
// Returns its argument once the test opens the gate.
std::string EchoAfterGate(std::string s) {
  return WaitAtGate() ? s : "gave up waiting at the gate";
}

std::vector<std::string> ReverseEach(const std::vector<std::string>& v) {
  std::vector<std::string> out;
  for (const auto& s : v) out.push_back(Reverse(s));
  return out;
}

class ApplyAsyncTest : public ::testing::Test {
 protected:
  Gate gate_;  // Before the pool: the workers must see it.
  pool::Pool pool_{4};
};

// Submit returns while the task is still running, and get() later returns
// the task's result.
TEST_F(ApplyAsyncTest, SubmitDoesNotWait) {
  pool::AsyncResult<std::string> result = Submit(pool_, EchoAfterGate, "hi");
  ASSERT_TRUE(NobodyGaveUp(
      gate_.gave_up(), "Submit to return so that the test could let it end",
      "Submit waited for its own task (get() or wait() inside Submit?). "
      "Return the AsyncResult from apply_async at once."));
  EXPECT_FALSE(result.ready())
      << "Submit returned a result that is already done; it should return "
         "while the task still runs (do not wait inside Submit)";
  gate_.Open();
  EXPECT_EQ(result.get(), "hi");
}

// Submit passes the argument, and the task runs in a worker process.
TEST_F(ApplyAsyncTest, SubmitRunsFnOfArgInAWorker) {
  EXPECT_EQ(Submit(pool_, Reverse, "stressed").get(), "desserts")
      << "Submit(pool, fn, arg) should run fn(arg)";
  EXPECT_TRUE(RanInAWorker("Submit",
                           std::stoll(Submit(pool_, OwnPid, "").get()),
                           pool_.worker_pids()));
}

// The callback runs exactly once, with the result, and not before the task
// has finished.
TEST_F(ApplyAsyncTest, SubmitWithCallbackCallsBackOnceWithTheResult) {
  // Shared with the callback: if the test ends early, the pool may still
  // run the callback after this body has returned.
  struct Seen {
    std::mutex mu;
    std::vector<std::string> results;
  };
  auto seen = std::make_shared<Seen>();
  pool::AsyncResult<std::string> result = SubmitWithCallback(
      pool_, EchoAfterGate, "payload", [seen](const std::string& r) {
        std::lock_guard lock(seen->mu);
        seen->results.push_back(r);
      });
  {
    std::lock_guard lock(seen->mu);
    EXPECT_TRUE(seen->results.empty())
        << "on_result was called before the task finished; pass it to "
           "apply_async as the callback instead of calling it yourself";
  }
  gate_.Open();
  EXPECT_EQ(result.get(), "payload");
  {
    std::lock_guard lock(seen->mu);  // get() returns after the callback.
    EXPECT_EQ(seen->results, std::vector<std::string>{"payload"})
        << "on_result should be called exactly once, with the task's result";
  }
  const std::string pid =
      SubmitWithCallback(pool_, OwnPid, "", [](const std::string&) {}).get();
  EXPECT_TRUE(
      RanInAWorker("SubmitWithCallback", std::stoll(pid), pool_.worker_pids()));
}

// The article's three calls: results come back in submission order, each
// computed in a worker.
TEST_F(ApplyAsyncTest, SubmitAllThenJoinRunsTheArticleProgram) {
  const std::vector<std::string> args = {"default", "positional argument",
                                         "keyword argument"};
  const std::vector<std::string> lines = SubmitAllThenJoin(pool_, Action, args);
  ASSERT_EQ(lines.size(), args.size())
      << "SubmitAllThenJoin should return one result per argument";
  for (std::size_t i = 0; i < args.size(); ++i) {
    EXPECT_TRUE(lines[i].ends_with("argument: " + args[i]))
        << "result " << i << " is \"" << lines[i] << "\"; it should be fn(\""
        << args[i] << "\"), in argument order";
  }
}

// Results match a plain loop over the arguments, in order, for many inputs
// (more than there are workers) and for none.
TEST_F(ApplyAsyncTest, SubmitAllThenJoinKeepsOrder) {
  std::vector<std::string> args;
  for (int i = 0; i < 25; ++i) args.push_back("item-" + std::to_string(i * 7));
  EXPECT_EQ(SubmitAllThenJoin(pool_, Reverse, args), ReverseEach(args))
      << "the results should be fn of each argument, in argument order";
}

// An empty list still closes and joins the pool.
TEST_F(ApplyAsyncTest, SubmitAllThenJoinWithNoArgs) {
  EXPECT_TRUE(SubmitAllThenJoin(pool_, Reverse, {}).empty());
  EXPECT_THROW((void)pool_.apply_async(Reverse, std::tuple{std::string("x")}),
               pool::UsageError)
      << "with no arguments SubmitAllThenJoin should still close the pool";
}

// All tasks are submitted before any is waited for: three tasks that each
// wait until three are running can only finish if they ran side by side,
// in the pool's workers.
TEST_F(ApplyAsyncTest, SubmitAllThenJoinSubmitsBeforeWaiting) {
  const std::vector<pid_t> workers = pool_.worker_pids();  // Before join().
  const std::vector<std::string> got =
      SubmitAllThenJoin(pool_, MeetThreeAndSayWhere, {"a", "b", "c"});
  ASSERT_EQ(got.size(), 3u);
  std::vector<long long> pids;
  for (const std::string& r : got) {
    ASSERT_TRUE(r.starts_with("met "))
        << "Three tasks waited " << exercises::testing::kGuard.count()
        << " s for each other and gave up: they never ran at the same "
           "time. Submit every task with apply_async before calling get() "
           "on any of them.";
    pids.push_back(std::stoll(r.substr(4)));
  }
  EXPECT_TRUE(RanInWorkers("SubmitAllThenJoin", pids, workers));
}

// Afterwards the pool is closed (new work is refused) and joined.
TEST_F(ApplyAsyncTest, SubmitAllThenJoinClosesThePool) {
  (void)SubmitAllThenJoin(pool_, Reverse, {"abc"});
  EXPECT_THROW((void)pool_.apply_async(Reverse, std::tuple{std::string("x")}),
               pool::UsageError)
      << "the pool still accepts work: SubmitAllThenJoin should close() it";
  EXPECT_TRUE(pool_.worker_pids().empty())
      << "the pool's workers are still running: SubmitAllThenJoin should "
         "join() it after close()";
}

}  // namespace
}  // namespace exercises
