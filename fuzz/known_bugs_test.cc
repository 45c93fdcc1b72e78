// Replays fuzz/known_bugs: inputs that expose a pool bug still open (each
// is described in fuzz/ubsan_suppressions.txt). The bugs are undefined
// behaviour that only a sanitizer reports, so run this under one:
//   ./bazelw test --config=asan //fuzz:known_bugs_test
// It is tagged "manual" until the bugs are fixed; then move the inputs to
// fuzz/regressions.

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "fuzz/wire_fuzz.h"

namespace wire_fuzz {
namespace {

// Each known-bug input goes through its decoder without undefined behaviour.
TEST(WireFuzzKnownBugsTest, KnownBugInputsReplayCleanly) {
  const char* srcdir = std::getenv("TEST_SRCDIR");
  const char* workspace = std::getenv("TEST_WORKSPACE");
  const std::filesystem::path dir =
      std::filesystem::path(srcdir ? srcdir : ".") /
      (workspace ? workspace : "pypool_cpp") / "fuzz/known_bugs";
  int replayed = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    std::ifstream in(e.path(), std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)),
                            std::istreambuf_iterator<char>());
    (void)FuzzWireInput(reinterpret_cast<const std::uint8_t*>(bytes.data()),
                        bytes.size());
    ++replayed;
  }
  EXPECT_GT(replayed, 0);
}

}  // namespace
}  // namespace wire_fuzz
