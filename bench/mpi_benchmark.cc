// bench/mpi_benchmark.cc: pool::Pool against the same map on Open MPI.
//
// Lesson 13 runs the article's map on 4 MPI ranks instead of 4 forked
// workers. This binary measures what each costs on one machine, every figure
// in the same run:
//
//   benchmark                  what one iteration is
//   BM_Pool_StartUp            Pool(4), one map over 4 items, ~Pool()
//   BM_Mpi_StartUp             mpirun -np 4 of a program that calls
//                              MPI_Init, MPI_Barrier and MPI_Finalize
//   BM_Pool_PerItem/chunksize  pool.imap_unordered(Square, 10 000 items,
//                              chunksize): the work is nil, so the time is
//                              the cost of moving items and results
//   BM_Mpi_PerItem/chunksize   the same items through lesson 13's
//                              master/worker loop, `chunksize` items per
//                              message, on ranks 1..3 of a running job
//   BM_Serial_CpuBound         48 uneven CPU-bound items (Spin), one loop
//   BM_Pool_CpuBound           the same, pool.imap_unordered, chunksize 1
//   BM_Mpi_CpuBound            the same, master/worker, 1 item per message
//
// Every row is wall-clock time (UseRealTime): the work happens in other
// processes. Each MPI row starts its own job (mpirun -np 4 <this binary>
// --mpi_server=SOCKET) before its timed loop and ends it after, so no rank is
// alive while another row runs: a rank waiting for a message polls, and on
// a 2-core machine would steal CPU from the Pool rows. Rank 0 takes one
// command per iteration over a Unix socket ("map KIND N CHUNK") and answers
// with the sum of the results, which is checked against a local loop.
//
// Run optimised, with the rows interleaved (one command line):
//   ./bazelw run -c opt //bench:mpi_benchmark --
//     --benchmark_repetitions=5 --benchmark_enable_random_interleaving=true
// lessons/13_mpi_map/README.md quotes a run.

#include <errno.h>
#include <fcntl.h>
#include <mpi.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "benchmark/benchmark.h"
#include "mpi/mpirun.h"
#include "pool/pool.h"

namespace {

constexpr int kProcesses = 4;  // Pool(4) and mpirun -np 4, as in lesson 13.
constexpr long long kTinyItems = 10000;
constexpr long long kCpuItems = 48;

// --- Tasks: the same functions on both sides --------------------------------

long long Square(long long x) { return x * x; }

// CPU-bound and uneven: item i costs (i % 8 + 1) units, 1 to 8.
long long Spin(long long i) {
  std::uint64_t x = static_cast<std::uint64_t>(i) + 1;
  const long long rounds = (i % 8 + 1) * 250000;
  for (long long r = 0; r < rounds; ++r) x = x * 6364136223846793005ULL + 1;
  return static_cast<long long>(x >> 33);
}

enum Kind : long long { kSquare = 0, kSpin = 1 };

long long Apply(long long kind, long long x) {
  return kind == kSpin ? Spin(x) : Square(x);
}

long long LocalSum(long long kind, long long n) {
  long long sum = 0;
  for (long long i = 0; i < n; ++i) sum += Apply(kind, i);
  return sum;
}

[[noreturn]] void Die(const std::string& what) {
  throw std::system_error(errno, std::generic_category(), what);
}

// --- The MPI side: what the ranks run
// -----------------------------------------

constexpr int kTagWork = 1;    // {kind, first index, items...}
constexpr int kTagResult = 2;  // {first index, results...}
constexpr int kTagQuit = 3;    // the job is over

// Rank 0's map: items 0..n-1, `chunk` per message, to whichever worker
// answers first (lesson 13's dynamic version, with chunks). Returns the sum.
long long MasterMap(int size, long long kind, long long n, long long chunk) {
  long long next = 0, sum = 0;
  int busy = 0;
  std::vector<long long> message;
  auto feed = [&](int worker) {
    if (next >= n) return;
    const long long count = std::min(chunk, n - next);
    message.assign({kind, next});
    for (long long i = next; i < next + count; ++i) message.push_back(i);
    MPI_Send(message.data(), static_cast<int>(message.size()), MPI_LONG_LONG,
             worker, kTagWork, MPI_COMM_WORLD);
    next += count;
    ++busy;
  };
  for (int worker = 1; worker < size; ++worker) feed(worker);
  std::vector<long long> answer(chunk + 1);
  while (busy > 0) {
    MPI_Status status;
    MPI_Recv(answer.data(), static_cast<int>(answer.size()), MPI_LONG_LONG,
             MPI_ANY_SOURCE, kTagResult, MPI_COMM_WORLD, &status);
    int count = 0;
    MPI_Get_count(&status, MPI_LONG_LONG, &count);
    for (int i = 1; i < count; ++i) sum += answer[i];
    --busy;
    feed(status.MPI_SOURCE);
  }
  return sum;
}

void WorkerLoop() {
  std::vector<long long> work, answer;
  for (;;) {
    MPI_Status status;
    MPI_Probe(0, MPI_ANY_TAG, MPI_COMM_WORLD, &status);
    int count = 0;
    MPI_Get_count(&status, MPI_LONG_LONG, &count);
    work.resize(std::max(count, 1));
    MPI_Recv(work.data(), count, MPI_LONG_LONG, 0, status.MPI_TAG,
             MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    if (status.MPI_TAG == kTagQuit) return;
    answer.assign({work[1]});
    for (int i = 2; i < count; ++i) answer.push_back(Apply(work[0], work[i]));
    MPI_Send(answer.data(), static_cast<int>(answer.size()), MPI_LONG_LONG, 0,
             kTagResult, MPI_COMM_WORLD);
  }
}

// Rank 0 reads one command line at a time from the benchmark's socket.
std::string ReadLine(int fd) {
  std::string line;
  char c;
  for (;;) {
    const ssize_t n = ::read(fd, &c, 1);
    if (n == 1 && c != '\n') line += c;
    if (n == 1 && c == '\n') return line;
    if (n == 0) return "quit";  // The benchmark went away.
    if (n < 0 && errno != EINTR) return "quit";
  }
}

int RunServer(int argc, char** argv, const std::string& socket_path) {
  MPI_Init(&argc, &argv);
  int rank = 0, size = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  if (rank != 0) {
    WorkerLoop();
    MPI_Finalize();
    return 0;
  }
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, socket_path.c_str(), sizeof addr.sun_path - 1);
  if (fd < 0 ||
      ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    std::perror("mpi_benchmark: rank 0: connect");
    MPI_Abort(MPI_COMM_WORLD, 1);
  }
  for (std::string line = ReadLine(fd); line != "quit"; line = ReadLine(fd)) {
    std::istringstream in(line);
    std::string verb;
    long long kind = 0, n = 0, chunk = 1;
    in >> verb >> kind >> n >> chunk;
    const std::string reply =
        std::to_string(MasterMap(size, kind, n, std::max(chunk, 1LL))) + "\n";
    if (::write(fd, reply.data(), reply.size()) !=
        static_cast<ssize_t>(reply.size())) {
      break;
    }
  }
  ::close(fd);
  for (int worker = 1; worker < size; ++worker) {
    MPI_Send(nullptr, 0, MPI_LONG_LONG, worker, kTagQuit, MPI_COMM_WORLD);
  }
  MPI_Finalize();
  return 0;
}

int RunStartUp(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  MPI_Barrier(MPI_COMM_WORLD);
  MPI_Finalize();
  return 0;
}

// --- The benchmark side: starting and talking to a job
// ------------------------

// A file descriptor, closed when this goes out of scope.
class OwnedFd {
 public:
  explicit OwnedFd(int fd = -1) : fd_(fd) {}
  OwnedFd(const OwnedFd&) = delete;
  OwnedFd& operator=(const OwnedFd&) = delete;
  ~OwnedFd() { Reset(); }
  int get() const { return fd_; }
  void Reset(int fd = -1) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
  }

 private:
  int fd_;
};

// A fresh directory under the system's temporary directory, removed with
// everything in it when this goes out of scope.
class TempDir {
 public:
  TempDir() {
    path_ = (std::filesystem::temp_directory_path() / "mpibench.XXXXXX");
    if (::mkdtemp(path_.data()) == nullptr) Die("mkdtemp");
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// One running MPI job serving maps: rank 0 connects to a Unix socket in a
// temporary directory and takes one command per line. Every resource has
// an owner (the members), so a constructor that throws leaves nothing
// behind; the destructor asks the job to end and waits for mpirun.
class MpiJob {
 public:
  MpiJob() {
    const std::string path = dir_.path() + "/s";
    listener_.Reset(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
    if (listener_.get() < 0 ||
        ::bind(listener_.get(), reinterpret_cast<sockaddr*>(&addr),
               sizeof addr) != 0 ||
        ::listen(listener_.get(), 1) != 0) {
      Die("listen on " + path);
    }
    const std::string self =
        std::filesystem::read_symlink("/proc/self/exe").string();
    mpirun_ = std::make_unique<mpi::Process>(
        mpi::MpirunCommand(kProcesses, {self, "--mpi_server=" + path}));
    // Wait for rank 0 to connect, or for mpirun to give up.
    for (int waited_ms = 0; conn_.get() < 0; waited_ms += 100) {
      pollfd p{listener_.get(), POLLIN, 0};
      if (::poll(&p, 1, 100) == 1) {
        conn_.Reset(::accept4(listener_.get(), nullptr, nullptr, SOCK_CLOEXEC));
        continue;
      }
      if (mpirun_->Done()) {
        throw std::runtime_error("mpirun exited before rank 0 connected");
      }
      if (waited_ms > 120000) {
        throw std::runtime_error("rank 0 did not connect within 120 s");
      }
    }
  }
  MpiJob(const MpiJob&) = delete;
  MpiJob& operator=(const MpiJob&) = delete;

  ~MpiJob() {
    // "quit", or just the end of the connection, ends rank 0's loop; it
    // stops the workers and every rank finalizes.
    (void)!::write(conn_.get(), "quit\n", 5);
    conn_.Reset();
    mpirun_->Wait();
  }

  // Runs one map on the job; returns the sum of the results.
  long long Map(long long kind, long long n, long long chunk) {
    const std::string command = "map " + std::to_string(kind) + " " +
                                std::to_string(n) + " " +
                                std::to_string(chunk) + "\n";
    if (::write(conn_.get(), command.data(), command.size()) !=
        static_cast<ssize_t>(command.size())) {
      Die("write to rank 0");
    }
    const std::string reply = ReadLine(conn_.get());
    if (reply == "quit") throw std::runtime_error("rank 0 went away");
    return std::stoll(reply);
  }

 private:
  // Destroyed in reverse order: the connection, mpirun (killed if it still
  // runs), the listening socket, the directory.
  TempDir dir_;
  OwnedFd listener_;
  std::unique_ptr<mpi::Process> mpirun_;
  OwnedFd conn_;
};

// --- Benchmarks
// -----------------------------------------------------------------

void BM_Pool_StartUp(benchmark::State& state) {
  for (auto _ : state) {
    pool::Pool pool(kProcesses);
    benchmark::DoNotOptimize(
        pool.map(Square, {0LL, 1LL, 2LL, 3LL}, {.chunksize = 1}));
  }
}
BENCHMARK(BM_Pool_StartUp)->Iterations(5)->UseRealTime();

void BM_Mpi_StartUp(benchmark::State& state) {
  const std::string self =
      std::filesystem::read_symlink("/proc/self/exe").string();
  const std::vector<std::string> command =
      mpi::MpirunCommand(kProcesses, {self, "--mpi_startup"});
  for (auto _ : state) {
    if (mpi::Process(command).Wait() != 0) {
      state.SkipWithError("mpirun failed");
      break;
    }
  }
}
BENCHMARK(BM_Mpi_StartUp)->Iterations(5)->UseRealTime();

std::vector<long long> Iota(long long n) {
  std::vector<long long> items(n);
  for (long long i = 0; i < n; ++i) items[i] = i;
  return items;
}

// imap_unordered over items 0..n-1; returns the sum of the results.
long long PoolSum(pool::Pool& pool, long long (*fn)(long long),
                  const std::vector<long long>& items, int chunksize) {
  long long sum = 0;
  for (long long r : pool.imap_unordered(fn, items, {.chunksize = chunksize}))
    sum += r;
  return sum;
}

void BM_Pool_PerItem(benchmark::State& state) {
  const int chunksize = static_cast<int>(state.range(0));
  const std::vector<long long> items = Iota(kTinyItems);
  const long long expected = LocalSum(kSquare, kTinyItems);
  pool::Pool pool(kProcesses);
  PoolSum(pool, Square, items, chunksize);  // Untimed: a pool in use.
  for (auto _ : state) {
    if (PoolSum(pool, Square, items, chunksize) != expected) {
      state.SkipWithError("wrong sum");
      break;
    }
  }
  state.SetItemsProcessed(state.iterations() * kTinyItems);
}
BENCHMARK(BM_Pool_PerItem)
    ->ArgName("chunksize")
    ->Arg(1)
    ->Arg(100)
    ->Iterations(5)
    ->UseRealTime();

void BM_Mpi_PerItem(benchmark::State& state) {
  const long long chunk = state.range(0);
  const long long expected = LocalSum(kSquare, kTinyItems);
  MpiJob job;
  job.Map(kSquare, kTinyItems, chunk);  // Untimed: a job in use.
  for (auto _ : state) {
    if (job.Map(kSquare, kTinyItems, chunk) != expected) {
      state.SkipWithError("wrong sum");
      break;
    }
  }
  state.SetItemsProcessed(state.iterations() * kTinyItems);
}
BENCHMARK(BM_Mpi_PerItem)
    ->ArgName("chunksize")
    ->Arg(1)
    ->Arg(100)
    ->Iterations(5)
    ->UseRealTime();

void BM_Serial_CpuBound(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(LocalSum(kSpin, kCpuItems));
  state.SetItemsProcessed(state.iterations() * kCpuItems);
}
BENCHMARK(BM_Serial_CpuBound)->Iterations(3)->UseRealTime();

void BM_Pool_CpuBound(benchmark::State& state) {
  const std::vector<long long> items = Iota(kCpuItems);
  const long long expected = LocalSum(kSpin, kCpuItems);
  pool::Pool pool(kProcesses);
  PoolSum(pool, Square, items, 1);  // Untimed: the workers are up.
  for (auto _ : state) {
    if (PoolSum(pool, Spin, items, 1) != expected) {
      state.SkipWithError("wrong sum");
      break;
    }
  }
  state.SetItemsProcessed(state.iterations() * kCpuItems);
}
BENCHMARK(BM_Pool_CpuBound)->Iterations(3)->UseRealTime();

void BM_Mpi_CpuBound(benchmark::State& state) {
  const long long expected = LocalSum(kSpin, kCpuItems);
  MpiJob job;
  job.Map(kSquare, kCpuItems, 1);  // Untimed: the ranks are up.
  for (auto _ : state) {
    if (job.Map(kSpin, kCpuItems, 1) != expected) {
      state.SkipWithError("wrong sum");
      break;
    }
  }
  state.SetItemsProcessed(state.iterations() * kCpuItems);
}
BENCHMARK(BM_Mpi_CpuBound)->Iterations(3)->UseRealTime();

}  // namespace

// One binary, three parts: the benchmarks, or (started by mpirun) a rank of
// a serving job or of the start-up job.
int main(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg.starts_with("--mpi_server=")) {
      return RunServer(argc, argv, std::string(arg.substr(13)));
    }
    if (arg == "--mpi_startup") return RunStartUp(argc, argv);
  }
  // A rank that dies mid-write must not kill the benchmark with SIGPIPE.
  ::signal(SIGPIPE, SIG_IGN);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
