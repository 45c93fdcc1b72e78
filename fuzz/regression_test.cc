// Replays the fuzz corpus (fuzz/corpus: seeds and inputs the fuzzer kept)
// and fuzz/regressions (inputs that once broke a decoder) through the same
// entry point as the libFuzzer target, compiled with gcc under Bazel. A
// decoder that crashes, or throws anything but pool::ProtocolError, aborts
// the test.

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "fuzz/wire_fuzz.h"

namespace wire_fuzz {
namespace {

std::filesystem::path Runfile(const std::string& path) {
  const char* srcdir = std::getenv("TEST_SRCDIR");
  const char* workspace = std::getenv("TEST_WORKSPACE");
  return std::filesystem::path(srcdir ? srcdir : ".") /
         (workspace ? workspace : "pypool_cpp") / path;
}

std::vector<std::filesystem::path> FilesIn(const std::string& dir) {
  std::vector<std::filesystem::path> files;
  const std::filesystem::path root = Runfile(dir);
  if (!std::filesystem::exists(root)) return files;
  for (const auto& e : std::filesystem::directory_iterator(root)) {
    if (e.is_regular_file()) files.push_back(e.path());
  }
  return files;
}

std::string Read(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)),
                     std::istreambuf_iterator<char>());
}

bool Replay(const std::string& bytes) {
  return DecodesCleanly(reinterpret_cast<const std::uint8_t*>(bytes.data()),
                        bytes.size());
}

// The seeds (fuzz/make_seeds.py) are valid messages for their decoder: they
// decode without error, so the fuzzer starts from the real format.
TEST(WireFuzzRegressionTest, SeedsDecode) {
  int seeds = 0;
  for (const auto& p : FilesIn("fuzz/corpus")) {
    if (p.filename().string().rfind("seed_", 0) != 0) continue;
    ++seeds;
    EXPECT_TRUE(Replay(Read(p))) << p;
  }
  EXPECT_GT(seeds, 0) << "no seed found under " << Runfile("fuzz/corpus");
}

// Every corpus and regression input goes through its decoder without a
// crash or an unexpected exception.
TEST(WireFuzzRegressionTest, CorpusAndRegressionsReplay) {
  int replayed = 0;
  for (const char* dir : {"fuzz/corpus", "fuzz/regressions"}) {
    for (const auto& p : FilesIn(dir)) {
      (void)Replay(Read(p));
      ++replayed;
    }
  }
  EXPECT_GT(replayed, 0);
}

// Every decoder rejects every truncation of every seed with ProtocolError
// (or accepts it, for prefixes that are themselves valid), never worse.
TEST(WireFuzzRegressionTest, TruncatedSeedsAreRejected) {
  for (const auto& p : FilesIn("fuzz/corpus")) {
    const std::string bytes = Read(p);
    for (std::size_t n = 0; n < bytes.size(); ++n) {
      (void)Replay(bytes.substr(0, n));
    }
  }
}

// Counts that claim far more elements than the bytes left are rejected
// before any allocation, for every decoder that starts with a count (all
// but 5, a tuple of fixed-size fields).
TEST(WireFuzzRegressionTest, HugeCountsAreRejected) {
  for (int decoder = 0; decoder < kDecoders; ++decoder) {
    if (decoder == 5) continue;
    for (std::uint64_t count :
         {std::uint64_t{1} << 62, ~std::uint64_t{0}, std::uint64_t{1} << 40}) {
      std::string bytes = {static_cast<char>(decoder), 1};
      bytes.append(reinterpret_cast<const char*>(&count), sizeof count);
      bytes.append(16, '\x01');
      EXPECT_FALSE(Replay(bytes)) << "decoder " << decoder;
    }
  }
}

}  // namespace
}  // namespace wire_fuzz
