// Behaviour of pool::Pool and pool::ThreadPool, method by method. Tests that
// hold for both are typed tests; the ones about processes (worker death,
// maxtasksperchild, fork server) use Pool only.

#include "pool/pool.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <limits>
#include <map>
#include <numeric>
#include <ranges>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "pool/test_util.h"

namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// --- Task functions (plain functions: they run in the workers) -------------

int Square(int x) { return x * x; }
int Add(int a, int b) { return a + b; }
std::string Greet(const std::string& name, int times) {
  std::string s;
  for (int i = 0; i < times; ++i) s += "hi " + name + ";";
  return s;
}
int Seven() { return 7; }
void Nothing(int) {}
void TouchTwo(int, int) {}
void ThrowIfOddVoid(int x) {
  if (x % 2 != 0) throw std::out_of_range("odd: " + std::to_string(x));
}
pid_t Pid(int) { return ::getpid(); }
int SleepMs(int ms) {
  std::this_thread::sleep_for(milliseconds(ms));
  return ms;
}
int ThrowIfOdd(int x) {
  if (x % 2 != 0) throw std::out_of_range("odd: " + std::to_string(x));
  return x;
}
int ThrowInt(int) { throw 42; }
struct Opaque {};
int ThrowOpaque(int) { throw Opaque{}; }
int SleepThenDie(int ms) {
  std::this_thread::sleep_for(milliseconds(ms));
  ::raise(SIGKILL);
  return 0;
}
std::string Echo(const std::string& s) { return s; }
std::uint64_t Checksum(const std::string& s) {
  std::uint64_t h = 1469598103934665603ull;
  for (unsigned char c : s) h = (h ^ c) * 1099511628211ull;
  return h;
}
std::string MakeBytes(std::size_t n) {
  std::string s(n, '\0');
  for (std::size_t i = 0; i < n; ++i) s[i] = static_cast<char>(i * 131 + 7);
  return s;
}

// Each test leaves no child process and no open fd behind.
class LeakCheck : public ::testing::Test {
 protected:
  void SetUp() override { fds_before_ = pool::testing::OpenFdCount(); }
  void TearDown() override {
    EXPECT_TRUE(pool::testing::HasNoChildren()) << "a child process is left";
    EXPECT_EQ(pool::testing::OpenFdCount(), fds_before_) << "fds leaked";
  }

 private:
  int fds_before_ = 0;
};

template <class P>
class BothPoolsTest : public LeakCheck {};
using PoolTypes = ::testing::Types<pool::Pool, pool::ThreadPool>;
TYPED_TEST_SUITE(BothPoolsTest, PoolTypes);

// apply blocks and returns the function's result, with a tuple or variadic
// arguments, including functions of zero and several parameters.
TYPED_TEST(BothPoolsTest, ApplyReturnsResult) {
  TypeParam p(2);
  EXPECT_EQ(p.apply(Square, std::tuple{7}), 49);
  EXPECT_EQ(p.apply(Square, 8), 64);
  EXPECT_EQ(p.apply(Add, 2, 3), 5);
  EXPECT_EQ(p.apply(Seven), 7);
  EXPECT_EQ(p.apply(Greet, std::string("ann"), 2), "hi ann;hi ann;");
  p.apply(Nothing, 1);  // void result
  EXPECT_EQ(p.apply([](int x) { return x + 1; }, 1), 2);
}

// apply_async returns at once; get() gives the value, the callback gets it
// too, before get() returns.
TYPED_TEST(BothPoolsTest, ApplyAsyncRunsCallbackBeforeReady) {
  TypeParam p(2);
  std::atomic<int> seen{0};
  auto r = p.apply_async(Square, std::tuple{9},
                         {.callback = [&seen](const int& v) { seen = v; }});
  EXPECT_EQ(r.get(), 81);
  EXPECT_EQ(seen.load(), 81);
  EXPECT_TRUE(r.ready());
  EXPECT_TRUE(r.successful());
}

// A failing task runs the error_callback with the TaskError, not the
// callback; get() throws it.
TYPED_TEST(BothPoolsTest, ApplyAsyncErrorCallback) {
  TypeParam p(1);
  std::atomic<int> callbacks{0};
  std::string message;
  auto r = p.apply_async(
      ThrowIfOdd, std::tuple{3},
      {.callback = [&](const int&) { ++callbacks; },
       .error_callback = [&](const pool::Error& e) { message = e.what(); }});
  EXPECT_THROW(r.get(), pool::TaskError);
  EXPECT_EQ(callbacks.load(), 0);
  EXPECT_EQ(message, "task threw std::out_of_range: odd: 3");
  EXPECT_FALSE(r.successful());
}

// Exceptions of any type report their type and message; the worker
// survives them.
TYPED_TEST(BothPoolsTest, ExceptionsOfAnyTypeAreDescribed) {
  TypeParam p(1);
  try {
    p.apply(ThrowIfOdd, 5);
    FAIL() << "no exception";
  } catch (const pool::TaskError& e) {
    EXPECT_EQ(e.type_name(), "std::out_of_range");
    EXPECT_EQ(e.message(), "odd: 5");
  }
  try {
    p.apply(ThrowInt, 0);
    FAIL() << "no exception";
  } catch (const pool::TaskError& e) {
    EXPECT_EQ(e.type_name(), "int");
    EXPECT_EQ(e.message(), "42");
  }
  try {
    p.apply(ThrowOpaque, 0);
    FAIL() << "no exception";
  } catch (const pool::TaskError& e) {
    EXPECT_NE(e.type_name().find("Opaque"), std::string::npos) << e.what();
  }
  EXPECT_EQ(p.apply(Square, 3), 9);
}

// A callback that throws does not wedge the pool (CPython gh-83371); its
// result fails with CallbackError naming the callback's exception.
TYPED_TEST(BothPoolsTest, ThrowingCallbackFailsOnlyItsResult) {
  TypeParam p(2);
  auto bad = p.apply_async(Square, std::tuple{2}, {.callback = [](const int&) {
                             throw std::runtime_error("callback broke");
                           }});
  try {
    bad.get();
    FAIL() << "no exception";
  } catch (const pool::CallbackError& e) {
    EXPECT_NE(std::string(e.what()).find("callback broke"), std::string::npos);
  }
  auto bad_error =
      p.apply_async(ThrowIfOdd, std::tuple{1},
                    {.error_callback = [](const pool::Error&) { throw 1; }});
  EXPECT_THROW(bad_error.get(), pool::CallbackError);
  EXPECT_EQ(p.map(Square, {1, 2, 3}), (std::vector<int>{1, 4, 9}));
}

// get(timeout) throws TimeoutError while the task runs, and the task still
// finishes; wait(timeout) says whether it is ready.
TYPED_TEST(BothPoolsTest, GetWithTimeout) {
  TypeParam p(1);
  auto r = p.apply_async(SleepMs, std::tuple{300});
  EXPECT_THROW(r.get(milliseconds(1)), pool::TimeoutError);
  EXPECT_THROW(static_cast<void>(r.successful()), pool::UsageError);
  EXPECT_EQ(r.get(seconds(60)), 300);
  EXPECT_TRUE(r.wait(milliseconds(0)));
}

// map returns results in input order, whatever the chunk size.
TYPED_TEST(BothPoolsTest, MapPreservesOrder) {
  TypeParam p(3);
  std::vector<int> xs(1000);
  std::iota(xs.begin(), xs.end(), -500);
  std::vector<int> expected;
  for (int x : xs) expected.push_back(x * x);
  EXPECT_EQ(p.map(Square, xs), expected);
  for (int chunk : {1, 7, 1000, 5000}) {
    EXPECT_EQ(p.map(Square, xs, {.chunksize = chunk}), expected)
        << "chunksize " << chunk;
  }
  EXPECT_TRUE(p.map(Square, std::vector<int>{}).empty());
}

// map_async: the callback gets the whole vector; on failure the
// error_callback gets the error of the lowest failing index.
TYPED_TEST(BothPoolsTest, MapAsyncCallbacks) {
  TypeParam p(2);
  std::vector<int> got;
  auto ok =
      p.map_async(Square, std::vector<int>{1, 2, 3},
                  {.callback = [&](const std::vector<int>& v) { got = v; }});
  ok.wait();
  EXPECT_EQ(got, (std::vector<int>{1, 4, 9}));

  std::string error;
  auto bad = p.map_async(
      ThrowIfOdd, std::vector<int>{2, 4, 7, 8, 9},
      {.chunksize = 1,
       .error_callback = [&](const pool::Error& e) { error = e.what(); }});
  EXPECT_THROW(bad.get(), pool::TaskError);
  EXPECT_EQ(error, "task threw std::out_of_range: odd: 7");
}

// A task returning void has no result: map and starmap return nothing,
// map_async's get() and callback take nothing, imap's next() says whether
// one more task finished; errors are reported as for any task.
TYPED_TEST(BothPoolsTest, VoidTasksHaveNoResult) {
  TypeParam p(2);
  static_assert(std::is_void_v<decltype(p.map(Nothing, {1, 2}))>);
  p.map(Nothing, {1, 2, 3});
  p.starmap(TouchTwo, {{1, 2}, {3, 4}});
  int calls = 0;
  auto r = p.map_async(Nothing, std::vector<int>{1, 2, 3},
                       {.callback = [&calls] { ++calls; }});
  static_assert(std::is_void_v<decltype(r.get())>);
  r.get();
  EXPECT_EQ(calls, 1);
  auto it = p.imap_unordered(Nothing, std::vector<int>{1, 2, 3});
  int finished = 0;
  while (it.next()) ++finished;
  EXPECT_EQ(finished, 3);
  EXPECT_THROW(p.map(ThrowIfOddVoid, {2, 3}), pool::TaskError);
}

// A braced list of items works for map and starmap, each item converted to
// the task's parameter type.
TYPED_TEST(BothPoolsTest, BracedItems) {
  TypeParam p(2);
  EXPECT_EQ(p.starmap(Add, {{1, 2}, {3, 4}}), (std::vector<int>{3, 7}));
  EXPECT_EQ(p.map(Square, {1, 2, 3}, {.chunksize = 2}),
            (std::vector<int>{1, 4, 9}));
  EXPECT_EQ(p.starmap_async(Add, {{5, 6}}).get(), (std::vector<int>{11}));
}

// An empty map is ready at once with an empty result, and its callback runs.
TYPED_TEST(BothPoolsTest, EmptyMapIsReadyAtOnce) {
  TypeParam p(1);
  bool called = false;
  auto r = p.map_async(
      Square, std::vector<int>{},
      {.callback = [&](const std::vector<int>& v) { called = v.empty(); }});
  EXPECT_TRUE(r.ready());
  EXPECT_TRUE(r.get().empty());
  EXPECT_TRUE(called);
}

// starmap unpacks each tuple into the call.
TYPED_TEST(BothPoolsTest, StarmapUnpacksTuples) {
  TypeParam p(2);
  std::vector<std::tuple<int, int>> pairs{{1, 2}, {3, 4}, {5, 6}};
  EXPECT_EQ(p.starmap(Add, pairs), (std::vector<int>{3, 7, 11}));
  auto r = p.starmap_async(Add, pairs, {.chunksize = 2});
  EXPECT_EQ(r.get(), (std::vector<int>{3, 7, 11}));
}

// imap yields results in input order, as a range or through next().
TYPED_TEST(BothPoolsTest, ImapIsOrdered) {
  TypeParam p(3);
  std::vector<int> xs{5, 0, 3, 1, 4, 2};
  std::vector<int> got;
  for (int r : p.imap(SleepMs, xs)) got.push_back(r);
  EXPECT_EQ(got, xs);
  auto it = p.imap(Square, std::vector<int>{1, 2, 3}, {.chunksize = 2});
  EXPECT_EQ(it.next(), 1);
  EXPECT_EQ(it.next(seconds(60)), 4);
  EXPECT_EQ(it.next(), 9);
  EXPECT_EQ(it.next(), std::nullopt);
}

// imap_unordered yields every result exactly once.
TYPED_TEST(BothPoolsTest, ImapUnorderedYieldsEachResultOnce) {
  TypeParam p(3);
  std::multiset<int> got;
  for (int r :
       p.imap_unordered(Square, std::views::iota(0, 200), {.chunksize = 3})) {
    got.insert(r);
  }
  std::multiset<int> expected;
  for (int i = 0; i < 200; ++i) expected.insert(i * i);
  EXPECT_EQ(got, expected);
}

// A failing item raises at its position; the items after it still arrive.
TYPED_TEST(BothPoolsTest, ImapErrorIsRaisedAtItsPosition) {
  TypeParam p(2);
  auto it = p.imap(ThrowIfOdd, std::vector<int>{2, 3, 4});
  EXPECT_EQ(it.next(), 2);
  EXPECT_THROW(it.next(), pool::TaskError);
  EXPECT_EQ(it.next(), 4);
  EXPECT_EQ(it.next(), std::nullopt);
}

// next(timeout) throws TimeoutError when no result arrives in time.
TYPED_TEST(BothPoolsTest, ImapNextTimeout) {
  TypeParam p(1);
  auto it = p.imap(SleepMs, std::vector<int>{300});
  EXPECT_THROW(it.next(milliseconds(1)), pool::TimeoutError);
  EXPECT_EQ(it.next(seconds(60)), 300);
}

// imap reads its input lazily: a window ahead of the consumer, not all of
// it (CPython gh-64192).
TYPED_TEST(BothPoolsTest, ImapReadsInputLazily) {
  TypeParam p(2);
  int pulled = 0;
  auto counted =
      std::views::iota(0, 1'000'000) | std::views::transform([&pulled](int x) {
        ++pulled;
        return x;
      });
  auto it = p.imap(Square, counted, {.chunksize = 1, .buffersize = 4});
  for (int i = 0; i < 10; ++i) EXPECT_EQ(it.next(), i * i);
  EXPECT_LE(pulled, 10 + 4);
}

// Python's messages for bad arguments and misuse.
TYPED_TEST(BothPoolsTest, MisuseMessagesMatchPython) {
  const auto message = pool::testing::UsageErrorMessage;
  EXPECT_EQ(message([] { TypeParam p(0); }),
            "Number of processes must be at least 1");
  EXPECT_EQ(message([] { TypeParam p(pool::Options{.processes = 0}); }),
            "Number of processes must be at least 1");
  TypeParam p(1);
  EXPECT_EQ(
      message([&] {
        static_cast<void>(p.imap(Square, std::vector{1}, {.chunksize = 0}));
      }),
      "Chunksize must be 1+, not 0");
  EXPECT_EQ(
      message([&] {
        static_cast<void>(p.map(Square, std::vector{1}, {.chunksize = -2}));
      }),
      "Chunksize must be 1+, not -2");
  EXPECT_EQ(
      message([&] {
        static_cast<void>(p.imap(Square, std::vector{1}, {.buffersize = 0}));
      }),
      "buffersize must be 1+ (or unset for the default), not 0");
  EXPECT_EQ(message([&] { p.join(); }), "Pool is still running");
  p.close();
  p.close();  // Idempotent.
  EXPECT_EQ(
      message([&] { static_cast<void>(p.apply_async(Square, std::tuple{1})); }),
      "Pool not running");
  EXPECT_EQ(message([&] { static_cast<void>(p.map(Square, {1})); }),
            "Pool not running");
  p.join();
}

// imap and imap_unordered after close() or terminate() raise "Pool not
// running" at the call, as Python's do, not a CancelledError later.
TYPED_TEST(BothPoolsTest, ImapAfterCloseOrTerminateIsPoolNotRunning) {
  const auto message = pool::testing::UsageErrorMessage;
  for (bool terminate : {false, true}) {
    TypeParam p(1);
    if (terminate) {
      p.terminate();
    } else {
      p.close();
    }
    EXPECT_EQ(message([&] {
                static_cast<void>(p.imap(Square, std::vector<int>{1, 2}));
              }),
              "Pool not running")
        << (terminate ? "after terminate()" : "after close()");
    EXPECT_EQ(message([&] {
                static_cast<void>(p.imap_unordered(Square, std::vector<int>{}));
              }),
              "Pool not running")
        << (terminate ? "after terminate()" : "after close()");
    p.join();
  }
}

// imap reads its input lazily, so an imap made before close() submits no
// more input afterwards: what it had submitted arrives, then one
// CancelledError stands for the rest, then the iteration ends.
TYPED_TEST(BothPoolsTest, ImapMadeBeforeCloseStopsFeeding) {
  TypeParam p(1);
  auto it = p.imap(Square, std::views::iota(0, 100),
                   {.chunksize = 1, .buffersize = 2});
  EXPECT_EQ(it.next(), 0);  // Submitted 0 and 1, then 2 after taking 0.
  p.close();
  EXPECT_EQ(it.next(), 1);
  EXPECT_EQ(it.next(), 4);
  EXPECT_THROW(static_cast<void>(it.next()), pool::CancelledError);
  EXPECT_EQ(it.next(), std::nullopt);
  p.join();
}

// A moved-from AsyncResult, MapResult or IMapIterator has no state: each of
// its methods throws UsageError saying so (it used to dereference a null
// pointer); the object it was moved to works.
TYPED_TEST(BothPoolsTest, MovedFromHandlesThrowUsageError) {
  const auto message = pool::testing::UsageErrorMessage;
  auto expect_moved_from = [&](const std::string& type, const std::string& m) {
    EXPECT_NE(m.find("on a moved-from " + type), std::string::npos) << m;
    EXPECT_NE(m.find("Use the object it was moved to"), std::string::npos) << m;
  };
  TypeParam p(1);
  auto a = p.apply_async(Square, std::tuple{3});
  auto b = std::move(a);
  expect_moved_from("AsyncResult", message([&] { a.get(); }));
  expect_moved_from("AsyncResult", message([&] { a.get(seconds(1)); }));
  expect_moved_from("AsyncResult", message([&] { a.wait(); }));
  expect_moved_from("AsyncResult",
                    message([&] { static_cast<void>(a.wait(seconds(1))); }));
  expect_moved_from("AsyncResult",
                    message([&] { static_cast<void>(a.ready()); }));
  expect_moved_from("AsyncResult",
                    message([&] { static_cast<void>(a.successful()); }));
  EXPECT_EQ(b.get(), 9);

  auto m = p.map_async(Square, std::vector<int>{1, 2});
  auto m2 = std::move(m);
  expect_moved_from("AsyncResult", message([&] { m.get(); }));
  EXPECT_EQ(m2.get(), (std::vector<int>{1, 4}));

  auto it = p.imap(Square, std::vector<int>{1, 2});
  auto it2 = std::move(it);
  expect_moved_from("IMapIterator",
                    message([&] { static_cast<void>(it.next()); }));
  expect_moved_from("IMapIterator",
                    message([&] { static_cast<void>(it.next(seconds(1))); }));
  expect_moved_from("IMapIterator",
                    message([&] { static_cast<void>(it.begin()); }));
  EXPECT_EQ(it2.next(), 1);
  EXPECT_EQ(it2.next(), 4);
  EXPECT_EQ(it2.next(), std::nullopt);
}

// The range-for iterator of an imap at its end can be neither dereferenced
// nor advanced: UsageError, not undefined behaviour.
TYPED_TEST(BothPoolsTest, ImapEndIteratorMisuseThrows) {
  TypeParam p(1);
  auto it = p.imap(Square, std::vector<int>{2});
  auto pos = it.begin();
  EXPECT_EQ(*pos, 4);
  ++pos;
  ASSERT_TRUE(pos == it.end());
  EXPECT_THROW(static_cast<void>(*pos), pool::UsageError);
  EXPECT_THROW(++pos, pool::UsageError);
  auto end = it.end();
  EXPECT_THROW(static_cast<void>(end.operator->()), pool::UsageError);
}

// Copies of an IMapIterator share one stream: consumed from two threads at
// once, every result comes out exactly once, and both reach the end.
TYPED_TEST(BothPoolsTest, ImapCopiesShareOneStream) {
  TypeParam p(2);
  for (bool ordered : {true, false}) {
    auto it = ordered ? p.imap(Square, std::views::iota(0, 2000),
                               {.chunksize = 1, .buffersize = 4})
                      : p.imap_unordered(Square, std::views::iota(0, 2000),
                                         {.chunksize = 1, .buffersize = 4});
    auto copy = it;
    // next(timeout) as a hang guard: false if the stream stalled.
    auto drain = [](pool::IMapIterator<int>& from, std::vector<int>& to) {
      try {
        while (std::optional<int> v = from.next(seconds(120))) to.push_back(*v);
        return true;
      } catch (const pool::TimeoutError&) {
        return false;
      }
    };
    std::vector<int> theirs, ours;
    bool theirs_ended = false;
    std::thread other([&] { theirs_ended = drain(copy, theirs); });
    const bool ours_ended = drain(it, ours);
    other.join();
    EXPECT_TRUE(ours_ended && theirs_ended) << "a consumer stalled";
    std::multiset<int> got(theirs.begin(), theirs.end());
    got.insert(ours.begin(), ours.end());
    std::multiset<int> expected;
    for (int i = 0; i < 2000; ++i) expected.insert(i * i);
    EXPECT_EQ(got, expected) << (ordered ? "imap" : "imap_unordered");
    if (ordered) {
      EXPECT_TRUE(std::is_sorted(ours.begin(), ours.end()));
      EXPECT_TRUE(std::is_sorted(theirs.begin(), theirs.end()));
    }
  }
}

// A pool destroyed in one of its own callbacks cannot wait for that
// callback: the program aborts with a message that says so, rather than
// deadlocking or crashing without a word.
TYPED_TEST(BothPoolsTest, DestroyedInItsOwnCallbackAbortsWithAMessage) {
  EXPECT_DEATH(
      {
        auto* p = new TypeParam(1);
        auto r = p->apply_async(Square, std::tuple{1},
                                {.callback = [p](const int&) { delete p; }});
        r.wait();
      },
      "was destroyed in one of its own callbacks");
}

// close() lets queued work finish; join() then returns.
TYPED_TEST(BothPoolsTest, CloseThenJoinFinishesQueuedWork) {
  TypeParam p(2);
  std::vector<pool::AsyncResult<int>> results;
  for (int i = 0; i < 20; ++i) {
    results.push_back(p.apply_async(SleepMs, std::tuple{i % 3}));
  }
  p.close();
  p.join();
  for (int i = 0; i < 20; ++i) {
    ASSERT_TRUE(results[i].ready());
    EXPECT_EQ(results[i].get(), i % 3);
  }
}

// terminate() cancels what is pending: every result resolves, none blocks.
TYPED_TEST(BothPoolsTest, TerminateCancelsPendingResults) {
  TypeParam p(1);
  auto running = p.apply_async(SleepMs, std::tuple{200});
  std::vector<pool::AsyncResult<int>> queued;
  for (int i = 0; i < 10; ++i) {
    queued.push_back(p.apply_async(SleepMs, std::tuple{200}));
  }
  std::atomic<int> error_callbacks{0};
  auto mapped = p.map_async(
      Square, std::vector<int>(100, 1),
      {.chunksize = 1,
       .error_callback = [&](const pool::Error&) { ++error_callbacks; }});
  p.terminate();
  for (auto& r : queued) EXPECT_THROW(r.get(), pool::CancelledError);
  EXPECT_THROW(mapped.get(), pool::CancelledError);
  EXPECT_EQ(error_callbacks.load(), 1);
  EXPECT_TRUE(running.ready());  // Finished or cancelled, but resolved.
  p.join();
}

// The destructor terminates, like leaving Python's `with` block: results
// that were pending resolve as cancelled instead of blocking.
TYPED_TEST(BothPoolsTest, DestructorTerminatesPendingWork) {
  std::vector<pool::AsyncResult<int>> results;
  {
    TypeParam p(1);
    for (int i = 0; i < 5; ++i) {
      results.push_back(p.apply_async(SleepMs, std::tuple{100}));
    }
  }
  int cancelled = 0;
  for (auto& r : results) {
    ASSERT_TRUE(r.ready());
    try {
      r.get();
    } catch (const pool::CancelledError&) {
      ++cancelled;
    }
  }
  EXPECT_GE(cancelled, 4);
}

// The initializer runs in every worker before its first task, and a
// failing one makes the constructor throw.
thread_local int init_value = 0;  // Per thread, for ThreadPool.
int InitValue(int) { return init_value; }
TYPED_TEST(BothPoolsTest, Initializer) {
  {
    pool::Options o;
    o.processes = 2;
    o.initializer = [] { init_value = 5; };
    TypeParam p(o);
    EXPECT_EQ(p.map(InitValue, {0, 0, 0, 0}), (std::vector<int>{5, 5, 5, 5}));
  }
  init_value = 0;
  pool::Options bad;
  bad.processes = 2;
  bad.initializer = [] { throw std::runtime_error("no config file"); };
  try {
    TypeParam p(bad);
    FAIL() << "constructor did not throw";
  } catch (const pool::InitializerError& e) {
    EXPECT_NE(std::string(e.what()).find("no config file"), std::string::npos);
  }
}

// Large arguments and results (far beyond a pipe buffer) arrive intact.
TYPED_TEST(BothPoolsTest, LargePayloadsRoundTrip) {
  TypeParam p(2);
  const std::string big = MakeBytes(16 << 20);
  auto echoed = p.apply_async(Echo, std::tuple{big});
  auto hashed = p.apply_async(Checksum, std::tuple{big});
  EXPECT_EQ(echoed.get(), big);
  EXPECT_EQ(hashed.get(), Checksum(big));
}

// --- Process-only behaviour --------------------------------------------------

using PoolTest = LeakCheck;

// Tasks run in worker processes, never in the parent; Pool() uses one
// worker per CPU.
TEST_F(PoolTest, TasksRunInWorkerProcesses) {
  pool::Pool p(3);
  EXPECT_EQ(p.processes(), 3);
  const auto pids = p.map(Pid, std::vector<int>(30, 0), {.chunksize = 1});
  const std::set<pid_t> distinct(pids.begin(), pids.end());
  EXPECT_EQ(distinct.count(::getpid()), 0u);
  const auto workers = p.worker_pids();
  for (pid_t pid : distinct) {
    EXPECT_NE(std::find(workers.begin(), workers.end(), pid), workers.end());
  }
  pool::Pool all;
  EXPECT_EQ(all.processes(), pool::CpuCount());
}

// Python's default chunksize: ceil(len / (4 * processes)).
TEST(ChunksizeTest, DefaultMatchesPython) {
  using pool::internal::DefaultChunksize;
  EXPECT_EQ(DefaultChunksize(3, 4), 1u);
  EXPECT_EQ(DefaultChunksize(16, 4), 1u);
  EXPECT_EQ(DefaultChunksize(17, 4), 2u);
  EXPECT_EQ(DefaultChunksize(100, 4), 7u);  // divmod(100, 16) = (6, 4)
  EXPECT_EQ(DefaultChunksize(1000, 2), 125u);
  EXPECT_EQ(DefaultChunksize(1'000'000, 8), 31250u);
}

// A maxtasksperchild below 1 is refused before any process starts (unset
// means "never", as Python's None).
TEST_F(PoolTest, MaxTasksPerChildBelowOneIsRejected) {
  for (int bad : {0, -1, std::numeric_limits<int>::min()}) {
    pool::Options o;
    o.processes = 1;
    o.maxtasksperchild = bad;
    try {
      pool::Pool p(o);
      FAIL() << "maxtasksperchild " << bad << " was accepted";
    } catch (const pool::UsageError& e) {
      EXPECT_EQ(std::string(e.what()),
                "maxtasksperchild must be a positive int or unset, not " +
                    std::to_string(bad));
    }
  }
  pool::Options o;
  o.processes = 1;
  o.maxtasksperchild = -1;
  EXPECT_THROW(pool::ThreadPool t(o), pool::UsageError);
}

// A ThreadPool cannot stop a running thread: a `.timeout` on any of its
// methods is a UsageError saying so, thrown before anything runs; so are
// the worker limits, at construction.
TEST_F(PoolTest, ThreadPoolRefusesTimeoutsAndLimits) {
  using namespace std::chrono_literals;
  const auto message = pool::testing::UsageErrorMessage;
  pool::ThreadPool t(1);
  const std::vector<int> xs{1, 2};
  const std::vector<std::tuple<int, int>> pairs{{1, 2}};
  const std::vector<std::function<void()>> calls = {
      [&] { (void)t.apply(Square, std::tuple{1}, {.timeout = 1s}); },
      [&] { (void)t.apply_async(Square, std::tuple{1}, {.timeout = 1s}); },
      [&] { (void)t.map(Square, xs, {.timeout = 1s}); },
      [&] { (void)t.map_async(Square, xs, {.timeout = 1s}); },
      [&] { (void)t.starmap(Add, pairs, {.timeout = 1s}); },
      [&] { (void)t.starmap_async(Add, pairs, {.timeout = 1s}); },
      [&] { (void)t.imap(Square, xs, {.timeout = 1s}); },
      [&] { (void)t.imap_unordered(Square, xs, {.timeout = 1s}); },
  };
  for (const auto& call : calls) {
    const std::string m = message(call);
    EXPECT_NE(m.find("a thread cannot be stopped"), std::string::npos) << m;
  }
  EXPECT_EQ(t.apply(Square, 3), 9);
  // (A memory limit far above what even a sanitizer runtime maps.)
  for (const pool::Options& o :
       {pool::Options{.processes = 1, .cpu_time_limit = 1s},
        pool::Options{.processes = 1, .memory_limit = std::size_t{1} << 62}}) {
    const std::string m = message([&] { pool::ThreadPool u(o); });
    EXPECT_NE(m.find("not supported by ThreadPool"), std::string::npos) << m;
  }
}

// Duration arithmetic and rounding of a `.timeout`: any std::chrono
// duration, rounded up to whole nanoseconds, capped at 100 years.
TEST(TimeoutValueTest, AnyDurationRoundedUp) {
  using namespace std::chrono_literals;
  EXPECT_EQ(pool::Timeout(200ms).duration(), 200ms);
  EXPECT_EQ(pool::Timeout(1.5s).duration(), 1500ms);
  EXPECT_EQ(
      pool::Timeout(std::chrono::duration<double, std::nano>(0.25)).duration(),
      1ns);
  EXPECT_EQ(pool::Timeout(std::chrono::hours::max()).duration(),
            std::chrono::hours(24 * 365 * 100));
  EXPECT_EQ(pool::Timeout(-3ms).duration(), -3ms);
  EXPECT_EQ(pool::DescribeDuration(1500ms), "1.5s");
  EXPECT_EQ(pool::DescribeDuration(200ms), "200ms");
  EXPECT_EQ(pool::DescribeDuration(250us), "250us");
  EXPECT_EQ(pool::DescribeDuration(-5ms), "-5ms");
  EXPECT_EQ(pool::DescribeDuration(0ns), "0ns");
  EXPECT_EQ(pool::DescribeDuration(90s), "1.5min");
}

// Tasks of a ThreadPool wait here until the test opens the gate.
std::atomic<bool> thread_gate{false};
std::atomic<int> thread_runs{0};
int WaitForGate(int x) {
  while (!thread_gate.load()) std::this_thread::sleep_for(milliseconds(1));
  ++thread_runs;
  return x;
}

// ThreadPool: cancel() of a queued task is true, resolves it at once with
// CancelledError (error_callback included) and it never runs; of the
// running task, false. A map whose chunks are all queued is cancelled whole.
TEST_F(PoolTest, ThreadPoolCancelsQueuedTasks) {
  thread_gate = false;
  thread_runs = 0;
  pool::ThreadPool t(1);
  auto running = t.apply_async(WaitForGate, std::tuple{1});
  std::atomic<int> cancelled_callbacks{0};
  auto queued = t.apply_async(
      WaitForGate, std::tuple{2}, {.error_callback = [&](const pool::Error& e) {
        cancelled_callbacks +=
            dynamic_cast<const pool::CancelledError*>(&e) != nullptr;
      }});
  auto map = t.map_async(WaitForGate, std::vector<int>{3, 4, 5});
  EXPECT_TRUE(queued.cancel());
  EXPECT_TRUE(queued.ready());
  EXPECT_EQ(cancelled_callbacks.load(), 1);
  EXPECT_THROW(queued.get(), pool::CancelledError);
  EXPECT_TRUE(map.cancel());
  EXPECT_THROW(map.get(), pool::CancelledError);
  thread_gate = true;
  EXPECT_EQ(running.get(), 1);
  EXPECT_FALSE(running.cancel());
  t.close();
  t.join();
  EXPECT_EQ(thread_runs.load(), 1);
  EXPECT_EQ(cancelled_callbacks.load(), 1);
}

// A worker killed mid-task fails only that task, with the signal; the other
// tasks succeed and the pool goes on with a replacement.
TEST_F(PoolTest, KilledWorkerFailsOnlyItsTask) {
  pool::Pool p(2);
  const auto before = p.worker_pids();
  std::vector<pool::AsyncResult<int>> others;
  auto doomed = p.apply_async(SleepThenDie, std::tuple{50});
  for (int i = 0; i < 20; ++i) {
    others.push_back(p.apply_async(Square, std::tuple{i}));
  }
  try {
    doomed.get();
    FAIL() << "no exception";
  } catch (const pool::WorkerDiedError& e) {
    EXPECT_NE(std::string(e.what()).find("killed by signal 9 (SIGKILL)"),
              std::string::npos)
        << e.what();
    EXPECT_NE(std::find(before.begin(), before.end(), e.pid()), before.end());
    const auto now = p.worker_pids();
    EXPECT_EQ(std::find(now.begin(), now.end(), e.pid()), now.end())
        << "the dead worker is still listed after its error arrived";
  }
  for (int i = 0; i < 20; ++i) EXPECT_EQ(others[i].get(), i * i);
  EXPECT_EQ(p.map(Square, {4, 5}), (std::vector<int>{16, 25}));
  const auto pids = p.map(Pid, std::vector<int>(40, 0), {.chunksize = 1});
  for (pid_t pid : pids) EXPECT_NE(pid, 0);
}

// maxtasksperchild retires a worker after N tasks (a map chunk is one task)
// and starts a new one.
TEST_F(PoolTest, MaxTasksPerChildReplacesWorkers) {
  pool::Options o;
  o.processes = 2;
  o.maxtasksperchild = 3;
  pool::Pool p(o);
  const auto pids = p.map(Pid, std::vector<int>(30, 0), {.chunksize = 1});
  std::map<pid_t, int> per_pid;
  for (pid_t pid : pids) ++per_pid[pid];
  EXPECT_GE(per_pid.size(), 10u);  // 30 tasks, at most 3 per worker.
  for (const auto& [pid, n] : per_pid) EXPECT_LE(n, 3) << "pid " << pid;
  // Chunks: 30 items in chunks of 10 are 3 tasks for one worker at most.
  const auto chunked = p.map(Pid, std::vector<int>(30, 0), {.chunksize = 10});
  EXPECT_EQ(chunked.size(), 30u);
}

// Tasks queued behind a task whose worker dies are not lost: they run on
// another worker.
TEST_F(PoolTest, QueuedTasksOfADeadWorkerAreResent) {
  pool::Pool p(1);
  auto doomed = p.apply_async(SleepThenDie, std::tuple{20});
  std::vector<pool::AsyncResult<int>> queued;
  for (int i = 0; i < 8; ++i) {
    queued.push_back(p.apply_async(Square, std::tuple{i}));
  }
  EXPECT_THROW(doomed.get(), pool::WorkerDiedError);
  for (int i = 0; i < 8; ++i) EXPECT_EQ(queued[i].get(), i * i);
}

// Waits (up to a minute, as a hang guard) until the file `path` exists.
int WaitForFile(const std::string& path) {
  for (int i = 0; i < 60000 && ::access(path.c_str(), F_OK) != 0; ++i) {
    std::this_thread::sleep_for(milliseconds(1));
  }
  return 1;
}

// A long task does not hold back short ones while another worker is idle:
// they do not queue behind it (CPython's shared queue has the same
// property).
TEST_F(PoolTest, ShortTasksDoNotWaitBehindALongOne) {
  pool::Pool p(2);
  const char* dir = std::getenv("TEST_TMPDIR");
  const std::string gate =
      std::string(dir ? dir : "/tmp") + "/gate." + std::to_string(::getpid());
  auto long_task = p.apply_async(WaitForFile, std::tuple{gate});
  std::vector<pool::AsyncResult<int>> shorts;
  for (int i = 0; i < 6; ++i) {
    shorts.push_back(p.apply_async(Square, std::tuple{i}));
  }
  for (int i = 0; i < 6; ++i) {
    // The long task cannot finish before the gate opens, below: a short task
    // queued behind it would time out here.
    EXPECT_EQ(shorts[i].get(seconds(30)), i * i);
  }
  EXPECT_FALSE(long_task.ready());
  std::FILE* f = std::fopen(gate.c_str(), "w");
  ASSERT_NE(f, nullptr);
  std::fclose(f);
  EXPECT_EQ(long_task.get(), 1);
  std::remove(gate.c_str());
}

// terminate() may be called from a callback; the pool stops after it.
TEST_F(PoolTest, TerminateFromCallback) {
  pool::Pool p(1);
  auto first = p.apply_async(Square, std::tuple{2},
                             {.callback = [&p](const int&) { p.terminate(); }});
  EXPECT_EQ(first.get(), 4);
  p.join();
  EXPECT_THROW(static_cast<void>(p.apply_async(Square, std::tuple{1})),
               pool::UsageError);
}

// Many pools side by side do not see each other's pipes: each one's worker
// death is detected (a copy of a pipe end elsewhere would hide it).
TEST_F(PoolTest, SeveralPoolsAreIndependent) {
  pool::Pool a(2), b(2), c(1);
  EXPECT_THROW(b.apply(SleepThenDie, 1), pool::WorkerDiedError);
  EXPECT_EQ(a.apply(Square, 3), 9);
  EXPECT_EQ(b.apply(Square, 4), 16);
  EXPECT_EQ(c.apply(Square, 5), 25);
}

}  // namespace
