// What a task can do to its own worker's pipes, and what the parent's side
// of a reply can do wrong: a task that writes into its result pipe (a
// forged reply, a forged header announcing 2^30 or 2^62 bytes, /dev/null
// over fd 4), a worker that dies in the middle of a reply, a task that
// closes its task pipe, a Codec that throws while decoding, a reply too
// large for the parent's memory. Each fails at most the task that did it,
// with a message that says what happened; no other task is blamed, and the
// pool goes on with a replacement worker.
//
// The tasks below know the pool's wire format (pool/internal/wire.h: a
// 24-byte header {u64 size, u64 task_id, u64 check}) and its fds (3: task pipe,
// 4: result pipe), as a hostile or careless task could.

#include <errno.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <string>
#include <tuple>
#include <vector>

#include "faults/fault_fixture.h"
#include "pool/pool.h"

// A value whose decoding always throws: in the parent when it is a result,
// in the worker when it is an argument.
struct Undecodable {
  int value = 0;
};
template <>
struct pool::Codec<Undecodable> {
  static void encode(pool::Writer& w, const Undecodable& u) {
    pool::Encode(w, u.value);
  }
  static Undecodable decode(pool::Reader& r) {
    const int v = pool::Decode<int>(r);
    throw std::runtime_error("cannot decode Undecodable " + std::to_string(v));
  }
};

// An argument that decodes unless its value is negative.
struct Picky {
  int value = 0;
};
template <>
struct pool::Codec<Picky> {
  static void encode(pool::Writer& w, const Picky& p) {
    pool::Encode(w, p.value);
  }
  static Picky decode(pool::Reader& r) {
    const int v = pool::Decode<int>(r);
    if (v < 0)
      throw std::invalid_argument("negative Picky " + std::to_string(v));
    return Picky{v};
  }
};

namespace faults {
namespace {

constexpr int kResultFd = 4;

// --- Tasks -------------------------------------------------------------------

int Identity(int x) { return x; }
pid_t WorkerPid(int) { return ::getpid(); }

void WriteBytes(int fd, const void* data, std::size_t n) {
  const char* p = static_cast<const char*>(data);
  while (n > 0) {
    const ssize_t w = ::write(fd, p, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return;
    p += w;
    n -= static_cast<std::size_t>(w);
  }
}

// Writes a frame header announcing `size` bytes for task `id`, then returns.
int ForgeHeader(std::uint64_t size, std::uint64_t id) {
  const std::uint64_t header[3] = {size, id, 0};
  WriteBytes(kResultFd, header, sizeof header);
  return 5;
}

// Writes a well-formed reply for task `id` (value 999) into its own result
// pipe, then returns 5, whose reply the worker loop then writes as well.
int ForgeReply(std::uint64_t id) {
  const std::uint64_t count = 1, errors = 0;
  const int value = 999;
  std::string body;
  body.append(reinterpret_cast<const char*>(&count), 8);
  body.append(reinterpret_cast<const char*>(&value), sizeof value);
  body.append(reinterpret_cast<const char*>(&errors), 8);
  const std::uint64_t header[3] = {body.size(), id, 0};
  std::string frame(reinterpret_cast<const char*>(header), sizeof header);
  frame += body;
  WriteBytes(kResultFd, frame.data(), frame.size());
  return 5;
}

// Records the pid, waits until `go` exists, then forges a header.
int ForgeHeaderWhenGo(std::string path, std::string go, std::uint64_t size,
                      std::uint64_t id) {
  WriteFileAtomically(path, std::to_string(::getpid()));
  WaitUntil([&] { return !ReadFile(go).empty(); });
  return ForgeHeader(size, id);
}

// Puts /dev/null over the result pipe and returns: the worker's replies go
// nowhere, and the parent reads end of file while the worker lives.
int DevNullOverResultPipe(int) {
  const int fd = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
  ::dup2(fd, kResultFd);
  ::close(fd);
  return 1;
}

// Waits (up to about 10 s) until another task waits in the task pipe (fd
// 3), then closes it: the worker can read no further task.
int CloseTaskPipeWhenQueued(int x) {
  int queued = 0;
  for (int i = 0; i < 100000; ++i) {
    if (::ioctl(3, FIONREAD, &queued) != 0 || queued > 0) break;
    ::usleep(100);
  }
  ::close(3);
  return x;
}

Undecodable MakeUndecodable(int x) { return Undecodable{x}; }
int PickyValue(Picky p) { return p.value; }

// Records the pid, then returns a reply of `size` bytes once `go` exists.
std::string MarkWaitThenReply(std::string path, std::string go,
                              std::uint64_t size) {
  WriteFileAtomically(path, std::to_string(::getpid()));
  WaitUntil([&] { return !ReadFile(go).empty(); });
  return std::string(size, 'r');
}

std::string Bytes(std::uint64_t size) { return std::string(size, 'b'); }

// --- Helpers -----------------------------------------------------------------

// The error `r` fails with, or "" if it succeeds.
template <class R>
std::string ErrorOf(const pool::AsyncResult<R>& r) {
  try {
    r.get();
  } catch (const pool::Error& e) {
    return e.what();
  }
  return "";
}

// Checks that `p` still serves: every one of 200 tasks returns its value.
void ExpectServing(pool::Pool& p) {
  std::vector<int> items(200);
  for (int i = 0; i < 200; ++i) items[static_cast<std::size_t>(i)] = i;
  EXPECT_EQ(p.map(Identity, items, {.chunksize = 3}), items);
}

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// Holds `p`'s handler thread in a callback until the file `release` exists,
// so that whatever workers write meanwhile waits in their pipes. Returns once
// the callback runs; the result resolves to 1 after the release.
pool::AsyncResult<int> HoldHandlerUntil(pool::Pool& p,
                                        const std::string& release) {
  auto in_callback = std::make_shared<std::atomic<bool>>(false);
  auto blocker = p.apply_async(
      Identity, std::tuple{1}, {.callback = [in_callback, release](const int&) {
        *in_callback = true;
        WaitUntil([&] { return !ReadFile(release).empty(); });
      }});
  WaitUntil([&] { return in_callback->load(); });
  return blocker;
}

// --- B. Exceptions on the handler thread and in the worker -------------------

using DecodeFaultTest = FaultTest;

// A result whose Codec throws while the parent decodes it fails that task
// with a pool::Error carrying the codec's message (the error_callback
// runs); the worker is not replaced, and the pool goes on.
TEST_F(DecodeFaultTest, ResultCodecThrowingInParentFailsOnlyThatTask) {
  pool::Pool p(1);
  const pid_t pid = p.apply(WorkerPid, 0);
  std::atomic<int> error_callbacks{0};
  auto r = p.apply_async(
      MakeUndecodable, std::tuple{7},
      {.error_callback = [&](const pool::Error&) { ++error_callbacks; }});
  const std::string error = ErrorOf(r);
  EXPECT_TRUE(Contains(error, "cannot decode Undecodable 7")) << error;
  EXPECT_TRUE(Contains(error, "std::runtime_error")) << error;
  EXPECT_EQ(error_callbacks.load(), 1);
  EXPECT_EQ(p.apply(WorkerPid, 0), pid) << "the worker was replaced";
  ExpectServing(p);
}

// An argument whose Codec throws in the worker fails that item with the
// codec's exception (type and message), as a task's own exception would;
// the worker survives (it never unwinds into the program's own code).
TEST_F(DecodeFaultTest, ArgumentCodecThrowingInWorkerFailsThatItem) {
  pool::Pool p(1);
  const pid_t pid = p.apply(WorkerPid, 0);
  auto r = p.apply_async(PickyValue, std::tuple{Picky{-3}});
  try {
    r.get();
    ADD_FAILURE() << "an undecodable argument was accepted";
  } catch (const pool::TaskError& e) {
    EXPECT_TRUE(Contains(e.type_name(), "invalid_argument")) << e.what();
    EXPECT_TRUE(Contains(e.message(), "negative Picky -3")) << e.what();
  }
  EXPECT_EQ(p.apply(PickyValue, Picky{4}), 4);
  EXPECT_EQ(p.apply(WorkerPid, 0), pid) << "the worker was replaced";
}

// In a map chunk, the items before an undecodable argument succeed; it and
// the items after it in the same chunk fail with the codec's error (where
// the next argument starts is unknown); other chunks are unaffected.
TEST_F(DecodeFaultTest, ArgumentCodecThrowingInMapChunk) {
  pool::Pool p(2);
  std::vector<Picky> items;
  for (int i = 0; i < 40; ++i) items.push_back(Picky{i == 13 ? -1 : i});
  auto m = p.map_async(PickyValue, items, {.chunksize = 10});
  const std::string error = ErrorOf(m);
  EXPECT_TRUE(Contains(error, "negative Picky -1")) << error;
  // The chunks without the bad item all succeed.
  std::vector<Picky> good(items.begin() + 20, items.end());
  const std::vector<int> values = p.map(PickyValue, good, {.chunksize = 10});
  for (std::size_t i = 0; i < values.size(); ++i) {
    EXPECT_EQ(values[i], static_cast<int>(i) + 20);
  }
}

// A reply larger than the parent may allocate (RLIMIT_AS, lowered after the
// pool started so that the worker is not limited) fails that task with an
// error saying it does not fit, instead of bad_alloc escaping the handler
// thread (std::terminate); the pool goes on with a new worker.
TEST_F(DecodeFaultTest, ReplyLargerThanParentMemoryFailsThatTask) {
  if (kSanitized) {
    GTEST_SKIP() << "the sanitizer runtimes reserve terabytes of address "
                    "space, so RLIMIT_AS cannot be set above their use";
  }
  EXPECT_TRUE(ChildSucceeded(RunInChild([]() -> std::string {
    pool::Pool p(1);
    if (p.apply(Identity, 1) != 1) return "the pool does not work";
    const std::string status = ReadFile("/proc/self/status");
    const std::size_t at = status.find("VmSize:");
    if (at == std::string::npos) return "no VmSize";
    const std::uint64_t vm_kib = std::stoull(status.substr(at + 7));
    rlimit old{};
    ::getrlimit(RLIMIT_AS, &old);
    rlimit lim = old;
    lim.rlim_cur = static_cast<rlim_t>((vm_kib << 10) + (64ull << 20));
    if (::setrlimit(RLIMIT_AS, &lim) != 0) return "setrlimit failed";
    auto r = p.apply_async(Bytes, std::tuple{std::uint64_t{256} << 20});
    const std::string error = ErrorOf(r);
    ::setrlimit(RLIMIT_AS, &old);
    if (!Contains(error, "does not fit")) {
      return "the huge reply failed with: \"" + error + "\"";
    }
    if (p.apply(Identity, 2) != 2) return "the pool stopped working";
    return "";
  })));
}

// --- E. Blame only a task the worker really started
// ----------------------------

using BlameTest = FaultTest;

// An idle worker SIGKILLed just before apply_async: the task never started,
// so it is sent to the replacement and succeeds, every time.
TEST_F(BlameTest, IdleWorkerKilledJustBeforeSubmitIsNotBlamed) {
  pool::Pool p(1);
  for (int i = 0; i < 20; ++i) {
    const pid_t pid = p.apply(WorkerPid, 0);
    ASSERT_EQ(::kill(pid, SIGKILL), 0);
    auto r = p.apply_async(Identity, std::tuple{i});
    EXPECT_EQ(ErrorOf(r), "") << "a task that never started was blamed";
    EXPECT_NE(p.apply(WorkerPid, 0), pid);
  }
}

// A task that closes its worker's task pipe once more tasks wait in it,
// then returns normally: the worker can read no further task and exits.
// The tasks queued behind it in the pipe never started: they are resent
// and succeed, and no task is blamed for the worker's exit.
TEST_F(BlameTest, TaskClosingTaskPipeDoesNotFailQueuedTasks) {
  pool::Pool p(1);
  // Many tiny tasks first: the pool then keeps up to 64 in flight on a
  // worker, so the tasks below are written while the first one runs.
  (void)p.map(Identity, std::vector<int>(2000, 1), {.chunksize = 1});
  auto closing = p.apply_async(CloseTaskPipeWhenQueued, std::tuple{-1});
  std::vector<pool::AsyncResult<int>> behind;
  for (int i = 0; i < 50; ++i) {
    behind.push_back(p.apply_async(Identity, std::tuple{i}));
  }
  EXPECT_EQ(closing.get(), -1);
  for (int i = 0; i < 50; ++i) {
    EXPECT_EQ(ErrorOf(behind[static_cast<std::size_t>(i)]), "")
        << "task " << i << " never started but was blamed";
  }
  ExpectServing(p);
}

// A task that forges a well-formed reply for itself: whatever becomes of
// that task, the tasks queued behind it on the same worker are not blamed
// and all succeed; the worker is replaced.
TEST_F(BlameTest, ForgedReplyDoesNotBlameTheNextTask) {
  pool::Pool p(1);
  // Task ids count from 1 in each pool: this is task 1.
  auto forger = p.apply_async(ForgeReply, std::tuple{std::uint64_t{1}});
  std::vector<pool::AsyncResult<int>> behind;
  for (int i = 0; i < 50; ++i) {
    behind.push_back(p.apply_async(Identity, std::tuple{i}));
  }
  const std::string forged = ErrorOf(forger);
  if (forged.empty()) {
    const int value = forger.get();
    EXPECT_TRUE(value == 5 || value == 999) << value;
  } else {
    EXPECT_TRUE(Contains(forged, "task 1")) << forged;
  }
  for (int i = 0; i < 50; ++i) {
    EXPECT_EQ(behind[static_cast<std::size_t>(i)].get(), i);
  }
  ExpectServing(p);
}

// --- F. Garbage in the result pipe
// ---------------------------------------------

using GarbageTest = FaultTest;

// Forged headers announcing 2^62 bytes (more than any process can hold) and
// 2^30 bytes (for the task's own id: only the worker loop's record tells it
// apart): each fails its task with ProtocolError at once, without waiting
// for the body; the worker is replaced and the tasks behind it succeed.
TEST_F(GarbageTest, ForgedHugeHeadersFailTheirTask) {
  pool::Pool p(1);
  std::uint64_t next_id = 1;
  for (const std::uint64_t size :
       {std::uint64_t{1} << 62, std::uint64_t{1} << 30}) {
    const pid_t pid = p.apply(WorkerPid, 0);
    ++next_id;
    const std::uint64_t id = next_id++;
    auto r = p.apply_async(ForgeHeader, std::tuple{size, id});
    auto after = p.apply_async(Identity, std::tuple{3});
    ++next_id;
    try {
      r.get();
      ADD_FAILURE() << "a forged header of " << size << " bytes was accepted";
    } catch (const pool::ProtocolError& e) {
      EXPECT_TRUE(Contains(e.what(), "task " + std::to_string(id))) << e.what();
    }
    EXPECT_EQ(after.get(), 3);
    EXPECT_NE(p.apply(WorkerPid, 0), pid) << "the worker was not replaced";
    ++next_id;
  }
  ExpectServing(p);
}

// The same forged header, read by the parent only after the worker loop has
// written its real reply behind it (the handler thread is held in a
// callback meanwhile): the loop's record of where its reply starts still
// exposes the forgery at its header.
TEST_F(GarbageTest, ForgedHeaderReadTogetherWithTheRealReply) {
  pool::Pool p(2);
  const std::string marker = UniqueTempPath("forger");
  const std::string go = UniqueTempPath("go");
  const std::string release = UniqueTempPath("release");
  // Task 1 forges once `go` exists; task 2's callback holds the handler.
  auto r = p.apply_async(
      ForgeHeaderWhenGo,
      std::tuple{marker, go, std::uint64_t{1} << 30, std::uint64_t{1}});
  const pid_t forger = std::stoi([&] {
    WaitUntil([&] { return !ReadFile(marker).empty(); });
    return ReadFile(marker);
  }());
  auto blocker = HoldHandlerUntil(p, release);
  WriteFileAtomically(go, "x");
  // Forged header and real reply are in the pipe once the worker waits
  // for its next task.
  WaitUntil([&] {
    return Contains(ReadFile("/proc/" + std::to_string(forger) + "/wchan"),
                    "pipe_read");
  });
  WriteFileAtomically(release, "x");
  EXPECT_EQ(blocker.get(), 1);
  try {
    r.get();
    ADD_FAILURE() << "a forged header was accepted";
  } catch (const pool::ProtocolError& e) {
    EXPECT_TRUE(Contains(e.what(), "task 1")) << e.what();
  }
  ExpectServing(p);
}

// /dev/null dup2()ed over the result pipe: the parent reads end of file
// while the worker lives. The task fails with ProtocolError naming the
// pipe, the worker is killed and replaced, and the tasks behind it succeed.
TEST_F(GarbageTest, DevNullOverResultPipeFailsThatTask) {
  pool::Pool p(1);
  auto r = p.apply_async(DevNullOverResultPipe, std::tuple{0});
  auto after = p.apply_async(Identity, std::tuple{8});
  try {
    r.get();
    ADD_FAILURE() << "the task succeeded";
  } catch (const pool::ProtocolError& e) {
    EXPECT_TRUE(Contains(e.what(), "closed its result pipe")) << e.what();
  }
  EXPECT_EQ(after.get(), 8);
  ExpectServing(p);
}

// A worker SIGKILLed in the middle of writing a 16 MiB reply (blocked in
// write() on its full result pipe while the parent is busy in a callback):
// the partial frame fails that task with ProtocolError naming the death;
// the task whose callback held the parent up and all later ones succeed.
TEST_F(GarbageTest, DeathInTheMiddleOfAReplyFailsThatTask) {
  pool::Pool p(2);
  const std::string marker = UniqueTempPath("writer");
  const std::string go = UniqueTempPath("go");
  const std::string release = UniqueTempPath("release");
  auto huge = p.apply_async(MarkWaitThenReply,
                            std::tuple{marker, go, std::uint64_t{16} << 20});
  WaitUntil([&] { return !ReadFile(marker).empty(); });
  const pid_t writer = std::stoi(ReadFile(marker));
  // Hold the handler thread in a callback, then let the worker write.
  auto blocker = HoldHandlerUntil(p, release);
  WriteFileAtomically(go, "x");
  WaitUntil([&] {
    // "pipe_write" or "anon_pipe_write", depending on the kernel.
    return Contains(ReadFile("/proc/" + std::to_string(writer) + "/wchan"),
                    "pipe_write");
  });
  ASSERT_EQ(::kill(writer, SIGKILL), 0);
  WriteFileAtomically(release, "x");
  EXPECT_EQ(blocker.get(), 1);
  try {
    (void)huge.get();
    ADD_FAILURE() << "the task whose reply was cut off succeeded";
  } catch (const pool::ProtocolError& e) {
    EXPECT_TRUE(Contains(e.what(), "in the middle of its reply")) << e.what();
    EXPECT_TRUE(Contains(e.what(), "SIGKILL")) << e.what();
  }
  ExpectServing(p);
}

// --- L. One error hierarchy
// ----------------------------------------------------

using ErrorHierarchyTest = FaultTest;

// A pool::SystemError is a pool::Error: it carries the error code and the
// call, and reaches error callbacks like any other failure.
TEST_F(ErrorHierarchyTest, SystemErrorIsAPoolError) {
  const pool::SystemError e(std::error_code(EMFILE, std::generic_category()),
                            "pipe");
  const pool::Error& base = e;
  EXPECT_EQ(e.code().value(), EMFILE);
  EXPECT_EQ(e.call(), "pipe");
  EXPECT_TRUE(Contains(base.what(), "pipe: ")) << base.what();
}

}  // namespace
}  // namespace faults
