// Tests for step b03 (whole messages over a pipe). They run against
// exercises/b03_framing (your code) and solutions/b03_framing.

#include "exercises/b03_framing/framing.h"

#include <errno.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <system_error>
#include <thread>

#include "exercises/testing/explain.h"
#include "exercises/testing/track_testing.h"

namespace bpool {
namespace {

using ::exercises::testing::FinishesWithin;
using ::exercises::testing::Interrupter;
using ::exercises::testing::kCallGuard;

// A pipe owned by the test: both ends close when it goes away.
struct TestPipe {
  int read = -1;
  int write = -1;
  TestPipe() {
    int fds[2];
    if (::pipe(fds) != 0)
      throw std::system_error(errno, std::system_category());
    read = fds[0];
    write = fds[1];
  }
  ~TestPipe() {
    CloseRead();
    CloseWrite();
  }
  void CloseRead() {
    if (read >= 0) ::close(read);
    read = -1;
  }
  void CloseWrite() {
    if (write >= 0) ::close(write);
    write = -1;
  }
};

// `size` bytes that differ from position to position, so a lost, repeated
// or reordered piece shows.
std::string Pattern(std::size_t size) {
  std::string s(size, '\0');
  std::uint32_t x = 12345;
  for (char& c : s) {
    x = x * 1103515245u + 12345u;
    c = static_cast<char>(x >> 24);
  }
  return s;
}

// The header of a frame of `size` bytes, as the contract lays it out.
std::string Header(std::uint64_t size) {
  return std::string(reinterpret_cast<const char*>(&size), sizeof size);
}

// Writes raw bytes to a pipe (the test's own writes, not WriteAll).
void RawWrite(int fd, const std::string& bytes) {
  ASSERT_EQ(::write(fd, bytes.data(), bytes.size()),
            static_cast<ssize_t>(bytes.size()));
}

// A thread that writes into `pipe` and then closes the write end (also if
// the writing threw), so the reader sees end of file instead of waiting
// for bytes that will never come. Its destructor closes the read end first
// (a writer blocked on a pipe nobody reads then fails with EPIPE) and joins
// it, so a test that stops early never leaves it behind.
class Writer {
 public:
  Writer(std::shared_ptr<TestPipe> pipe, std::function<void()> fn)
      : pipe_(pipe), thread_([pipe, fn = std::move(fn)] {
          try {
            fn();
          } catch (...) {
            // The reader's checks report what went wrong.
          }
          pipe->CloseWrite();
        }) {}
  ~Writer() { Join(); }
  void Join() {
    if (!thread_.joinable()) return;
    if (!done_) pipe_->CloseRead();
    thread_.join();
  }
  // Marks the reading as complete: Join() leaves the read end open.
  void ReaderDone() { done_ = true; }

 private:
  std::shared_ptr<TestPipe> pipe_;
  std::thread thread_;
  bool done_ = false;
};

// Reads a frame under a hang guard; reports a hang or an exception as a
// test failure and returns an empty optional then.
std::optional<std::string> ReadGuarded(int fd, const char* what) {
  auto frame = std::make_shared<std::optional<std::string>>();
  try {
    if (!FinishesWithin(kCallGuard, [fd, frame] { *frame = ReadFrame(fd); })) {
      ADD_FAILURE() << Explain("ReadFrame() did not return within ",
                               "ReadFrame() 在 ")
                    << kCallGuard.count() << Explain(" s (", " 秒内没有返回(")
                    << what << ")";
      return std::nullopt;
    }
  } catch (const std::exception& e) {
    ADD_FAILURE() << Explain("ReadFrame() threw (", "ReadFrame() 抛出了异常(")
                  << what << "): " << e.what();
    return std::nullopt;
  }
  return *frame;
}

class FramingTest : public ::testing::Test {
 protected:
  // A write to a pipe with no reader must fail with EPIPE, not kill the
  // test with SIGPIPE.
  static void SetUpTestSuite() { ::signal(SIGPIPE, SIG_IGN); }
};

// A small frame comes out as it went in; so does an empty one (which is a
// frame, not the end of the stream).
TEST_F(FramingTest, SmallAndEmptyFramesRoundTrip) {
  TestPipe pipe;
  WriteFrame(pipe.write, "hello");
  WriteFrame(pipe.write, "");
  std::optional<std::string> first = ReadGuarded(pipe.read, "a small frame");
  ASSERT_TRUE(first) << Explain("no frame came out", "没有读出帧");
  EXPECT_EQ(*first, "hello");
  std::optional<std::string> empty = ReadGuarded(pipe.read, "an empty frame");
  ASSERT_TRUE(empty) << Explain("an empty frame read as the end of the stream",
                                "空帧被读成了流的结束");
  EXPECT_EQ(*empty, "");
}

// The frame's header is the body's size as a uint64_t, then the body.
TEST_F(FramingTest, FrameIsLengthThenBody) {
  TestPipe pipe;
  WriteFrame(pipe.write, "abc");
  pipe.CloseWrite();
  char buffer[32];
  std::string bytes;
  ssize_t n;
  while ((n = ::read(pipe.read, buffer, sizeof buffer)) > 0) {
    bytes.append(buffer, static_cast<std::size_t>(n));
  }
  EXPECT_EQ(bytes, Header(3) + "abc");
}

// A 16 MiB frame (far more than a pipe holds at once, so both sides see
// short reads and writes) round-trips intact.
TEST_F(FramingTest, SixteenMiBFrameRoundTrips) {
  auto pipe = std::make_shared<TestPipe>();
  auto body = std::make_shared<std::string>(Pattern(16 << 20));
  Writer writer(pipe, [pipe, body] { WriteFrame(pipe->write, *body); });
  std::optional<std::string> frame = ReadGuarded(pipe->read, "16 MiB frame");
  if (frame) writer.ReaderDone();
  writer.Join();
  ASSERT_TRUE(frame);
  EXPECT_EQ(frame->size(), body->size());
  EXPECT_TRUE(*frame == *body)
      << Explain("the body came out changed", "读出的内容被改变了");
}

// A frame written one byte at a time still reads as one whole frame.
TEST_F(FramingTest, FrameWrittenOneByteAtATime) {
  auto pipe = std::make_shared<TestPipe>();
  const std::string body = Pattern(3000);
  const std::string bytes = Header(body.size()) + body;
  Writer writer(pipe, [pipe, bytes] {
    for (char c : bytes) {
      if (::write(pipe->write, &c, 1) != 1) return;
      std::this_thread::yield();
    }
  });
  std::optional<std::string> frame = ReadGuarded(pipe->read, "byte by byte");
  if (frame) writer.ReaderDone();
  writer.Join();
  ASSERT_TRUE(frame);
  EXPECT_EQ(frame->size(), body.size()) << Explain(
      "the frame came out short: read() returns what is there, not what was "
      "asked for",
      "读出的帧不完整：read() 返回的是管道里现有的数据，而不是你要求的数量");
  EXPECT_TRUE(*frame == body);
}

// Frames written back to back come out one by one, then end of file.
TEST_F(FramingTest, FramesStayApartAndEndOfFileEnds) {
  TestPipe pipe;
  RawWrite(pipe.write, Header(2) + "ab" + Header(0) + Header(5) + "cdefg" +
                           Header(1) + "h");
  pipe.CloseWrite();
  for (const char* expected : {"ab", "", "cdefg", "h"}) {
    std::optional<std::string> frame = ReadGuarded(pipe.read, expected);
    ASSERT_TRUE(frame) << Explain("expected the frame \"", "应为帧 \"")
                       << expected << "\"";
    EXPECT_EQ(*frame, expected);
  }
  std::optional<std::string> end = ReadGuarded(pipe.read, "end of file");
  EXPECT_FALSE(end) << Explain(
      "after the last frame, end of file must read as an empty optional",
      "最后一帧之后，文件结束必须读成空的 optional");
}

// A frame cut short by end of file is an error, never a short frame.
TEST_F(FramingTest, TruncatedBodyIsAnError) {
  TestPipe pipe;
  RawWrite(pipe.write, Header(100) + std::string(10, 'x'));
  pipe.CloseWrite();
  EXPECT_THROW((void)ReadFrame(pipe.read), FrameError)
      << Explain("100 bytes announced, 10 sent, then end of file",
                 "声明 100 字节，只发了 10 字节，然后文件结束");
}

// End of file inside the 8-byte length is an error too.
TEST_F(FramingTest, TruncatedHeaderIsAnError) {
  TestPipe pipe;
  RawWrite(pipe.write, Header(100).substr(0, 3));
  pipe.CloseWrite();
  EXPECT_THROW((void)ReadFrame(pipe.read), FrameError)
      << Explain("3 of the 8 header bytes, then end of file",
                 "8 字节帧头只有 3 字节，然后文件结束");
}

// A length above kMaxFrame is refused before anything is allocated.
TEST_F(FramingTest, HugeLengthIsRefused) {
  TestPipe pipe;
  RawWrite(pipe.write, Header(std::uint64_t{1} << 62));
  EXPECT_THROW((void)ReadFrame(pipe.read), FrameError) << Explain(
      "a header announcing 2^62 bytes must be a FrameError (check the length "
      "against kMaxFrame before allocating)",
      "声明 2^62 字节的帧头必须是 FrameError(在分配内存之前用 kMaxFrame "
      "检查长度)");
}

// Signals that interrupt read() and write() (EINTR, or a short count) do
// not lose, repeat or reorder a single byte.
TEST_F(FramingTest, InterruptedReadsAndWritesAreRetried) {
  auto pipe = std::make_shared<TestPipe>();
  auto body = std::make_shared<std::string>(Pattern(8 << 20));
  Writer writer(pipe, [pipe, body] {
    Interrupter interrupter(::pthread_self());
    WriteFrame(pipe->write, *body);
    WriteFrame(pipe->write, "after");
  });
  auto frames = std::make_shared<std::vector<std::string>>();
  bool finished = false;
  bool threw = false;
  try {
    finished = FinishesWithin(kCallGuard, [pipe, frames] {
      Interrupter interrupter(::pthread_self());
      for (int i = 0; i < 2; ++i) {
        std::optional<std::string> frame = ReadFrame(pipe->read);
        if (!frame) break;
        frames->push_back(std::move(*frame));
      }
    });
  } catch (const std::exception& e) {
    ADD_FAILURE() << Explain("ReadFrame() threw while interrupted: ",
                             "被中断时 ReadFrame() 抛出了异常：")
                  << e.what()
                  << Explain(
                         ". Did WriteAll or ReadAll give up on EINTR, or lose "
                         "track of a short write or read?",
                         "。是不是 WriteAll 或 ReadAll 遇到 EINTR "
                         "就放弃了，或者在部分读写之后没接着往下读写？");
    threw = true;
  }
  if (finished) writer.ReaderDone();
  writer.Join();
  if (threw) return;
  ASSERT_TRUE(finished) << Explain("ReadFrame() did not finish within ",
                                   "ReadFrame() 在被中断的情况下 ")
                        << kCallGuard.count()
                        << Explain(" s while interrupted", " 秒内没有完成");
  ASSERT_EQ(frames->size(), 2u)
      << Explain("a frame was lost: did a call give up on EINTR?",
                 "丢了一帧：是不是某个调用遇到 EINTR 就放弃了？");
  EXPECT_TRUE((*frames)[0] == *body)
      << Explain("the 8 MiB frame came out changed (", "8 MiB 的帧读出来变了(")
      << (*frames)[0].size()
      << Explain(" bytes): after a short write, go on from where it stopped",
                 " 字节)：部分写出之后，要从停下的地方接着写");
  EXPECT_EQ((*frames)[1], "after");
}

// Writing to a pipe nobody reads is an error, with EPIPE.
TEST_F(FramingTest, WriteWithoutReaderIsAnError) {
  TestPipe pipe;
  pipe.CloseRead();
  try {
    WriteFrame(pipe.write, "nobody listens");
    ADD_FAILURE() << Explain(
        "WriteFrame() to a pipe with no reader did not throw",
        "向没有读者的管道 WriteFrame() 没有抛出异常");
  } catch (const std::system_error& e) {
    EXPECT_EQ(e.code().value(), EPIPE) << e.what();
  }
}

// ReadAll() stops at end of file and says how much it read.
TEST_F(FramingTest, ReadAllStopsAtEndOfFile) {
  TestPipe pipe;
  RawWrite(pipe.write, "12345");
  pipe.CloseWrite();
  char buffer[10];
  EXPECT_EQ(ReadAll(pipe.read, buffer, sizeof buffer), 5u);
  EXPECT_EQ(std::string(buffer, 5), "12345");
  EXPECT_EQ(ReadAll(pipe.read, buffer, sizeof buffer), 0u);
}

}  // namespace
}  // namespace bpool
