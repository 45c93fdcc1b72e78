// Tests for Exercise 2 (Pool::apply_async). They run against
// exercises/02_apply_async (your code) and solutions/02_apply_async.

#include "exercises/02_apply_async/exercise.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "exercises/testing/gate.h"
#include "pool/pool.h"

namespace exercises {
namespace {

using ::exercises::testing::ArriveAndWait;
using ::exercises::testing::Gate;
using ::exercises::testing::WaitAtGate;

// Tasks. They are plain functions: they run in the worker processes.

// The article's action, returning its line instead of printing it.
std::string Action(std::string name) {
  return "(" + std::to_string(::getpid()) + ") running, argument: " + name;
}
std::string Reverse(std::string s) { return {s.rbegin(), s.rend()}; }
std::string OwnPid(std::string) { return std::to_string(::getpid()); }
// Returns its argument once the test opens the gate.
std::string EchoAfterGate(std::string s) {
  return WaitAtGate() ? s : "gave up waiting at the gate";
}
// Returns "met" once three of these run at the same time.
std::string MeetThree(std::string) {
  return ArriveAndWait(3) ? "met" : "gave up waiting for the others";
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
  EXPECT_FALSE(result.ready()) << "Submit waited for the task";
  gate_.Open();
  EXPECT_EQ(result.get(), "hi");
  EXPECT_FALSE(gate_.gave_up());
}

// Submit passes the argument, and the task runs in a worker process.
TEST_F(ApplyAsyncTest, SubmitRunsFnOfArgInAWorker) {
  EXPECT_EQ(Submit(pool_, Reverse, "stressed").get(), "desserts");
  EXPECT_NE(Submit(pool_, OwnPid, "").get(), std::to_string(::getpid()));
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
        << "callback ran before the task finished";
  }
  gate_.Open();
  EXPECT_EQ(result.get(), "payload");
  std::lock_guard lock(seen->mu);  // get() returns after the callback ran.
  EXPECT_EQ(seen->results, std::vector<std::string>{"payload"});
}

// The article's three calls: results come back in submission order, each
// computed in a worker.
TEST_F(ApplyAsyncTest, SubmitAllThenJoinRunsTheArticleProgram) {
  const std::vector<std::string> args = {"default", "positional argument",
                                         "keyword argument"};
  const std::vector<std::string> lines = SubmitAllThenJoin(pool_, Action, args);
  ASSERT_EQ(lines.size(), args.size());
  const std::string parent = "(" + std::to_string(::getpid()) + ")";
  for (std::size_t i = 0; i < args.size(); ++i) {
    EXPECT_TRUE(lines[i].ends_with("argument: " + args[i])) << lines[i];
    EXPECT_FALSE(lines[i].starts_with(parent)) << "ran in the parent";
  }
}

// Results match a plain loop over the arguments, in order, for many inputs
// (more than there are workers) and for none.
TEST_F(ApplyAsyncTest, SubmitAllThenJoinKeepsOrder) {
  std::vector<std::string> args;
  for (int i = 0; i < 25; ++i) args.push_back("item-" + std::to_string(i * 7));
  EXPECT_EQ(SubmitAllThenJoin(pool_, Reverse, args), ReverseEach(args));
}

// An empty list still closes and joins the pool.
TEST_F(ApplyAsyncTest, SubmitAllThenJoinWithNoArgs) {
  EXPECT_TRUE(SubmitAllThenJoin(pool_, Reverse, {}).empty());
  EXPECT_THROW((void)pool_.apply_async(Reverse, std::tuple{std::string("x")}),
               pool::UsageError);
}

// All tasks are submitted before any is waited for: three tasks that each
// wait until three are running can only finish if they ran side by side.
TEST_F(ApplyAsyncTest, SubmitAllThenJoinSubmitsBeforeWaiting) {
  EXPECT_EQ(SubmitAllThenJoin(pool_, MeetThree, {"a", "b", "c"}),
            (std::vector<std::string>{"met", "met", "met"}));
}

// Afterwards the pool is closed (new work is refused) and joined.
TEST_F(ApplyAsyncTest, SubmitAllThenJoinClosesThePool) {
  (void)SubmitAllThenJoin(pool_, Reverse, {"abc"});
  EXPECT_THROW((void)pool_.apply_async(Reverse, std::tuple{std::string("x")}),
               pool::UsageError);
  pool_.join();  // Already joined: returns at once.
}

}  // namespace
}  // namespace exercises
