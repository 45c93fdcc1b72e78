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
#include "exercises/testing/explain.h"
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
      gate_.gave_up(),
      Explain("Submit to return so that the test could let it end",
              "Submit 返回，好让测试放它结束"),
      Explain("Submit waited for its own task (get() or wait() inside "
              "Submit?). Return the AsyncResult from apply_async at once.",
              "Submit 在等它自己的任务(在 Submit 里调用了 get() 或 "
              "wait()?)。应当立即返回 apply_async 给出的 AsyncResult。")));
  EXPECT_FALSE(result.ready()) << Explain(
      "Submit returned a result that is already done; it should return while "
      "the task still runs (do not wait inside Submit)",
      "Submit 返回的结果已经完成了；它应当在任务仍在执行时就返回(不要在 Submit "
      "里等待)");
  gate_.Open();
  EXPECT_EQ(result.get(), "hi");
}

// Submit passes the argument, and the task runs in a worker process.
TEST_F(ApplyAsyncTest, SubmitRunsFnOfArgInAWorker) {
  EXPECT_EQ(Submit(pool_, Reverse, "stressed").get(), "desserts")
      << Explain("Submit(pool, fn, arg) should run fn(arg)",
                 "Submit(pool, fn, arg) 应当执行 fn(arg)");
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
    EXPECT_TRUE(seen->results.empty()) << Explain(
        "on_result was called before the task finished; pass it to apply_async "
        "as the callback instead of calling it yourself",
        "on_result 在任务完成之前就被调用了；把它作为 callback 传给 "
        "apply_async，而不是自己调用它");
  }
  gate_.Open();
  EXPECT_EQ(result.get(), "payload");
  {
    std::lock_guard lock(seen->mu);  // get() returns after the callback.
    EXPECT_EQ(seen->results, std::vector<std::string>{"payload"}) << Explain(
        "on_result should be called exactly once, with the task's result",
        "on_result 应当恰好被调用一次，参数是任务的结果");
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
      << Explain("SubmitAllThenJoin should return one result per argument",
                 "SubmitAllThenJoin 应当为每个参数返回一个结果");
  for (std::size_t i = 0; i < args.size(); ++i) {
    EXPECT_TRUE(lines[i].ends_with("argument: " + args[i]))
        << Explain("result ", "结果 ") << i << Explain(" is \"", " 是 \"")
        << lines[i] << Explain("\"; it should be fn(\"", "\"；它应当是 fn(\"")
        << args[i] << Explain("\"), in argument order", "\")，并按参数顺序");
  }
}

// Results match a plain loop over the arguments, in order, for many inputs
// (more than there are workers) and for none.
TEST_F(ApplyAsyncTest, SubmitAllThenJoinKeepsOrder) {
  std::vector<std::string> args;
  for (int i = 0; i < 25; ++i) args.push_back("item-" + std::to_string(i * 7));
  EXPECT_EQ(SubmitAllThenJoin(pool_, Reverse, args), ReverseEach(args))
      << Explain("the results should be fn of each argument, in argument order",
                 "结果应当是对每个参数调用 fn 的值，并按参数顺序");
}

// An empty list still closes and joins the pool.
TEST_F(ApplyAsyncTest, SubmitAllThenJoinWithNoArgs) {
  EXPECT_TRUE(SubmitAllThenJoin(pool_, Reverse, {}).empty());
  EXPECT_THROW((void)pool_.apply_async(Reverse, std::tuple{std::string("x")}),
               pool::UsageError)
      << Explain(
             "with no arguments SubmitAllThenJoin should still close the pool",
             "没有参数时，SubmitAllThenJoin 仍应关闭进程池");
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
        << Explain("Three tasks waited ", "三个任务互相等待了 ")
        << exercises::testing::kGuard.count()
        << Explain(
               " s for each other and gave up: they never ran at the same "
               "time. Submit every task with apply_async before calling get() "
               "on any of them.",
               " 秒后放弃：它们从未同时执行。先用 apply_async "
               "提交所有任务，再对其中任何一个调用 get()。");
    pids.push_back(std::stoll(r.substr(4)));
  }
  EXPECT_TRUE(RanInWorkers("SubmitAllThenJoin", pids, workers));
}

// Afterwards the pool is closed (new work is refused) and joined.
TEST_F(ApplyAsyncTest, SubmitAllThenJoinClosesThePool) {
  (void)SubmitAllThenJoin(pool_, Reverse, {"abc"});
  EXPECT_THROW((void)pool_.apply_async(Reverse, std::tuple{std::string("x")}),
               pool::UsageError)
      << Explain(
             "the pool still accepts work: SubmitAllThenJoin should close() it",
             "进程池仍在接收工作：SubmitAllThenJoin 应当 close() 它");
  EXPECT_TRUE(pool_.worker_pids().empty()) << Explain(
      "the pool's workers are still running: SubmitAllThenJoin should join() "
      "it after close()",
      "进程池的工作进程仍在运行：SubmitAllThenJoin 应当在 close() 之后 join() "
      "它");
}

}  // namespace
}  // namespace exercises
