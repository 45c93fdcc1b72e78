// mpi/mpirun.h: the command line that starts an Open MPI job on this
// machine, and mpi::Process, which runs it.
//
// Lesson 13's launcher, the MPI exercise's tests and the MPI benchmark all
// start `mpirun -np N program args...`. The flags that make that work on a
// single machine, as root or not, with more ranks than cores, inside Bazel's
// test sandbox or outside it, are chosen here and nowhere else:
//
//   -np N                  N ranks (processes), as Pool(N) has N workers.
//   --oversubscribe        allow more ranks than cores. Without it Open MPI
//                          refuses to start 4 ranks on a 2-core machine
//                          ("not enough slots available").
//   --allow-run-as-root    only when the effective uid is 0: Open MPI refuses
//                          to run as root unless told twice (this flag, or
//                          OMPI_ALLOW_RUN_AS_ROOT=1 together with
//                          OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1).
//   --bind-to none         do not pin each rank to a core: with more ranks
//                          than cores, pinned ranks would share cores badly.
//   --mca btl self,vader   ranks talk to themselves (self) and to each other
//                          through shared memory (vader) only: every rank is
//                          on this machine, so no network transport is
//                          opened. Several machines need tcp as well (see
//                          lessons/13_mpi_map/README.md).
//   --mca orte_tmpdir_base DIR --mca btl_vader_backing_directory DIR
//                          only under `bazel test` ($TEST_TMPDIR set): Open
//                          MPI's session directory (normally in /tmp) and
//                          its shared-memory files (normally in /dev/shm) go
//                          into the test's own temporary directory. Those
//                          files are named after the job id, which Open MPI
//                          derives from mpirun's pid. Bazel's sandbox may
//                          give each test a pid namespace of its own (it
//                          does with --sandbox_default_allow_network=false),
//                          so every test's mpirun can have the same small
//                          pid: two tests at once then collide in
//                          /dev/shm, and a killed job's files break the
//                          next one. In the test's
//                          directory they are private, and removed with it.
//
// The mpirun binary is the one that matches the MPI library the programs
// link (@openmpi, third_party/system_repos.bzl).

#ifndef MPI_MPIRUN_H_
#define MPI_MPIRUN_H_

#include <sys/types.h>

#include <string>
#include <string_view>
#include <vector>

namespace mpi {

// The argv that runs `program_and_args` on `np` ranks of this machine:
// {mpirun, -np, N, <flags above>, <extra_flags>, program, args...}.
std::vector<std::string> MpirunCommand(
    int np, const std::vector<std::string>& program_and_args,
    const std::vector<std::string>& extra_flags = {});

// A program started with fork + execv (here: mpirun), owned by this object.
// Wait() reaps it; if it still runs when the object is destroyed, the
// destructor sends it SIGTERM (mpirun passes that on to every rank and
// exits) and reaps it, so it never outlives its owner as a zombie.
// Not thread-safe.
class Process {
 public:
  // Starts argv[0] with arguments argv. Throws std::system_error if fork
  // fails; if exec fails, the child says why on stderr and exits with 127.
  explicit Process(const std::vector<std::string>& argv);
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;
  ~Process();

  // Waits for the process to end and returns its exit status, or 128 + the
  // number of the signal that ended it. Later calls return the same.
  int Wait();
  // Whether the process has ended (reaping it if so), without waiting.
  bool Done();
  // Its process id.
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
  int status_ = -1;  // Set once reaped.
};

// argv as one line a shell would read back the same, for printing:
// arguments with spaces or quotes are single-quoted.
std::string ShellLine(const std::vector<std::string>& argv);

// The absolute path of the file `name` in the directory of the running
// binary. Bazel puts a binary's data dependencies of the same package there
// (bazel-bin/lessons/13_mpi_map/ holds both the launcher and the MPI
// program), whether it runs under `bazel run`, `bazel test` or by hand.
std::string NextToThisBinary(std::string_view name);

}  // namespace mpi

#endif  // MPI_MPIRUN_H_
