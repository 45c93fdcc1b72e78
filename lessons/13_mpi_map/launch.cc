// The lesson's launcher: ./bazelw run //lessons/13_mpi_map [-- ARGS]
//
// An MPI program is not started like other programs: mpirun starts N copies
// of it (ranks) and connects them. This launcher prints the mpirun command
// line it runs, then runs it, for the static version and then the dynamic
// one:
//
//   13_mpi_map                     both versions, 4 ranks each
//   13_mpi_map static|dynamic      one of them
//   13_mpi_map --np=N ...          N ranks instead of 4
//   13_mpi_map dynamic -- FLAGS    extra mpirun flags, e.g.
//                                  -- --output-filename out (one file per rank)
//
// It exits with the first non-zero exit status of an mpirun run.

#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "lessons/common/print.h"
#include "mpi/mpirun.h"

namespace {

int Usage(const char* self) {
  std::fprintf(stderr,
               "usage: %s [static|dynamic] [--np=N] [-- MPIRUN_FLAGS...]\n",
               self);
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> modes;
  std::vector<std::string> extra_flags;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--") {
      extra_flags.assign(argv + i + 1, argv + argc);
      break;
    }
    if (arg == "static" || arg == "dynamic") {
      modes.emplace_back(arg);
    } else if (!arg.starts_with("--np=")) {
      return Usage(argv[0]);
    }
  }
  if (modes.empty()) modes = {"static", "dynamic"};
  const long np = lessons::IntFlag(argc, argv, "np", 4);
  if (np < 1) return Usage(argv[0]);

  const std::string program = mpi::NextToThisBinary("mpi_map");
  for (const std::string& mode : modes) {
    const std::vector<std::string> command =
        mpi::MpirunCommand(static_cast<int>(np), {program, mode}, extra_flags);
    lessons::PrintLine("$ ", mpi::ShellLine(command));
    if (const int status = mpi::Process(command).Wait(); status != 0) {
      return status;
    }
  }
  return 0;
}
