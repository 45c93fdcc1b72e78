#include "exercises/testing/mpi_job.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <mpi.h>
#include <stdlib.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <system_error>
#include <vector>

#include "exercises/testing/explain.h"
#include "exercises/testing/gate.h"
#include "lessons/common/run_lesson.h"
#include "mpi/mpirun.h"

namespace exercises::testing {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kScenarioFlag = "--mpi_scenario=";
constexpr std::string_view kDirFlag = "--mpi_dir=";

std::map<std::string, Scenario>& Scenarios() {
  static std::map<std::string, Scenario> scenarios;
  return scenarios;
}

// This rank's number and report file; set in RunAsRank.
int rank_ = -1;
std::string report_path_;

// Writes one whole line to this rank's report file.
void AppendLine(const std::string& line) {
  const int fd = ::open(report_path_.c_str(),
                        O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) return;  // The test then misses the record and says so.
  (void)!::write(fd, line.data(), line.size());
  ::close(fd);
}

// The rank's side: run one scenario between MPI_Init and MPI_Finalize.
int RunAsRank(int argc, char** argv, const std::string& name,
              const std::string& dir) {
  MPI_Init(&argc, &argv);
  int size = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  report_path_ = dir + "/rank." + std::to_string(rank_);
  UseGateDir(dir);

  std::string error;
  const auto it = Scenarios().find(name);
  if (it == Scenarios().end()) {
    error = "no scenario named " + name;
  } else if (size != kRanks) {
    error = "the job has " + std::to_string(size) + " ranks instead of " +
            std::to_string(kRanks) + "; start it with RunScenario()";
  } else {
    try {
      it->second();
    } catch (const std::exception& e) {
      error = std::string(Explain("threw ", "抛出了异常：")) + e.what();
    } catch (...) {
      error = Explain("threw something that is not a std::exception",
                      "抛出了一个不是 std::exception 的东西");
    }
  }
  if (!error.empty()) {
    Report("error", error);
    // The other ranks may be blocked waiting for this one: end them all.
    MPI_Abort(MPI_COMM_WORLD, 3);
  }
  Report("finished", "yes");
  MPI_Finalize();
  return 0;
}

std::string TailLines(const std::string& text, int n) {
  std::size_t pos = text.size();
  while (n-- > 0 && pos > 0) {
    pos = text.rfind('\n', pos - 1);
    if (pos == std::string::npos) return text;
  }
  return text.substr(pos);
}

}  // namespace

int Rank() { return rank_; }

void Report(std::string_view key, std::string_view value) {
  std::string line(key);
  line += '\t';
  for (char c : value) line += c == '\n' ? ' ' : c;
  line += '\n';
  AppendLine(line);
}

bool RegisterScenario(const char* name, Scenario scenario) {
  Scenarios()[name] = scenario;
  return true;
}

std::string ScenarioRun::Get(int rank, const std::string& key) const {
  const auto r = reports.find(rank);
  if (r == reports.end()) return "";
  const auto k = r->second.find(key);
  return k == r->second.end() ? "" : k->second;
}

bool ScenarioRun::Has(int rank, const std::string& key) const {
  const auto r = reports.find(rank);
  return r != reports.end() && r->second.contains(key);
}

bool ScenarioRun::ok() const {
  if (exit_code != 0) return false;
  for (int rank = 0; rank < kRanks; ++rank) {
    if (!Get(rank, "error").empty() || Get(rank, "finished") != "yes") {
      return false;
    }
  }
  return true;
}

std::string ScenarioRun::Describe() const {
  std::ostringstream text;
  text << Explain("mpirun: exit code ", "mpirun：退出码 ") << exit_code;
  if (term_signal != 0) text << Explain(", signal ", "，信号 ") << term_signal;
  if (timed_out) {
    text << Explain(", KILLED after ", "，在以下秒数后被杀死：")
         << kJobGuard.count()
         << Explain(" s (a rank waits for a message that never comes?)",
                    " 秒（某个 rank 在等一条永远不会来的消息？）");
  }
  for (int rank = 0; rank < kRanks; ++rank) {
    if (const std::string error = Get(rank, "error"); !error.empty()) {
      text << "\n  rank " << rank << ": " << error;
    } else if (Get(rank, "finished") != "yes") {
      text << "\n  rank " << rank
           << Explain(": did not finish its part", "：没有完成它的那部分");
    }
  }
  text << Explain("\n--- mpirun's stderr, last lines ---",
                  "\n--- mpirun 的 stderr，最后几行 ---")
       << TailLines(err, 12);
  return text.str();
}

ScenarioRun RunScenario(const std::string& name) {
  const char* tmp = std::getenv("TEST_TMPDIR");
  std::string dir = std::string(tmp != nullptr ? tmp : "/tmp") + "/mpi.XXXXXX";
  if (::mkdtemp(dir.data()) == nullptr) {
    throw std::system_error(errno, std::generic_category(), "mkdtemp");
  }
  const std::string self = fs::read_symlink("/proc/self/exe").string();
  const std::vector<std::string> command = mpi::MpirunCommand(
      kRanks,
      {self, std::string(kScenarioFlag) + name, std::string(kDirFlag) + dir});
  const lessons::testing::LessonRun job = lessons::testing::RunLesson(
      command[0], {command.begin() + 1, command.end()}, kJobGuard);
  ScenarioRun run;
  run.exit_code = job.exit_code;
  run.term_signal = job.term_signal;
  run.timed_out = job.timed_out;
  run.out = job.out;
  run.err = job.err;
  run.gave_up = fs::exists(fs::path(dir) / "gave_up");
  for (int rank = 0; rank < kRanks; ++rank) {
    std::ifstream in(dir + "/rank." + std::to_string(rank));
    for (std::string line; std::getline(in, line);) {
      const std::size_t tab = line.find('\t');
      if (tab == std::string::npos) continue;
      run.reports[rank][line.substr(0, tab)] = line.substr(tab + 1);
    }
  }
  return run;
}

}  // namespace exercises::testing

// One binary, two parts: a rank of a scenario's job when started with
// --mpi_scenario, GoogleTest otherwise.
int main(int argc, char** argv) {
  using namespace exercises::testing;
  std::string scenario, dir;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg.starts_with(kScenarioFlag)) {
      scenario = arg.substr(kScenarioFlag.size());
    } else if (arg.starts_with(kDirFlag)) {
      dir = arg.substr(kDirFlag.size());
    }
  }
  if (!scenario.empty() && !dir.empty()) {
    return RunAsRank(argc, argv, scenario, dir);
  }
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
