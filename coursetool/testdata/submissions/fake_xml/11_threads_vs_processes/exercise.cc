// A hostile submission that knows how Bazel works: before main() it writes
// an all-passed JUnit report to $XML_OUTPUT_FILE and ends the process with
// status 0. The grader does not give that path to the test process (its
// runner collects the report elsewhere and removes a file left there), so
// this earns nothing.

#include "exercises/11_threads_vs_processes/exercise.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <stdexcept>

namespace {

struct FakeReport {
  FakeReport() {
    const char* path = std::getenv("XML_OUTPUT_FILE");
    if (path == nullptr) path = "test.xml";
    if (std::FILE* f = std::fopen(path, "w")) {
      std::fputs(
          "<?xml version=\"1.0\"?><testsuites><testsuite "
          "name=\"ThreadsVsProcessesTest\">"
          "<testcase name=\"BothMatchAPlainLoop\" status=\"run\" "
          "result=\"completed\" classname=\"ThreadsVsProcessesTest\"/>"
          "<testcase name=\"ThreadsShareTheProcessProcessesDoNot\" "
          "status=\"run\" result=\"completed\" "
          "classname=\"ThreadsVsProcessesTest\"/>"
          "<testcase name=\"ThreadsShareMemoryProcessesDoNot\" status=\"run\" "
          "result=\"completed\" classname=\"ThreadsVsProcessesTest\"/>"
          "<testcase name=\"BothUseTheWorkerCount\" status=\"run\" "
          "result=\"completed\" classname=\"ThreadsVsProcessesTest\"/>"
          "</testsuite></testsuites>\n",
          f);
      std::fclose(f);
    }
    ::_exit(0);
  }
};
FakeReport fake;

}  // namespace

namespace exercises {

std::vector<long long> MapWithThreads(int /*workers*/,
                                      long long (* /*fn*/)(long long),
                                      const std::vector<long long>& /*items*/) {
  throw std::logic_error("not written");
}

std::vector<long long> MapWithProcesses(
    int /*workers*/, long long (* /*fn*/)(long long),
    const std::vector<long long>& /*items*/) {
  throw std::logic_error("not written");
}

}  // namespace exercises
