// Blocking calls in a callback (class H of the fault table in
// pool/README.md). Callbacks run on the thread that delivers the pool's
// results: the handler thread of a Pool, a pool thread of a ThreadPool. A
// callback that waits there for a result of the same pool waits for itself;
// it used to deadlock the handler, and then the pool's destructor, forever.
// Every such wait must throw UsageError instead (which fails that callback's
// result with CallbackError), while waits that cannot deadlock (a result
// already ready, another pool's result, a zero timeout) behave normally.
//
// A regression deadlocks the pool; the fixture's watchdog is the hang guard.

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <tuple>
#include <vector>

#include "faults/fault_fixture.h"
#include "pool/pool.h"

namespace faults {
namespace {

using std::chrono::seconds;

// --- Tasks -------------------------------------------------------------------

int Square(int x) { return x * x; }
int Add(int a, int b) { return a + b; }
int ThrowIfOdd(int x) {
  if (x % 2 != 0) throw std::out_of_range("odd");
  return x;
}

// Records that it started in `path`, then waits until `gate` exists.
int MarkThenWaitFor(std::string path, std::string gate) {
  WriteFileAtomically(path, "started");
  while (::access(gate.c_str(), F_OK) != 0) ::usleep(1000);
  return 1;
}

// --- Helpers -----------------------------------------------------------------

// What `f` did: "returned", "UsageError: <message>", or another exception.
template <class F>
std::string Outcome(F&& f) {
  try {
    f();
  } catch (const pool::UsageError& e) {
    return std::string("UsageError: ") + e.what();
  } catch (const std::exception& e) {
    return std::string("other exception: ") + e.what();
  }
  return "returned";
}

// "" if `outcome` is the UsageError for waiting in a callback of the same
// pool, else what it was.
std::string CheckDeadlockError(const std::string& call,
                               const std::string& outcome) {
  if (outcome.rfind("UsageError: ", 0) == 0 &&
      outcome.find("in a callback of the") != std::string::npos &&
      (outcome.find("never end") != std::string::npos ||
       outcome.find("only time out") != std::string::npos ||
       outcome.find("wait for itself") != std::string::npos)) {
    return "";
  }
  return call +
         ": expected the UsageError for waiting in a callback of the "
         "same pool, got: " +
         outcome + "\n";
}

// Collects what callbacks observed, for the test thread to check.
struct Log {
  std::mutex mu;
  std::string failures;
  std::vector<std::string> notes;
  void Fail(const std::string& s) {
    std::lock_guard lock(mu);
    failures += s;
  }
  void Note(const std::string& s) {
    std::lock_guard lock(mu);
    notes.push_back(s);
  }
};

// A task of `p` that blocks until Release(): it keeps one worker (or pool
// thread) busy, so that the result stays pending while callbacks run.
template <class P>
struct Blocker {
  explicit Blocker(P& p)
      : gate(UniqueTempPath("gate")), marker(UniqueTempPath("started")) {
    result.emplace(p.apply_async(MarkThenWaitFor, std::tuple{marker, gate}));
    WaitUntil([&] { return !ReadFile(marker).empty(); });
  }
  void Release() { WriteFileAtomically(gate, "open"); }
  std::string gate, marker;
  std::optional<pool::AsyncResult<int>> result;
};

template <class P>
class CallbackWaitTest : public FaultTest {};
using PoolTypes = ::testing::Types<pool::Pool, pool::ThreadPool>;
TYPED_TEST_SUITE(CallbackWaitTest, PoolTypes);

// In a callback, get(), wait(), get(timeout) and wait(timeout) on a pending
// result of the same pool throw UsageError at once; wait(0) and ready() only
// look and say "not ready". The callback, having caught them, succeeds; the
// pending result is unaffected.
TYPED_TEST(CallbackWaitTest, WaitsOnAPendingResultThrow) {
  TypeParam p(2);
  Blocker<TypeParam> blocked(p);
  auto log = std::make_shared<Log>();
  const pool::AsyncResult<int> pending = *blocked.result;
  auto r = p.apply_async(
      Square, std::tuple{3}, {.callback = [log, pending](const int&) {
        log->Fail(CheckDeadlockError("get()", Outcome([&] { pending.get(); })));
        log->Fail(
            CheckDeadlockError("wait()", Outcome([&] { pending.wait(); })));
        log->Fail(CheckDeadlockError(
            "get(30 s)", Outcome([&] { pending.get(seconds(30)); })));
        log->Fail(CheckDeadlockError(
            "wait(30 s)", Outcome([&] { (void)pending.wait(seconds(30)); })));
        if (pending.wait(seconds(0))) log->Fail("wait(0) said ready\n");
        if (pending.ready()) log->Fail("ready() said ready\n");
      }});
  EXPECT_EQ(r.get(), 9);
  EXPECT_EQ(log->failures, "");
  blocked.Release();
  EXPECT_EQ(blocked.result->get(), 1);
}

// get() on the very result whose callback is running (it becomes ready only
// after its callback returns): UsageError, which fails that result with a
// CallbackError naming it.
TYPED_TEST(CallbackWaitTest, GetOwnResultInItsCallback) {
  TypeParam p(1);
  struct Holder {
    std::mutex mu;
    std::optional<pool::AsyncResult<int>> r;
  };
  auto holder = std::make_shared<Holder>();
  const std::string gate = UniqueTempPath("gate");
  auto r = p.apply_async(MarkThenWaitFor,
                         std::tuple{UniqueTempPath("started"), gate},
                         {.callback = [holder](const int&) {
                           std::optional<pool::AsyncResult<int>> self;
                           {
                             std::lock_guard lock(holder->mu);
                             self = holder->r;
                           }
                           self->get();
                         }});
  {
    std::lock_guard lock(holder->mu);
    holder->r = r;
  }
  WriteFileAtomically(gate, "open");  // Only now can the callback run.
  try {
    r.get();
    FAIL() << "get() returned";
  } catch (const pool::CallbackError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("pool::UsageError"), std::string::npos) << what;
    EXPECT_NE(what.find("AsyncResult::get() in a callback of the pool"),
              std::string::npos)
        << what;
  }
  {
    std::lock_guard lock(holder->mu);
    holder->r.reset();  // Break the cycle result -> callback -> result.
  }
  EXPECT_EQ(p.apply(Square, 4), 16);
}

// The blocking calls of the same pool in a callback — apply(), map(),
// starmap(), join(), and next() of an imap made there — throw UsageError
// instead of deadlocking; the pool keeps serving afterwards, and its
// destructor returns. (One worker is kept busy, so that a ThreadPool's other
// thread cannot finish the imap's tasks while its callback looks.)
TYPED_TEST(CallbackWaitTest, BlockingPoolCallsInCallbackThrow) {
  auto log = std::make_shared<Log>();
  {
    TypeParam p(2);
    Blocker<TypeParam> blocked(p);
    auto r = p.apply_async(
        Square, std::tuple{2}, {.callback = [log, &p](const int&) {
          log->Fail(CheckDeadlockError("apply()",
                                       Outcome([&] { p.apply(Square, 1); })));
          log->Fail(CheckDeadlockError("map()", Outcome([&] {
                                         (void)p.map(Square, {1, 2, 3});
                                       })));
          const std::vector<std::tuple<int, int>> pairs{{1, 2}};
          log->Fail(CheckDeadlockError(
              "starmap()", Outcome([&] { (void)p.starmap(Add, pairs); })));
          log->Fail(CheckDeadlockError(
              "imap next()", Outcome([&] {
                auto it = p.imap(Square, std::vector<int>{1, 2, 3});
                (void)it.next();
              })));
          log->Fail(CheckDeadlockError(
              "range-for over imap_unordered", Outcome([&] {
                for (int x : p.imap_unordered(Square, std::vector<int>{4})) {
                  log->Note(std::to_string(x));
                }
              })));
          const std::string join = Outcome([&] { p.join(); });
          if (join.find("join() cannot be called from a callback") ==
              std::string::npos) {
            log->Fail("join(): " + join + "\n");
          }
        }});
    EXPECT_EQ(r.get(), 4);
    EXPECT_EQ(log->failures, "");
    EXPECT_TRUE(log->notes.empty()) << "the range-for produced a value";
    blocked.Release();
    EXPECT_EQ(blocked.result->get(), 1);
    EXPECT_EQ(p.map(Square, {5, 6}), (std::vector<int>{25, 36}));
  }
}

// The same rule in an error_callback and in a map_async callback: the wait
// throws, the callback's exception fails the result with CallbackError, and
// the message says both what the callback did and what it was handling.
TYPED_TEST(CallbackWaitTest, ErrorAndMapCallbacksToo) {
  TypeParam p(2);
  Blocker<TypeParam> blocked(p);
  const pool::AsyncResult<int> pending = *blocked.result;
  auto failed = p.apply_async(
      ThrowIfOdd, std::tuple{1},
      {.error_callback = [pending](const pool::Error&) { pending.get(); }});
  try {
    failed.get();
    FAIL() << "get() returned";
  } catch (const pool::CallbackError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("error_callback threw pool::UsageError"),
              std::string::npos)
        << what;
    EXPECT_NE(what.find("while handling: task threw std::out_of_range"),
              std::string::npos)
        << what;
  }
  auto mapped = p.map_async(
      Square, std::vector<int>{1, 2, 3},
      {.chunksize = 1,
       .callback = [pending](const std::vector<int>&) { pending.wait(); }});
  EXPECT_THROW(mapped.get(), pool::CallbackError);
  blocked.Release();
  EXPECT_EQ(blocked.result->get(), 1);
}

// Waits that cannot deadlock still work in a callback: get() of a result
// that is already ready returns its value, and waiting for another pool's
// result (of either kind) is allowed.
TYPED_TEST(CallbackWaitTest, ReadyResultsAndOtherPoolsAreFine) {
  TypeParam p(2);
  TypeParam same_kind(1);
  pool::ThreadPool threads(1);
  auto ready = p.apply_async(Square, std::tuple{5});
  ASSERT_EQ(ready.get(), 25);
  auto log = std::make_shared<Log>();
  auto r = p.apply_async(
      Square, std::tuple{2},
      {.callback = [log, ready, &same_kind, &threads](const int&) {
        if (ready.get() != 25) log->Fail("a ready result lost its value\n");
        if (same_kind.apply(Square, 6) != 36) {
          log->Fail("apply() on another pool was wrong\n");
        }
        if (threads.map(Square, {1, 2}) != std::vector<int>{1, 4}) {
          log->Fail("map() on a ThreadPool was wrong\n");
        }
        auto other = same_kind.apply_async(Square, std::tuple{7});
        if (other.get(seconds(120)) != 49) {
          log->Fail("get() of another pool's result was wrong\n");
        }
      }});
  EXPECT_EQ(r.get(), 4);
  EXPECT_EQ(log->failures, "");
}

}  // namespace
}  // namespace faults
