// An input that throws while imap reads it (class M of the fault table in
// pool/README.md). imap reads its input lazily, a window ahead of the
// consumer, so the failing element may be read long before the consumer
// gets there. As in Python, every result of the elements before it must
// still be delivered; next() raises the input's exception at the failing
// element's place (for imap_unordered: after everything before it), once;
// then the iteration ends. A consumer that catches errors and reads on — as
// pool.h documents for task errors — must reach the end.
//
// Every drain loop is bounded, so a regression fails instead of looping.

#include <gtest/gtest.h>

#include <optional>
#include <ranges>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "faults/fault_fixture.h"
#include "pool/pool.h"

namespace faults {
namespace {

int Square(int x) { return x * x; }
int ThrowIfOdd(int x) {
  if (x % 2 != 0) throw std::out_of_range("odd: " + std::to_string(x));
  return x;
}

// An input element that cannot be produced.
class BadInput : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The elements 0, 1, 2, ... of an input that throws BadInput when element
// `at` is read.
struct ThrowAt {
  int at;
  int operator()(int x) const {
    if (x == at) throw BadInput("cannot read element " + std::to_string(x));
    return x;
  }
};
auto InputThrowingAt(int at, int size) {
  return std::views::iota(0, size) | std::views::transform(ThrowAt{at});
}

// What a consumer that catches every exception and reads on sees.
// An imap read-ahead window of n chunks; Window() leaves it to the default.
std::optional<int> Window(std::optional<int> n = std::nullopt) { return n; }
// "2", or "unset" for the default window: for failure messages.
std::string Show(std::optional<int> buffersize) {
  return buffersize ? std::to_string(*buffersize) : "unset";
}

struct Drained {
  std::vector<std::string>
      events;  // "v:<value>", "task error", "input: <what>"
  bool ended = false;
};

template <class It>
Drained Drain(It& it, int max_calls) {
  Drained d;
  for (int i = 0; i < max_calls; ++i) {
    try {
      std::optional<int> v = it.next();
      if (!v) {
        d.ended = true;
        break;
      }
      d.events.push_back("v:" + std::to_string(*v));
    } catch (const pool::TaskError&) {
      d.events.push_back("task error");
    } catch (const BadInput& e) {
      d.events.push_back(std::string("input: ") + e.what());
    } catch (const std::exception& e) {
      d.events.push_back(std::string("unexpected: ") + e.what());
    }
  }
  return d;
}

std::vector<std::string> Values(std::initializer_list<int> xs) {
  std::vector<std::string> v;
  for (int x : xs) v.push_back("v:" + std::to_string(x));
  return v;
}

template <class P>
class ImapInputTest : public FaultTest {};
using PoolTypes = ::testing::Types<pool::Pool, pool::ThreadPool>;
TYPED_TEST_SUITE(ImapInputTest, PoolTypes);

// imap: the results of elements 0..5 come first, then the input's own
// exception at element 6, once, then the end; whatever the chunk size and
// read-ahead window (a window of one used to drop a result already taken).
TYPED_TEST(ImapInputTest, OrderedDeliversResultsBeforeTheFailure) {
  TypeParam p(2);
  std::vector<std::string> expected = Values({0, 1, 4, 9, 16, 25});
  expected.push_back("input: cannot read element 6");
  for (int chunksize : {1, 4}) {
    for (std::optional<int> buffersize : {Window(1), Window(2), Window()}) {
      auto it = p.imap(Square, InputThrowingAt(6, 10),
                       {.chunksize = chunksize, .buffersize = buffersize});
      const Drained d = Drain(it, 50);
      EXPECT_EQ(d.events, expected)
          << "chunksize " << chunksize << ", buffersize " << Show(buffersize);
      EXPECT_TRUE(d.ended) << "chunksize " << chunksize << ", buffersize "
                           << Show(buffersize) << ": the iterator never ended";
      EXPECT_EQ(it.next(), std::nullopt) << "it ended, then went on";
    }
  }
}

// imap_unordered: every result of the elements before the failure, in some
// order, then the input's exception, once, then the end.
TYPED_TEST(ImapInputTest, UnorderedDeliversEverythingBeforeRaising) {
  TypeParam p(3);
  for (std::optional<int> buffersize : {Window(1), Window()}) {
    auto it = p.imap_unordered(Square, InputThrowingAt(20, 1000),
                               {.chunksize = 3, .buffersize = buffersize});
    const Drained d = Drain(it, 100);
    ASSERT_EQ(d.events.size(), 21u) << "buffersize " << Show(buffersize);
    std::multiset<std::string> values(d.events.begin(), d.events.end() - 1);
    std::multiset<std::string> expected;
    for (int i = 0; i < 20; ++i) expected.insert("v:" + std::to_string(i * i));
    EXPECT_EQ(values, expected) << "buffersize " << Show(buffersize);
    EXPECT_EQ(d.events.back(), "input: cannot read element 20");
    EXPECT_TRUE(d.ended) << "buffersize " << Show(buffersize);
  }
}

// The first element failing, or the input failing before its first element
// (a filter's begin() evaluates the predicate): the first next() throws the
// input's exception, the second ends the iteration. Python raises at
// position 0 likewise.
TYPED_TEST(ImapInputTest, FailureAtTheStart) {
  TypeParam p(2);
  auto first = p.imap(Square, InputThrowingAt(0, 5));
  Drained d = Drain(first, 10);
  EXPECT_EQ(d.events, std::vector<std::string>{"input: cannot read element 0"});
  EXPECT_TRUE(d.ended);

  auto rejecting = std::views::iota(0, 5) | std::views::filter([](int x) {
                     if (x >= 0) throw BadInput("predicate failed");
                     return true;
                   });
  auto filtered = p.imap_unordered(Square, rejecting);
  d = Drain(filtered, 10);
  EXPECT_EQ(d.events, std::vector<std::string>{"input: predicate failed"});
  EXPECT_TRUE(d.ended);
}

// Task errors and an input error in one stream: each task error at its
// place, the input error after the last element read, and the end — an
// endless input, so only the early end stops it.
TYPED_TEST(ImapInputTest, TaskErrorsThenInputErrorOnAnEndlessInput) {
  TypeParam p(2);
  auto endless = std::views::iota(0) | std::views::transform(ThrowAt{5});
  auto it = p.imap(ThrowIfOdd, endless, {.chunksize = 2, .buffersize = 1});
  const Drained d = Drain(it, 1000);
  EXPECT_EQ(d.events,
            (std::vector<std::string>{"v:0", "task error", "v:2", "task error",
                                      "v:4", "input: cannot read element 5"}));
  EXPECT_TRUE(d.ended) << "a consumer that reads on never reached the end";
}

// An input that throws pool::UsageError is reported as the input's own
// exception at its place, not mistaken for the pool having stopped.
TYPED_TEST(ImapInputTest, InputThrowingUsageErrorIsTheInputsError) {
  TypeParam p(2);
  auto input = std::views::iota(0, 10) | std::views::transform([](int x) {
                 if (x == 3) throw pool::UsageError("the input's own error");
                 return x;
               });
  auto it = p.imap(Square, input);
  EXPECT_EQ(it.next(), 0);
  EXPECT_EQ(it.next(), 1);
  EXPECT_EQ(it.next(), 4);
  try {
    (void)it.next();
    FAIL() << "no exception at element 3";
  } catch (const pool::UsageError& e) {
    EXPECT_STREQ(e.what(), "the input's own error");
  }
  EXPECT_EQ(it.next(), std::nullopt);
  EXPECT_EQ(p.apply(Square, 3), 9);  // The pool is still running.
}

}  // namespace
}  // namespace faults
