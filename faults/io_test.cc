// Faults on the pipes: huge messages in both directions at once, a peer that
// dies while the other side writes (SIGPIPE), and signals that interrupt
// every read and write (EINTR).

#include <errno.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <set>
#include <stdexcept>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "faults/fault_fixture.h"
#include "pool/pool.h"

namespace faults {
namespace {

constexpr std::size_t kMiB = 1024 * 1024;
// 100 MiB messages (25 MiB in the sanitizer builds; see kSanitized).
constexpr std::size_t kLarge = (kSanitized ? 25 : 100) * kMiB;

// --- Tasks -------------------------------------------------------------------

// Checks that `data` arrived intact, then returns its bitwise complement
// (as big as the argument, and different from it).
std::string Complement(std::string data, std::uint64_t expected_hash) {
  if (Hash(data) != expected_hash) {
    throw std::runtime_error("the argument was corrupted in transit");
  }
  for (char& c : data) c = static_cast<char>(~c);
  return data;
}

std::string Complemented(std::string data) {
  for (char& c : data) c = static_cast<char>(~c);
  return data;
}

// Exits (status 0) once the parent has put 48 KiB of the next task into this
// worker's task pipe, that is while the parent is in the middle of writing
// a task far larger than the pipe. Looks at fd 3, the worker's task pipe
// (kTaskFd in pool/internal/worker.cc). Exits anyway after about 10 s: on a
// busy machine the pool may send one task at a time (see SendTasksAhead),
// and the test must not hang then.
int ExitWhenTaskPipeFull(int) {
  int queued = 0;
  for (int i = 0; i < 100000; ++i) {
    if (::ioctl(3, FIONREAD, &queued) == 0 && queued >= 48 * 1024) break;
    ::usleep(100);
  }
  ::_exit(0);
}
int Identity(int x) { return x; }
std::size_t Length(std::string s) { return s.size(); }

// True if the next task reached this worker's task pipe (fd 3, as above)
// within `max_ms` milliseconds while this task ran.
bool NextTaskArrives(int max_ms) {
  int queued = 0;
  for (int i = 0; i < 10 * max_ms; ++i) {
    if (::ioctl(3, FIONREAD, &queued) == 0 && queued > 0) return true;
    ::usleep(100);
  }
  return false;
}

// A new pool sends a worker one task at a time until it has seen how long
// tasks take; once they are short it sends the next ones while the worker
// runs the current one (ProcessEngine::Dispatch). The tests below are about
// the parent writing a second task while the worker runs or answers the
// first. Runs batches of instant tasks until a probe task sees the task
// after it arrive while it runs. On a machine so busy that even instant
// tasks take long, the pool rightly keeps sending one at a time; the tests
// then take longer and check less, but still pass only if nothing is lost.
void SendTasksAhead(pool::Pool& p) {
  auto instant_tasks = [&p] {
    std::vector<pool::AsyncResult<int>> quick;
    for (int i = 0; i < 300; ++i) {
      quick.push_back(p.apply_async(Identity, std::tuple{i}));
    }
    for (auto& r : quick) r.get();
  };
  for (int attempt = 0; attempt < 10; ++attempt) {
    instant_tasks();
    // The next task is larger than the worker reads at once, so that some
    // of it is still in the pipe, where the probe can see it.
    auto probe = p.apply_async(NextTaskArrives, std::tuple{100});
    auto next = p.apply_async(Length, std::tuple{std::string(256 * 1024, 'n')});
    const bool ahead = probe.get();
    next.get();
    if (ahead) {
      instant_tasks();  // The probe's wait counted as a long task.
      return;
    }
  }
}

// Records this worker's pid in `path`, waits until the file `go` exists,
// then returns a reply far larger than a pipe holds.
std::string MarkWaitThenReplyHuge(std::string path, std::string go) {
  WriteFileAtomically(path, std::to_string(::getpid()));
  WaitUntil([&] { return !ReadFile(go).empty(); });
  return std::string(16 * kMiB, 'r');
}

// The index and a hash of the payload: enough to tell whether any item was
// lost, duplicated or corrupted.
std::pair<int, std::uint64_t> IndexAndHash(std::pair<int, std::string> item) {
  return {item.first, Hash(item.second)};
}

// --- 100 MiB each way ------------------------------------------------------

using LargeMessageTest = FaultTest;

// Two 100 MiB arguments and two 100 MiB results on one worker: while the
// worker writes its first reply the parent is still writing the second
// task, so both directions are busy at once. Everything arrives intact.
TEST_F(LargeMessageTest, HundredMiBBothDirectionsAtOnce) {
  pool::Pool p(1);
  SendTasksAhead(p);
  std::vector<std::uint64_t> want;
  std::vector<pool::AsyncResult<std::string>> results;
  for (std::uint64_t seed = 1; seed <= 2; ++seed) {
    std::string data = RandomBytes(kLarge, seed);
    const std::uint64_t hash = Hash(data);
    want.push_back(Hash(Complemented(data)));
    results.push_back(
        p.apply_async(Complement, std::tuple{std::move(data), hash}));
  }
  for (std::size_t i = 0; i < results.size(); ++i) {
    const std::string& got = results[i].get();
    EXPECT_EQ(got.size(), kLarge);
    EXPECT_EQ(Hash(got), want[i]) << "result " << i << " was corrupted";
  }
  EXPECT_EQ(p.apply(Identity, 3), 3);
}

// --- SIGPIPE
// -------------------------------------------------------------------

using BrokenPipeTest = FaultTest;

// The worker exits while the parent is blocked writing a task to it (its
// task pipe is full): the parent's next write fails with EPIPE instead of
// killing it with SIGPIPE; the exiting task fails, and the half-written
// task is sent again to the replacement worker and succeeds.
TEST_F(BrokenPipeTest, ParentWritingToDeadWorkerSurvives) {
  pool::Pool p(1);
  for (std::size_t size : {kMiB, 16 * kMiB, kLarge}) {
    std::string data = RandomBytes(size, size);
    const std::uint64_t hash = Hash(data);
    const std::uint64_t want = Hash(Complemented(data));
    SendTasksAhead(p);
    auto dies = p.apply_async(ExitWhenTaskPipeFull, std::tuple{0});
    auto big = p.apply_async(Complement, std::tuple{std::move(data), hash});
    EXPECT_THROW(dies.get(), pool::WorkerDiedError) << "size " << size;
    EXPECT_EQ(Hash(big.get()), want) << "size " << size;
  }
  EXPECT_EQ(p.apply(Identity, 4), 4);
}

// The parent process dies while a worker is writing a 16 MiB reply to it.
// The worker's write fails with EPIPE and it exits with status 0 (it is not
// killed by SIGPIPE); then the fork server, seeing the parent gone, exits
// cleanly too. The fork server is stopped (SIGSTOP) while the parent dies,
// so that its own SIGKILL of the workers cannot hide how the worker ended.
TEST_F(BrokenPipeTest, WorkerWritingToDeadParentExitsCleanly) {
  const std::string marker = UniqueTempPath("writer");
  const std::string blocked = UniqueTempPath("blocked");
  std::fflush(nullptr);
  const pid_t parent = ::fork();
  ASSERT_GE(parent, 0);
  if (parent == 0) {
    // The doomed parent. Worker 1 waits for `blocked`; worker 2 answers at
    // once, and the callback of that answer blocks the handler thread for
    // good, after creating `blocked`. Then worker 1 writes its huge reply,
    // which nobody reads: it fills the pipe and blocks in write().
    pool::Pool p(2);
    auto huge =
        p.apply_async(MarkWaitThenReplyHuge, std::tuple{marker, blocked});
    auto quick = p.apply_async(
        Identity, std::tuple{1}, {.callback = [blocked](const int&) {
          WriteFileAtomically(blocked, "handler thread blocked");
          for (;;) ::pause();
        }});
    for (;;) ::pause();
  }
  WaitUntil([&] { return !ReadFile(blocked).empty(); });
  WaitUntil([&] { return !ReadFile(marker).empty(); });
  const pid_t worker = std::stoi(ReadFile(marker));
  std::vector<pid_t> servers;
  WaitUntil([&] {
    servers = ChildrenOf(parent);
    return !servers.empty();
  });
  ASSERT_EQ(servers.size(), 1u);
  const pid_t server = servers[0];
  ASSERT_EQ(::kill(server, SIGSTOP), 0);
  ASSERT_EQ(::kill(parent, SIGKILL), 0);
  int status = 0;
  ASSERT_EQ(::waitpid(parent, &status, 0), parent);

  // The worker becomes a zombie of the stopped server; /proc still shows
  // its exit status (field 52 of /proc/<pid>/stat).
  WaitUntil([&] { return StatField(worker, 3) == "Z"; });
  const int worker_status = std::stoi(StatField(worker, 52));
  EXPECT_TRUE(WIFEXITED(worker_status) && WEXITSTATUS(worker_status) == 0)
      << "the worker ended with " << pool::DescribeWaitStatus(worker_status);

  // The server was re-parented to this process (a subreaper); let it go.
  ASSERT_EQ(::kill(server, SIGCONT), 0);
  ASSERT_EQ(::waitpid(server, &status, 0), server);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
      << "the fork server ended with " << pool::DescribeWaitStatus(status);
}

// A program may set SIGPIPE back to its default disposition after its first
// pool was built. A later pool must still survive writing to a dead worker
// (the parent is not killed by SIGPIPE). Runs in a child process, which owns
// its signal dispositions.
TEST_F(BrokenPipeTest, SigpipeResetToDefaultBetweenPools) {
  const ChildOutcome outcome = RunInChild([]() -> std::string {
    { pool::Pool first(1); }
    ::signal(SIGPIPE, SIG_DFL);
    pool::Pool p(1);
    SendTasksAhead(p);
    std::string data = RandomBytes(16 * kMiB, 3);
    const std::uint64_t hash = Hash(data);
    auto dies = p.apply_async(ExitWhenTaskPipeFull, std::tuple{0});
    auto big = p.apply_async(Complement, std::tuple{std::move(data), hash});
    try {
      dies.get();
      return "the exiting task succeeded";
    } catch (const pool::WorkerDiedError&) {
    }
    if (big.get().size() != 16 * kMiB) return "the big task lost bytes";
    return "";
  });
  EXPECT_TRUE(ChildSucceeded(outcome))
      << "(killed by signal 13 is SIGPIPE: the parent died writing to the "
         "dead worker)";
}

// --- EINTR -----------------------------------------------------------------

std::atomic<long> parent_interruptions{0};
void CountInterruption(int) { parent_interruptions.fetch_add(1); }
void IgnoreInterruption(int) {}

// Installs `handler` for SIGALRM without SA_RESTART, so that every system
// call it interrupts fails with EINTR, and fires it every millisecond.
void ArmMillisecondAlarm(void (*handler)(int), struct sigaction* old) {
  struct sigaction sa {};
  sa.sa_handler = handler;
  ::sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0;  // No SA_RESTART.
  ::sigaction(SIGALRM, &sa, old);
  const itimerval every_ms{{0, 1000}, {0, 1000}};
  ::setitimer(ITIMER_REAL, &every_ms, nullptr);
}

using InterruptedSyscallTest = FaultTest;

// A SIGALRM handler without SA_RESTART fires every millisecond in the parent
// (only the pool's handler thread can take it: it is blocked in this thread)
// and in every worker (armed by the initializer), during maps and
// imap_unordered of payloads from a few bytes to 1 MiB. No item is lost,
// duplicated or corrupted.
TEST_F(InterruptedSyscallTest, AlarmEveryMillisecondLosesNothing) {
  pool::Options options;
  options.processes = 2;
  options.initializer = [] {
    ArmMillisecondAlarm(IgnoreInterruption, nullptr);
  };
  pool::Pool p(options);

  // The handler thread exists now and has SIGALRM unblocked; block it here
  // so that the signal always lands on the thread doing the pool's I/O.
  sigset_t alrm;
  ::sigemptyset(&alrm);
  ::sigaddset(&alrm, SIGALRM);
  ASSERT_EQ(::pthread_sigmask(SIG_BLOCK, &alrm, nullptr), 0);
  struct sigaction old {};
  parent_interruptions = 0;
  ArmMillisecondAlarm(CountInterruption, &old);

  std::vector<std::pair<int, std::string>> items;
  std::vector<std::uint64_t> want;
  for (int i = 0; i < 3000; ++i) {
    const std::size_t size = i % 500 == 0  ? kMiB
                             : i % 50 == 0 ? 70 * 1024
                             : i % 2 == 0  ? 3000
                                           : static_cast<std::size_t>(i % 17);
    items.emplace_back(i, RandomBytes(size, static_cast<std::uint64_t>(i)));
    want.push_back(Hash(items.back().second));
  }
  // Repeat until the parent has been interrupted often, within a bound.
  for (int round = 0; round < 40 && (round < 2 || parent_interruptions < 2000);
       ++round) {
    const auto mapped =
        p.map(IndexAndHash, items, {.chunksize = 1 + round % 7});
    ASSERT_EQ(mapped.size(), items.size());
    for (std::size_t i = 0; i < mapped.size(); ++i) {
      ASSERT_EQ(mapped[i].first, static_cast<int>(i));
      ASSERT_EQ(mapped[i].second, want[i]) << "item " << i;
    }
    std::set<int> seen;
    for (const auto& [index, hash] : p.imap_unordered(IndexAndHash, items)) {
      ASSERT_TRUE(seen.insert(index).second) << "item " << index << " twice";
      ASSERT_EQ(hash, want[static_cast<std::size_t>(index)]);
    }
    ASSERT_EQ(seen.size(), items.size());
  }

  const itimerval off{};
  ::setitimer(ITIMER_REAL, &off, nullptr);
  ::pthread_sigmask(SIG_UNBLOCK, &alrm, nullptr);
  ::sigaction(SIGALRM, &old, nullptr);
  RecordProperty("parent_interruptions",
                 static_cast<int>(parent_interruptions.load()));
  EXPECT_GT(parent_interruptions.load(), 0);
}

}  // namespace
}  // namespace faults
