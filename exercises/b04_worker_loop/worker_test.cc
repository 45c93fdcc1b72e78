// Tests for step b04 (one worker, many tasks). They run against
// exercises/b04_worker_loop (your code) and solutions/b04_worker_loop.

#include "exercises/b04_worker_loop/worker.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "exercises/b03_framing/framing.h"
#include "exercises/testing/explain.h"
#include "exercises/testing/track_testing.h"

namespace bpool {
namespace {

using ::exercises::testing::Children;
using ::exercises::testing::FdsOf;
using ::exercises::testing::FdTarget;
using ::exercises::testing::FinishesWithin;
using ::exercises::testing::kCallGuard;
using ::exercises::testing::OpenFds;
using ::exercises::testing::Show;

// Tasks: plain functions, run in the worker.
std::int64_t Square(std::int64_t x) { return x * x; }
std::int64_t OwnPid(std::int64_t) { return ::getpid(); }
std::int64_t ThrowOn13(std::int64_t x) {
  if (x == 13) throw std::runtime_error("boom: 13");
  return x;
}

// Receives under a hang guard. An empty optional both when the worker is
// gone and when Receive() hung (then the test has already failed).
std::optional<Outcome> ReceiveGuarded(const std::shared_ptr<Worker>& worker,
                                      const char* hint) {
  auto outcome = std::make_shared<std::optional<Outcome>>();
  if (!FinishesWithin(kCallGuard,
                      [worker, outcome] { *outcome = worker->Receive(); })) {
    ADD_FAILURE() << Explain("Receive() did not return within ",
                             "Receive() 在 ")
                  << kCallGuard.count() << Explain(" s: ", " 秒内没有返回：")
                  << hint;
    return std::nullopt;
  }
  return *outcome;
}

// Sends one task and returns its reply; fails the test if none comes.
std::optional<Outcome> RunOne(const std::shared_ptr<Worker>& worker, Task fn,
                              std::vector<std::int64_t> items) {
  worker->Send(fn, items);
  std::optional<Outcome> outcome = ReceiveGuarded(
      worker, "does the worker answer each task with one reply frame?");
  if (!outcome)
    ADD_FAILURE() << Explain("no reply: the worker is gone",
                             "没有回复：工作进程已经不在了");
  return outcome;
}

std::shared_ptr<Worker> StartWorker() {
  return std::make_shared<Worker>(Worker::Start());
}

// A pipe's identity ("pipe:[inode]") as the parent sees it.
std::string PipeOf(int fd) { return FdTarget(::getpid(), fd); }

class WorkerTest : public ::testing::Test {
 protected:
  void TearDown() override {
    EXPECT_TRUE(Children().empty())
        << Children().size()
        << Explain(" child process(es) left after the test",
                   " 个子进程在测试结束后仍然存在");
  }
};

// One task goes in, its results come out.
TEST_F(WorkerTest, OneTaskRoundTrips) {
  auto worker = StartWorker();
  std::optional<Outcome> outcome = RunOne(worker, Square, {7});
  ASSERT_TRUE(outcome);
  EXPECT_EQ(outcome->status, Outcome::Status::kOk) << outcome->error;
  EXPECT_EQ(outcome->results, std::vector<std::int64_t>{49});
}

// One worker serves 1 000 tasks, one after the other, all in one process
// (not a fork per task), and not the caller's.
TEST_F(WorkerTest, ThousandTasksThroughOneWorker) {
  auto worker = StartWorker();
  std::set<std::int64_t> pids;
  for (std::int64_t i = 0; i < 1000; ++i) {
    std::optional<Outcome> square = RunOne(worker, Square, {i});
    ASSERT_TRUE(square) << Explain("task ", "任务 ") << i;
    ASSERT_EQ(square->results, std::vector<std::int64_t>{i * i})
        << Explain("task ", "任务 ") << i;
    if (i % 100 == 0) {
      std::optional<Outcome> pid = RunOne(worker, OwnPid, {0});
      ASSERT_TRUE(pid);
      pids.insert(pid->results.at(0));
    }
  }
  EXPECT_EQ(pids.size(), 1u)
      << Explain("the tasks ran in ", "这些任务在 ") << pids.size()
      << Explain(" processes; one worker serves them all",
                 " 个进程中执行；应当由一个工作进程执行全部任务");
  EXPECT_EQ(*pids.begin(), worker->pid())
      << Explain("the tasks did not run in the worker's process",
                 "任务没有在工作进程中执行");
}

// A task of many items gets one result per item, in order.
TEST_F(WorkerTest, ManyItemsInOneTask) {
  auto worker = StartWorker();
  std::vector<std::int64_t> items(10000);
  for (std::size_t i = 0; i < items.size(); ++i) {
    items[i] = static_cast<std::int64_t>(i) - 5000;
  }
  std::optional<Outcome> outcome = RunOne(worker, Square, items);
  ASSERT_TRUE(outcome);
  ASSERT_EQ(outcome->results.size(), items.size());
  for (std::size_t i = 0; i < items.size(); ++i) {
    ASSERT_EQ(outcome->results[i], items[i] * items[i])
        << Explain("item ", "元素 ") << i;
  }
}

// A task that throws fails with its message; the worker goes on.
TEST_F(WorkerTest, ThrowingTaskFailsAloneAndTheWorkerGoesOn) {
  auto worker = StartWorker();
  std::optional<Outcome> failed = RunOne(worker, ThrowOn13, {1, 13, 2});
  ASSERT_TRUE(failed);
  EXPECT_EQ(failed->status, Outcome::Status::kTaskFailed);
  EXPECT_NE(failed->error.find("boom: 13"), std::string::npos)
      << Explain("the error should carry the exception's what(); it is: ",
                 "错误应当带有异常的 what()；它是：")
      << failed->error;
  std::optional<Outcome> next = RunOne(worker, Square, {3});
  ASSERT_TRUE(next) << Explain("the worker died after a task threw",
                               "任务抛出异常之后，工作进程死了");
  EXPECT_EQ(next->results, std::vector<std::int64_t>{9});
}

// The stop message ends the worker: it exits with 0 and is reaped.
TEST_F(WorkerTest, StopMessageEndsTheWorker) {
  auto worker = StartWorker();
  ASSERT_TRUE(RunOne(worker, Square, {2}));
  auto how = std::make_shared<ExitStatus>();
  ASSERT_TRUE(
      FinishesWithin(kCallGuard, [worker, how] { *how = worker->Stop(); }))
      << Explain(
             "Stop() did not return: does ServeTasks() end at the stop message "
             "(an empty frame)?",
             "Stop() 没有返回：ServeTasks() 遇到停止消息（空帧）时结束了吗？");
  EXPECT_TRUE(how->exited) << how->Describe();
  EXPECT_EQ(how->code, 0) << how->Describe();
  EXPECT_FALSE(worker->running());
}

// Kill() ends the worker at once and reports SIGKILL.
TEST_F(WorkerTest, KillReportsTheSignal) {
  auto worker = StartWorker();
  const ExitStatus how = worker->Kill();
  EXPECT_FALSE(how.exited) << how.Describe();
  EXPECT_EQ(how.signal, SIGKILL);
}

// When the worker dies, Receive() sees end of file (an empty optional)
// instead of waiting forever.
TEST_F(WorkerTest, ReceiveSeesTheWorkersDeath) {
  auto worker = StartWorker();
  ASSERT_TRUE(RunOne(worker, Square, {2}));
  ::kill(worker->pid(), SIGKILL);
  std::optional<Outcome> outcome = ReceiveGuarded(
      worker,
      "the worker was killed, so its result pipe should read end of file; "
      "some process still holds its write end (the parent must close its "
      "copy after the fork)");
  EXPECT_FALSE(outcome) << Explain("a reply came from a killed worker",
                                   "被杀死的工作进程竟然发来了回复");
}

// The worker holds its two pipe ends (besides stdin, stdout and stderr)
// and nothing else the parent had open.
TEST_F(WorkerTest, WorkerHoldsOnlyItsOwnPipes) {
  int extra[2];
  ASSERT_EQ(::pipe(extra), 0);  // Something else the parent has open.
  auto worker = StartWorker();
  ASSERT_TRUE(RunOne(worker, Square, {1}));  // It is serving by now.
  std::vector<int> fds = FdsOf(worker->pid());
  std::set<std::string> targets;
  for (int fd : fds) {
    if (fd > 2) targets.insert(FdTarget(worker->pid(), fd));
  }
  const std::set<std::string> own = {PipeOf(worker->task_fd()),
                                     PipeOf(worker->result_fd())};
  EXPECT_EQ(targets, own)
      << Explain("the worker holds descriptors ", "工作进程持有描述符 ")
      << Show(fds)
      << Explain(
             "; above 2 it should hold exactly its task pipe and its result "
             "pipe, nothing the parent had open",
             ";2 "
             "以上它应当恰好只持有自己的任务管道和结果管道，"
             "不应有父进程打开的任何东西");
  ::close(extra[0]);
  ::close(extra[1]);
}

// Start, Stop and Kill leave the parent with exactly the descriptors it had.
TEST_F(WorkerTest, NoFdLeakedInTheParent) {
  const std::vector<int> before = OpenFds();
  for (int i = 0; i < 10; ++i) {
    auto stopped = StartWorker();
    ASSERT_TRUE(RunOne(stopped, Square, {i}));
    (void)stopped->Stop();
    auto killed = StartWorker();
    (void)killed->Kill();
    auto dropped = StartWorker();
  }
  EXPECT_EQ(Show(OpenFds()), Show(before));
}

// ServeTasks() on its own: answers each task in order, and returns 0 at
// end of file.
TEST_F(WorkerTest, ServeTasksAnswersThenEndsAtEndOfFile) {
  int tasks[2], results[2];
  ASSERT_EQ(::pipe(tasks), 0);
  ASSERT_EQ(::pipe(results), 0);
  WriteFrame(tasks[1], EncodeTask(Square, std::vector<std::int64_t>{3, 4}));
  WriteFrame(tasks[1], EncodeTask(Square, std::vector<std::int64_t>{5}));
  ::close(tasks[1]);
  auto code = std::make_shared<int>(-1);
  const int task_read = tasks[0], result_write = results[1];
  ASSERT_TRUE(FinishesWithin(kCallGuard,
                             [task_read, result_write, code] {
                               *code = ServeTasks(task_read, result_write);
                             }))
      << Explain("ServeTasks() did not return at end of file on its task pipe",
                 "任务管道上文件结束时 ServeTasks() 没有返回");
  EXPECT_EQ(*code, 0);
  ::close(results[1]);
  for (const std::vector<std::int64_t>& expected :
       {std::vector<std::int64_t>{9, 16}, std::vector<std::int64_t>{25}}) {
    std::optional<std::string> body = ReadFrame(results[0]);
    ASSERT_TRUE(body) << Explain("a reply is missing", "缺少一个回复");
    std::optional<Outcome> outcome = DecodeReply(*body);
    ASSERT_TRUE(outcome) << Explain(
        "the reply does not decode (EncodeResults?)",
        "回复无法解码（EncodeResults？）");
    EXPECT_EQ(outcome->results, expected);
  }
  EXPECT_FALSE(ReadFrame(results[0]))
      << Explain("more replies than tasks", "回复比任务多");
  ::close(tasks[0]);
  ::close(results[0]);
}

// ServeTasks() refuses a frame that is not a task: it returns 2.
TEST_F(WorkerTest, ServeTasksRefusesGarbage) {
  int tasks[2], results[2];
  ASSERT_EQ(::pipe(tasks), 0);
  ASSERT_EQ(::pipe(results), 0);
  WriteFrame(tasks[1], "xyz");  // 3 bytes: not an address and items.
  auto code = std::make_shared<int>(-1);
  const int task_read = tasks[0], result_write = results[1];
  ASSERT_TRUE(FinishesWithin(kCallGuard,
                             [task_read, result_write, code] {
                               *code = ServeTasks(task_read, result_write);
                             }))
      << Explain("ServeTasks() did not return after a malformed frame",
                 "遇到格式错误的帧之后 ServeTasks() 没有返回");
  EXPECT_EQ(*code, 2);
  for (int fd : {tasks[0], tasks[1], results[0], results[1]}) ::close(fd);
}

}  // namespace
}  // namespace bpool
