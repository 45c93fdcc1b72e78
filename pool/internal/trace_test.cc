#include "pool/internal/trace.h"

#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include <stdexcept>
#include <string>

#include "gtest/gtest.h"
#include "pool/trace_reader.h"

namespace pool::internal {
namespace {

using ::pool::testing::OverlapOnATrack;
using ::pool::testing::ParseJson;
using ::pool::testing::ReadTrace;
using ::pool::testing::TraceEvent;
using ::pool::testing::TraceFile;

std::string TempPath(const char* name) {
  const char* dir = std::getenv("TEST_TMPDIR");
  return std::string(dir != nullptr ? dir : "/tmp") + "/" + name;
}

TraceFile WriteAndRead(Trace& trace) {
  trace.Write();
  return ReadTrace(trace.path());
}

// A task submitted, dispatched, run by a worker and delivered becomes a
// submit slice, a slice on the worker's track with the worker's own stamps,
// a delivery slice, and one flow (s, t, f) through the three.
TEST(TraceTest, RecordsTheLifeOfATask) {
  Trace trace(TempPath("life.json"));
  const int pool = trace.AddPool("Pool");
  trace.HandlerThread(pool);
  trace.WorkerStarted(pool, 4242, 0);
  const std::int64_t t0 = MonotonicNs();
  trace.Submitted(
      pool, std::vector<Trace::NewTask>{{1, {"map", 3, 1, true, 150}}}, t0);
  trace.Dispatched(pool, 1, 4242);
  trace.Ran(pool, 1, 4242, t0 + 5000, t0 + 9000, MonotonicNs(), 0);

  const TraceFile file = WriteAndRead(trace);
  EXPECT_EQ(file.process_names.at(4242), "worker 1 (pid 4242)");
  const auto tasks = file.TaskSlices();
  ASSERT_EQ(tasks.size(), 1u);
  EXPECT_EQ(tasks[0].name, "map [3]");
  EXPECT_EQ(tasks[0].pid, 4242);
  EXPECT_DOUBLE_EQ(tasks[0].ts, static_cast<double>(t0 + 5000) / 1000);
  EXPECT_DOUBLE_EQ(tasks[0].dur, 4.0);
  EXPECT_EQ(tasks[0].args["input"].number, 150);
  EXPECT_EQ(tasks[0].args["outcome"].string, "ok");
  EXPECT_EQ(tasks[0].args["task"].number, 1);

  // One flow through submit, run and delivery, with one id.
  std::string phases;
  for (const TraceEvent& e : file.events) {
    if (e.ph == "s" || e.ph == "t" || e.ph == "f") phases += e.ph;
  }
  EXPECT_EQ(phases, "stf");
  EXPECT_EQ(OverlapOnATrack(file), "");
}

// A caller records its submission after letting go of the engine's lock,
// so a fast task may be dispatched and run before it is: the trace still
// joins the two. A map's tasks, submitted in one call, make one submit
// slice; events of a task whose submission was never recorded are left out.
TEST(TraceTest, JoinsEventsRecordedBeforeTheSubmission) {
  Trace trace(TempPath("order.json"));
  const int pool = trace.AddPool("Pool");
  trace.WorkerStarted(pool, 4242, 0);
  const std::int64_t t0 = MonotonicNs();
  for (std::uint64_t id = 1; id <= 3; ++id) {
    trace.Dispatched(pool, id, 4242);
    trace.Ran(pool, id, 4242, t0 + 1000 * id, t0 + 1000 * id + 500,
              MonotonicNs(), 0);
  }
  trace.Ran(pool, 9, 4242, t0 + 9000, t0 + 9500, MonotonicNs(), 0);
  trace.Submitted(pool,
                  std::vector<Trace::NewTask>{{1, {"map", 0, 1, true, 50}},
                                              {2, {"map", 1, 1, true, 100}},
                                              {3, {"map", 2, 1, true, 150}}},
                  t0);

  const TraceFile file = WriteAndRead(trace);
  const auto tasks = file.TaskSlices();
  ASSERT_EQ(tasks.size(), 3u) << "task 9 was never submitted";
  for (std::size_t i = 0; i < tasks.size(); ++i) {
    EXPECT_EQ(tasks[i].name, "map [" + std::to_string(i) + "]");
    EXPECT_EQ(tasks[i].pid, 4242);
    EXPECT_DOUBLE_EQ(tasks[i].ts,
                     static_cast<double>(t0 + 1000 * (i + 1)) / 1000);
    EXPECT_EQ(tasks[i].args["outcome"].string, "ok");
  }
  int submits = 0;
  for (const TraceEvent& e : file.events) {
    if (e.ph == "X" && e.cat == "submit") {
      ++submits;
      EXPECT_EQ(e.args["tasks"].number, 3);
    }
  }
  EXPECT_EQ(submits, 1);
  EXPECT_EQ(OverlapOnATrack(file), "");
}

// A worker's death names the signal and the task it was running, and that
// task's slice runs from its start (the worker's stamp) to the death.
TEST(TraceTest, RecordsADeathWithItsSignalAndTask) {
  Trace trace(TempPath("death.json"));
  const int pool = trace.AddPool("Pool");
  trace.WorkerStarted(pool, 100, 0);
  const std::int64_t t0 = MonotonicNs();
  trace.Submitted(
      pool, std::vector<Trace::NewTask>{{1, {"apply", 0, 1, true, 7}}}, t0);
  trace.Dispatched(pool, 1, 100);
  trace.WorkerExited(pool, 100, SIGKILL, 1, t0 + 1000);
  trace.Failed(pool, 1,
               std::make_exception_ptr(std::runtime_error("killed \"9\"")));
  trace.WorkerStarted(pool, 101, 0);

  const TraceFile file = WriteAndRead(trace);
  bool death = false, replacement = false;
  for (const TraceEvent& e : file.Phase("i")) {
    if (e.pid == 100 && e.name.find("worker died") == 0) {
      death = true;
      EXPECT_NE(e.name.find("SIGKILL"), std::string::npos) << e.name;
      EXPECT_EQ(e.args["signal"].number, SIGKILL);
      EXPECT_EQ(e.args["task"].number, 1);
      EXPECT_EQ(e.args["running"].string, "apply #1");
    }
    if (e.pid == 101 && e.args["replaces"].number == 100) replacement = true;
  }
  EXPECT_TRUE(death);
  EXPECT_TRUE(replacement);
  const auto tasks = file.TaskSlices();
  ASSERT_EQ(tasks.size(), 1u);
  EXPECT_EQ(tasks[0].pid, 100);
  EXPECT_EQ(tasks[0].args["outcome"].string, "killed \"9\"");
  EXPECT_GE(tasks[0].dur, 0);
}

// Every byte a task's error message may hold comes out as valid JSON:
// quotes, backslashes, control characters, invalid UTF-8.
TEST(TraceTest, EscapesEveryString) {
  Trace trace(TempPath("escape.json"));
  const int pool = trace.AddPool("Pool");
  trace.Submitted(pool, std::vector<Trace::NewTask>{{1, {}}}, MonotonicNs());
  std::string nasty =
      "a\"b\\c\nd\te\x01"
      "f\x7f";
  nasty += "\xff\xc3(";              // Invalid UTF-8.
  nasty += "\xc3\xa9 \xe4\xb8\xad";  // Valid: é 中
  trace.Failed(pool, 1, std::make_exception_ptr(std::runtime_error(nasty)));
  const TraceFile file = WriteAndRead(trace);
  bool found = false;
  for (const TraceEvent& e : file.events) {
    if (e.args["outcome"].kind != testing::Json::kString) continue;
    found = true;
    // The invalid bytes become '?'; everything else arrives unchanged.
    EXPECT_EQ(e.args["outcome"].string,
              "a\"b\\c\nd\te\x01"
              "f\x7f?"
              "?(\xc3\xa9 \xe4\xb8\xad");
  }
  EXPECT_TRUE(found);
  std::string s;
  AppendJsonString(s, "\x02");
  EXPECT_EQ(s, "\"\\u0002\"");
}

// Slices of one thread pool thread (task and callback) and of the parent's
// threads never overlap; nesting (a callback that submits) is allowed.
TEST(TraceTest, OverlapCheckAcceptsNestingAndRejectsOverlap) {
  auto two = [](pid_t tid_b, double ts_b, double dur_b) {
    TraceFile f;
    f.events.push_back({"X", "a", "", 1, 1, 0, 10, {}});
    f.events.push_back({"X", "b", "", 1, tid_b, ts_b, dur_b, {}});
    return f;
  };
  EXPECT_EQ(OverlapOnATrack(two(1, 2, 3)), "");   // Nested.
  EXPECT_EQ(OverlapOnATrack(two(1, 10, 3)), "");  // One after.
  EXPECT_NE(OverlapOnATrack(two(1, 5, 10)), "");  // Overlap.
  EXPECT_EQ(OverlapOnATrack(two(2, 5, 10)), "");  // Other track.
}

// The reader is strict: what is not JSON is an error, not a guess.
TEST(TraceTest, ReaderRejectsInvalidJson) {
  EXPECT_THROW(ParseJson("{\"a\":1,}"), std::runtime_error);
  EXPECT_THROW(ParseJson("{\"a\":\"x\ny\"}"), std::runtime_error);
  EXPECT_THROW(ParseJson("[1 2]"), std::runtime_error);
  EXPECT_EQ(ParseJson(" {\"a\":[1,-2.5e3,\"\\u0041\"]} ")["a"].array[2].string,
            "A");
}

// The option wins over POOL_TRACE; without either, tracing is off; pools
// naming one path share one Trace.
TEST(TraceTest, OptionWinsOverTheEnvironment) {
  ::setenv("POOL_TRACE", TempPath("env.json").c_str(), 1);
  const auto from_env = Trace::ForPool("");
  ASSERT_NE(from_env, nullptr);
  EXPECT_EQ(from_env->path(), TempPath("env.json"));
  const auto from_option = Trace::ForPool(TempPath("option.json"));
  EXPECT_EQ(from_option->path(), TempPath("option.json"));
  EXPECT_EQ(Trace::ForPool(""), from_env);
  ::unsetenv("POOL_TRACE");
  EXPECT_EQ(Trace::ForPool(""), nullptr);
}

// Once every pool of a path is gone, the next one writes PATH.2.json, so
// nothing recorded is overwritten and nothing is kept for dead pools.
TEST(TraceTest, ALaterPoolWritesANumberedFile) {
  const std::string path = TempPath("later.json");
  std::weak_ptr<Trace> first = Trace::ForPool(path);
  EXPECT_TRUE(first.expired()) << "the registry keeps a dead pool's trace";
  EXPECT_EQ(Trace::ForPool(path)->path(), TempPath("later.2.json"));
  EXPECT_EQ(Trace::ForPool(TempPath("plain"))->path(), TempPath("plain"));
  EXPECT_EQ(Trace::ForPool(TempPath("plain"))->path(), TempPath("plain.2"));
}

// A file that cannot be written is reported on stderr; nothing throws.
TEST(TraceTest, UnwritablePathIsReportedNotThrown) {
  Trace trace("/nonexistent-dir/t.json");
  trace.AddPool("Pool");
  ::testing::internal::CaptureStderr();
  trace.Write();
  trace.Write();
  const std::string err = ::testing::internal::GetCapturedStderr();
  EXPECT_NE(err.find("cannot write the trace to /nonexistent-dir/t.json"),
            std::string::npos)
      << err;
  EXPECT_EQ(err.find("cannot write", 10), std::string::npos)
      << "reported twice: " << err;
}

}  // namespace
}  // namespace pool::internal
