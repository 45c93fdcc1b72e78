// bench/pool_benchmark.cc: the process pool against its floors.
//
// Every pool figure has a baseline in this binary, measured in the same run,
// so that it can be read as a ratio even on a busy machine:
//
//   pool figure                      baseline(s)
//   BM_Apply_RoundTrip               BM_RawPipe_RoundTrip (parent <-> forked
//                                    child over two pipes, no pool at all),
//                                    BM_ThreadPool_Apply_RoundTrip
//   BM_ApplyAsync_Throughput         BM_ThreadPool_ApplyAsync_Throughput
//   BM_ApplyAsync_Throughput_Traced  the same row with traced:0
//   BM_ApplyAsync_Timeout_Throughput BM_ApplyAsync_Throughput (the same
//                                    tasks without a timeout)
//   BM_Timeout_DeadlineToResult      none: it is a latency, from a task's
//                                    deadline to its TaskTimeoutError
//   BM_Map_Throughput, BM_Starmap_*  BM_Serial_Map, BM_ThreadPool_Map_*
//   BM_IMap_*, BM_IMapUnordered_*    BM_Serial_Map
//   BM_Apply_Payload                 BM_RawPipe_Echo (same bytes, same way),
//                                    BM_RawPipe_Bandwidth
//   BM_Pool_StartCloseJoin           BM_Fork_Waitpid (fork N children that
//                                    exit at once, reap them),
//                                    BM_ForkServer_Skeleton (the same N
//                                    children forked by a fork server, as
//                                    the pool's are, and nothing else),
//                                    BM_ThreadPool_StartCloseJoin
//   BM_CpuBoundMap                   BM_Serial_CpuBound (its "speedup"
//                                    counter is serial time / pool time)
//
// Each workload run on both pools is one template, registered once for
// pool::Pool and once for pool::ThreadPool; ->Name() gives the two rows the
// names above (bench/compare.py and bench/README.md read them).
//
// Everything is timed in wall-clock time (UseRealTime): the work happens in
// other processes, so the benchmark thread's CPU time means nothing. Each
// benchmark makes one untimed call first: the first calls on a new pool pay
// page faults for buffers that later calls reuse (on the VM of
// bench/README.md, ~300 ms for the first map of 2^20 ints, ~16 ms for the
// next ones), and the figures here are for a pool in use.
//
// Run optimised: ./bazelw run -c opt //bench:pool_benchmark
// bench/README.md explains every figure and how to compare with Python.

#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>
#include <numeric>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "benchmark/benchmark.h"
#include "pool/pool.h"

namespace {

// The pool size of the single-configuration benchmarks; Python's figures in
// bench/README.md use Pool(4) too.
constexpr int kProcesses = 4;

// --- Tasks (plain functions: they run in the workers) ------------------------

int Identity(int x) { return x; }
// Wraps around instead of overflowing for large inputs (unsigned arithmetic).
int Square(int x) {
  return static_cast<int>(static_cast<unsigned>(x) * static_cast<unsigned>(x));
}
int Add(int a, int b) { return a + b; }
std::string Echo(std::string s) { return s; }

// A fixed amount of pure CPU work per item (about 0.2 ms at -O2 on the
// machine of bench/README.md), whose result depends on every step so it
// cannot be optimised away.
constexpr int kCpuSteps = 200000;
std::uint64_t Spin(int seed) {
  std::uint64_t x =
      static_cast<std::uint64_t>(seed) * 0x9E3779B97F4A7C15ULL + 1;
  for (int i = 0; i < kCpuSteps; ++i) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
  }
  return x;
}

// --- Helpers -----------------------------------------------------------------

std::vector<int> Iota(std::size_t n) {
  std::vector<int> v(n);
  std::iota(v.begin(), v.end(), 0);
  return v;
}

// Wall-clock time of a benchmark's timed loop, for counters that benchmark
// cannot derive itself (microseconds per call, speed-up over serial). Start
// it right before `for (auto _ : state)`.
class LoopTimer {
 public:
  double Seconds() const {
    const std::chrono::duration<double> d =
        std::chrono::steady_clock::now() - start_;
    return d.count();
  }
  // Sets the "us_per_call" counter: microseconds per iteration.
  void SetMicrosPerCall(benchmark::State& state) const {
    state.counters["us_per_call"] =
        Seconds() * 1e6 / static_cast<double>(state.iterations());
  }

 private:
  std::chrono::steady_clock::time_point start_ =
      std::chrono::steady_clock::now();
};

// Map sizes: enough items that one call takes a few milliseconds at least.
std::size_t MapItems(std::int64_t chunksize) {
  if (chunksize <= 0) return std::size_t{1} << 20;  // Default chunksize.
  return static_cast<std::size_t>(
      std::min<std::int64_t>(std::int64_t{1} << 20, chunksize * 4096));
}

std::optional<int> ChunksizeArg(std::int64_t arg) {
  if (arg <= 0) return std::nullopt;  // 0 stands for Python's default.
  return static_cast<int>(arg);
}

// processes: 1, 2, 4 ... up to the core count and at least kProcesses, and
// the core count itself.
void ProcessCounts(benchmark::internal::Benchmark* b) {
  b->ArgName("processes")->UseRealTime();
  const int cpus = pool::CpuCount();
  for (int n = 1; n <= std::max(cpus, kProcesses); n *= 2) b->Arg(n);
  if ((cpus & (cpus - 1)) != 0) b->Arg(cpus);  // Not a power of two.
}

// processes: 1 and kProcesses.
void OneAndDefaultPool(benchmark::internal::Benchmark* b) {
  b->ArgName("processes")->Arg(1)->Arg(kProcesses)->UseRealTime();
}

// processes: kProcesses only.
void DefaultPool(benchmark::internal::Benchmark* b) {
  b->ArgName("processes")->Arg(kProcesses)->UseRealTime();
}

// processes: 1, 2, 4 and 8.
void StartSizes(benchmark::internal::Benchmark* b) {
  b->ArgName("processes")->Arg(1)->Arg(2)->Arg(4)->Arg(8)->UseRealTime();
}

// --- The physical floor: a parent and a forked child, two pipes --------------

// A child that answers requests over pipes: each request is a 16-byte header
// (request bytes, reply bytes) followed by the request bytes; the child reads
// the whole request, then writes the reply. This is what a pool worker does,
// minus the pool: no handler thread, no framing, no encoding.
class PipeChild {
 public:
  PipeChild() {
    int to[2], from[2];
    if (::pipe(to) != 0 || ::pipe(from) != 0) std::abort();
    pid_ = ::fork();
    if (pid_ < 0) std::abort();
    if (pid_ == 0) {
      ::close(to[1]);
      ::close(from[0]);
      Serve(to[0], from[1]);
    }
    ::close(to[0]);
    ::close(from[1]);
    to_ = to[1];
    from_ = from[0];
  }
  ~PipeChild() {
    ::close(to_);
    ::close(from_);
    int status;
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
  }
  PipeChild(const PipeChild&) = delete;
  PipeChild& operator=(const PipeChild&) = delete;

  // Sends `request` (which must start with 16 bytes of room for the header)
  // and reads `reply_size` bytes into `reply`.
  void Call(std::string& request, std::string& reply,
            std::uint64_t reply_size) {
    const std::uint64_t header[2] = {request.size() - sizeof header,
                                     reply_size};
    std::memcpy(request.data(), header, sizeof header);
    WriteAll(to_, request.data(), request.size());
    reply.resize(reply_size);
    ReadAll(from_, reply.data(), reply.size());
  }

 private:
  static void WriteAll(int fd, const char* p, std::size_t n) {
    while (n > 0) {
      const ssize_t w = ::write(fd, p, n);
      if (w < 0 && errno == EINTR) continue;
      if (w <= 0) std::abort();
      p += w;
      n -= static_cast<std::size_t>(w);
    }
  }
  // False at end of file before the first byte.
  static bool ReadAll(int fd, char* p, std::size_t n) {
    const std::size_t total = n;
    while (n > 0) {
      const ssize_t r = ::read(fd, p, n);
      if (r < 0 && errno == EINTR) continue;
      if (r == 0 && n == total) return false;
      if (r <= 0) std::abort();
      p += r;
      n -= static_cast<std::size_t>(r);
    }
    return true;
  }
  [[noreturn]] static void Serve(int in, int out) {
    std::string buf;
    for (;;) {
      std::uint64_t header[2];
      if (!ReadAll(in, reinterpret_cast<char*>(header), sizeof header)) break;
      buf.resize(std::max(header[0], header[1]));
      ReadAll(in, buf.data(), header[0]);
      WriteAll(out, buf.data(), header[1]);
    }
    ::_exit(0);
  }

  pid_t pid_ = -1;
  int to_ = -1;
  int from_ = -1;
};

// One small request and reply: the least any process pool's apply() must do.
void BM_RawPipe_RoundTrip(benchmark::State& state) {
  PipeChild child;
  std::string request(16 + 8, 'x'), reply;
  const LoopTimer timer;
  for (auto _ : state) child.Call(request, reply, 8);
  timer.SetMicrosPerCall(state);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_RawPipe_RoundTrip)->UseRealTime();

// `bytes` there and `bytes` back: the floor of BM_Apply_Payload.
void BM_RawPipe_Echo(benchmark::State& state) {
  const auto bytes = static_cast<std::uint64_t>(state.range(0));
  PipeChild child;
  std::string request(16 + bytes, 'x'), reply;
  const LoopTimer timer;
  for (auto _ : state) child.Call(request, reply, bytes);
  timer.SetMicrosPerCall(state);
  state.SetBytesProcessed(state.iterations() * 2 *
                          static_cast<std::int64_t>(bytes));
}
BENCHMARK(BM_RawPipe_Echo)
    ->ArgName("bytes")
    ->RangeMultiplier(8)
    ->Range(8, 16 << 20)
    ->UseRealTime();

// One way only (a one-byte acknowledgement back): what a pipe can carry.
void BM_RawPipe_Bandwidth(benchmark::State& state) {
  const auto bytes = static_cast<std::uint64_t>(state.range(0));
  PipeChild child;
  std::string request(16 + bytes, 'x'), reply;
  for (auto _ : state) child.Call(request, reply, 1);
  state.SetBytesProcessed(state.iterations() *
                          static_cast<std::int64_t>(bytes));
}
BENCHMARK(BM_RawPipe_Bandwidth)
    ->ArgName("bytes")
    ->Arg(1 << 20)
    ->Arg(16 << 20)
    ->UseRealTime();

// --- apply
// ---------------------------------------------------------------------

// One apply() at a time: submit, run in a worker, get the result back.
template <class P>
void BM_Apply_RoundTrip(benchmark::State& state) {
  P pool(static_cast<int>(state.range(0)));
  int i = 0;
  benchmark::DoNotOptimize(pool.apply(Identity, i++));  // Warm-up.
  const LoopTimer timer;
  for (auto _ : state) benchmark::DoNotOptimize(pool.apply(Identity, i++));
  timer.SetMicrosPerCall(state);
  state.SetItemsProcessed(state.iterations());
}

BENCHMARK_TEMPLATE(BM_Apply_RoundTrip, pool::Pool)
    ->Name("BM_Apply_RoundTrip")
    ->Apply(OneAndDefaultPool);
BENCHMARK_TEMPLATE(BM_Apply_RoundTrip, pool::ThreadPool)
    ->Name("BM_ThreadPool_Apply_RoundTrip")
    ->Apply(OneAndDefaultPool);

// apply() of a `bytes`-long string that comes back: encoding, framing and
// two pipe transfers.
void BM_Apply_Payload(benchmark::State& state) {
  const auto bytes = static_cast<std::size_t>(state.range(0));
  pool::Pool pool(1);
  const std::string payload(bytes, 'x');
  benchmark::DoNotOptimize(pool.apply(Echo, payload));  // Warm-up.
  const LoopTimer timer;
  for (auto _ : state) benchmark::DoNotOptimize(pool.apply(Echo, payload));
  timer.SetMicrosPerCall(state);
  state.SetBytesProcessed(state.iterations() * 2 *
                          static_cast<std::int64_t>(bytes));
}
BENCHMARK(BM_Apply_Payload)
    ->ArgName("bytes")
    ->RangeMultiplier(8)
    ->Range(8, 16 << 20)
    ->UseRealTime();

// Many tasks in flight: submit a batch of apply_async calls, then get() them.
constexpr int kAsyncBatch = 1000;

template <class P>
void ApplyAsyncBatches(P& pool, benchmark::State& state) {
  std::vector<pool::AsyncResult<int>> results;
  results.reserve(kAsyncBatch);
  benchmark::DoNotOptimize(pool.apply(Square, 1));  // Warm-up.
  for (auto _ : state) {
    results.clear();
    for (int i = 0; i < kAsyncBatch; ++i) {
      results.push_back(pool.apply_async(Square, std::tuple{i}));
    }
    for (const auto& r : results) benchmark::DoNotOptimize(r.get());
  }
  state.SetItemsProcessed(state.iterations() * kAsyncBatch);
}

template <class P>
void BM_ApplyAsync_Throughput(benchmark::State& state) {
  P pool(static_cast<int>(state.range(0)));
  ApplyAsyncBatches(pool, state);
}

// The cost of tracing (Options::trace): 100 batches, 100 000 tasks, with
// tracing off (traced:0) and on (traced:1), so the two rows and whole runs
// of each (user and system time) compare like for like. The file is that
// of a 100 000-task run; its size is the trace_MB counter (written after
// the timed loop, when the pool is destroyed).
void BM_ApplyAsync_Throughput_Traced(benchmark::State& state) {
  const bool traced = state.range(0) != 0;
  const std::string path =
      "/tmp/pool_benchmark_trace." + std::to_string(::getpid()) + ".json";
  {
    pool::Pool pool(
        {.processes = kProcesses, .trace = traced ? path : std::string()});
    ApplyAsyncBatches(pool, state);
  }
  struct stat st {};
  if (traced && ::stat(path.c_str(), &st) == 0) {
    state.counters["trace_MB"] = static_cast<double>(st.st_size) / 1e6;
  }
  ::unlink(path.c_str());
}

BENCHMARK_TEMPLATE(BM_ApplyAsync_Throughput, pool::Pool)
    ->Name("BM_ApplyAsync_Throughput")
    ->Apply(OneAndDefaultPool);

// The same with a `.timeout` on every task that is never hit: what watching
// the deadlines costs (the goal: within 10 % of BM_ApplyAsync_Throughput).
void BM_ApplyAsync_Timeout_Throughput(benchmark::State& state) {
  pool::Pool pool(static_cast<int>(state.range(0)));
  std::vector<pool::AsyncResult<int>> results;
  results.reserve(kAsyncBatch);
  benchmark::DoNotOptimize(pool.apply(Square, 1));  // Warm-up.
  for (auto _ : state) {
    results.clear();
    for (int i = 0; i < kAsyncBatch; ++i) {
      results.push_back(pool.apply_async(Square, std::tuple{i},
                                         {.timeout = std::chrono::hours(1)}));
    }
    for (const auto& r : results) benchmark::DoNotOptimize(r.get());
  }
  state.SetItemsProcessed(state.iterations() * kAsyncBatch);
}
BENCHMARK(BM_ApplyAsync_Timeout_Throughput)->Apply(OneAndDefaultPool);

// A task that never returns, with a 20 ms timeout: the time from its
// deadline (when it started in its worker, which it records in memory
// shared with the benchmark, plus 20 ms) to get() throwing
// TaskTimeoutError. The pool kills the worker, the fork server reports its
// death, the handler fails the task. Each iteration also costs a
// replacement worker, which the next task's clock does not see (it starts
// when the task starts). Manual time: the figure is that latency alone.
std::atomic<std::int64_t>* hang_started = nullptr;
int RecordStartAndHang(int) {
  hang_started->store(std::chrono::duration_cast<std::chrono::nanoseconds>(
                          std::chrono::steady_clock::now().time_since_epoch())
                          .count());
  for (;;) ::pause();
}
void BM_Timeout_DeadlineToResult(benchmark::State& state) {
  constexpr auto kTimeout = std::chrono::milliseconds(20);
  void* shared =
      ::mmap(nullptr, sizeof(std::atomic<std::int64_t>), PROT_READ | PROT_WRITE,
             MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  hang_started = new (shared) std::atomic<std::int64_t>(0);
  {
    pool::Pool pool(1);
    for (auto _ : state) {
      hang_started->store(0);
      auto r = pool.apply_async(RecordStartAndHang, std::tuple{0},
                                {.timeout = kTimeout});
      try {
        r.get();
      } catch (const pool::TaskTimeoutError&) {
      }
      const auto failed = std::chrono::steady_clock::now();
      const auto deadline =
          std::chrono::steady_clock::time_point(
              std::chrono::nanoseconds(hang_started->load())) +
          kTimeout;
      state.SetIterationTime(
          std::chrono::duration<double>(failed - deadline).count());
    }
  }
  ::munmap(shared, sizeof(std::atomic<std::int64_t>));
}
BENCHMARK(BM_Timeout_DeadlineToResult)->UseManualTime()->Iterations(50);
BENCHMARK_TEMPLATE(BM_ApplyAsync_Throughput, pool::ThreadPool)
    ->Name("BM_ThreadPool_ApplyAsync_Throughput")
    ->Apply(DefaultPool);
BENCHMARK(BM_ApplyAsync_Throughput_Traced)
    ->ArgName("traced")
    ->Arg(0)
    ->Arg(1)
    ->Iterations(100)
    ->UseRealTime();

// --- map, starmap, imap
// ----------------------------------------------------------

// map() of a trivial function over MapItems(chunksize) ints; chunksize 0 is
// Python's default, len / (4 * processes).
template <class P>
void BM_Map_Throughput(benchmark::State& state) {
  P pool(static_cast<int>(state.range(0)));
  const std::vector<int> items = Iota(MapItems(state.range(1)));
  const std::optional<int> chunksize = ChunksizeArg(state.range(1));
  benchmark::DoNotOptimize(
      pool.map(Square, items, {.chunksize = chunksize}));  // Warm-up.
  for (auto _ : state) {
    benchmark::DoNotOptimize(pool.map(Square, items, {.chunksize = chunksize}));
  }
  state.SetItemsProcessed(state.iterations() *
                          static_cast<std::int64_t>(items.size()));
}

void MapArgs(benchmark::internal::Benchmark* b) {
  b->ArgNames({"processes", "chunksize"});
  for (int chunksize : {1, 16, 0, 1024}) b->Args({kProcesses, chunksize});
  b->UseRealTime();
}

BENCHMARK_TEMPLATE(BM_Map_Throughput, pool::Pool)
    ->Name("BM_Map_Throughput")
    ->Apply(MapArgs);
BENCHMARK_TEMPLATE(BM_Map_Throughput, pool::ThreadPool)
    ->Name("BM_ThreadPool_Map_Throughput")
    ->Apply(MapArgs);

// The same function in a plain loop: the floor of every map figure.
void BM_Serial_Map(benchmark::State& state) {
  const std::vector<int> items = Iota(std::size_t{1} << 20);
  std::vector<int> out(items.size());
  for (auto _ : state) {
    std::transform(items.begin(), items.end(), out.begin(), Square);
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations() *
                          static_cast<std::int64_t>(items.size()));
}
BENCHMARK(BM_Serial_Map)->UseRealTime();

// starmap() of a two-argument function over pairs.
void BM_Starmap_Throughput(benchmark::State& state) {
  pool::Pool pool(static_cast<int>(state.range(0)));
  const std::size_t n = MapItems(state.range(1));
  std::vector<std::tuple<int, int>> items;
  items.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    items.emplace_back(static_cast<int>(i), 1);
  }
  const std::optional<int> chunksize = ChunksizeArg(state.range(1));
  benchmark::DoNotOptimize(
      pool.starmap(Add, items, {.chunksize = chunksize}));  // Warm-up.
  for (auto _ : state) {
    benchmark::DoNotOptimize(
        pool.starmap(Add, items, {.chunksize = chunksize}));
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(n));
}
BENCHMARK(BM_Starmap_Throughput)
    ->ArgNames({"processes", "chunksize"})
    ->Args({kProcesses, 1})
    ->Args({kProcesses, 0})
    ->UseRealTime();

// imap() / imap_unordered(), consuming every result as it comes.
template <bool kOrdered>
void IMapThroughput(benchmark::State& state) {
  pool::Pool pool(static_cast<int>(state.range(0)));
  const int chunksize = static_cast<int>(state.range(1));
  const std::vector<int> items = Iota(MapItems(chunksize));
  benchmark::DoNotOptimize(pool.map(Square, items));  // Warm-up.
  for (auto _ : state) {
    long long sum = 0;
    if constexpr (kOrdered) {
      for (int r : pool.imap(Square, items, {.chunksize = chunksize})) sum += r;
    } else {
      for (int r : pool.imap_unordered(Square, items, {.chunksize = chunksize}))
        sum += r;
    }
    benchmark::DoNotOptimize(sum);
  }
  state.SetItemsProcessed(state.iterations() *
                          static_cast<std::int64_t>(items.size()));
}

void BM_IMap_Throughput(benchmark::State& state) {
  IMapThroughput<true>(state);
}
BENCHMARK(BM_IMap_Throughput)
    ->ArgNames({"processes", "chunksize"})
    ->Args({kProcesses, 1})
    ->Args({kProcesses, 64})
    ->UseRealTime();

void BM_IMapUnordered_Throughput(benchmark::State& state) {
  IMapThroughput<false>(state);
}
BENCHMARK(BM_IMapUnordered_Throughput)
    ->ArgNames({"processes", "chunksize"})
    ->Args({kProcesses, 1})
    ->Args({kProcesses, 64})
    ->UseRealTime();

// --- start and stop
// --------------------------------------------------------------

// Pool(n), close(), join(): fork the server and n workers, wait until they
// are up, then shut them all down.
template <class P>
void BM_StartCloseJoin(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  const LoopTimer timer;
  for (auto _ : state) {
    P pool(n);
    pool.close();
    pool.join();
  }
  timer.SetMicrosPerCall(state);
}

// fork() `processes` children that exit at once, and reap them: the floor of
// starting and joining a pool of that size.
void BM_Fork_Waitpid(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  std::vector<pid_t> pids(static_cast<std::size_t>(n));
  // The pool gives freed heap back to the kernel before it forks (the fork
  // server's fork is paid again by every worker); the floor forks from the
  // same trimmed heap, so that neither side is charged for the other's.
  ::malloc_trim(0);
  const LoopTimer timer;
  for (auto _ : state) {
    for (auto& pid : pids) {
      pid = ::fork();
      if (pid < 0) std::abort();
      if (pid == 0) ::_exit(0);
    }
    for (pid_t pid : pids) {
      int status;
      while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
      }
    }
  }
  timer.SetMicrosPerCall(state);
}
// The process work of a pool whose workers a fork server forks, and no
// more: fork the server; it forks `processes` children, each blocked in
// read() on a pipe of its own, and says so; on the parent's word it closes
// the pipes (the children read end of file and exit), reaps them and exits;
// the parent reaps it. Against BM_Fork_Waitpid this costs one fork and exit
// more, and none of the children can exit before all of them are up and the
// parent has heard so: the part of the pool's start and stop that comes
// from having a fork server at all (pool/README.md, "Three choices that
// cost speed, on purpose").
void BM_ForkServer_Skeleton(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  auto check = [](bool ok) {
    if (!ok) std::abort();
  };
  ::malloc_trim(0);  // As BM_Fork_Waitpid, and for the same reason.
  const LoopTimer timer;
  for (auto _ : state) {
    int sv[2];
    check(::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) == 0);
    const pid_t server = ::fork();
    check(server >= 0);
    if (server == 0) {
      ::close(sv[0]);
      std::vector<int> pipes;
      for (int i = 0; i < n; ++i) {
        int p[2];
        if (::pipe2(p, O_CLOEXEC) != 0) ::_exit(1);
        const pid_t child = ::fork();
        if (child < 0) ::_exit(1);
        if (child == 0) {
          char c;
          ::close(p[1]);
          while (::read(p[0], &c, 1) < 0 && errno == EINTR) {
          }
          ::_exit(0);
        }
        ::close(p[0]);
        pipes.push_back(p[1]);
      }
      char c = 0;
      if (::write(sv[1], &c, 1) != 1 || ::read(sv[1], &c, 1) != 1) ::_exit(1);
      for (int fd : pipes) ::close(fd);
      while (::wait(nullptr) > 0 || errno == EINTR) {
      }
      ::_exit(0);
    }
    ::close(sv[1]);
    char c = 0;
    check(::read(sv[0], &c, 1) == 1);   // All children are up.
    check(::write(sv[0], &c, 1) == 1);  // close(), join().
    int status;
    while (::waitpid(server, &status, 0) < 0 && errno == EINTR) {
    }
    check(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    ::close(sv[0]);
  }
  timer.SetMicrosPerCall(state);
}

// The floors run immediately before the pool rows (Google Benchmark runs
// benchmarks in registration order) and trim the heap as the pool does:
// fork() copies the parent's page tables, so its cost grows with the heap
// the map rows above leave behind, and the floor and the pool start must be
// measured in the same process state.
BENCHMARK(BM_Fork_Waitpid)->Apply(StartSizes);
BENCHMARK(BM_ForkServer_Skeleton)->Apply(StartSizes);
BENCHMARK_TEMPLATE(BM_StartCloseJoin, pool::Pool)
    ->Name("BM_Pool_StartCloseJoin")
    ->Apply(StartSizes);
BENCHMARK_TEMPLATE(BM_StartCloseJoin, pool::ThreadPool)
    ->Name("BM_ThreadPool_StartCloseJoin")
    ->Apply(DefaultPool);

// --- CPU-bound work
// ----------------------------------------------------------------

constexpr std::size_t kCpuItems = 256;

// Seconds per serial pass over the CPU-bound items, measured once (best of
// three) for the "speedup" counters.
double SerialCpuSeconds() {
  static const double seconds = [] {
    double best = 1e30;
    for (int rep = 0; rep < 3; ++rep) {
      const auto t0 = std::chrono::steady_clock::now();
      for (std::size_t i = 0; i < kCpuItems; ++i) {
        benchmark::DoNotOptimize(Spin(static_cast<int>(i)));
      }
      const std::chrono::duration<double> dt =
          std::chrono::steady_clock::now() - t0;
      best = std::min(best, dt.count());
    }
    return best;
  }();
  return seconds;
}

void BM_Serial_CpuBound(benchmark::State& state) {
  for (auto _ : state) {
    for (std::size_t i = 0; i < kCpuItems; ++i) {
      benchmark::DoNotOptimize(Spin(static_cast<int>(i)));
    }
  }
  state.SetItemsProcessed(state.iterations() *
                          static_cast<std::int64_t>(kCpuItems));
}
BENCHMARK(BM_Serial_CpuBound)->UseRealTime();

// map() of Spin over kCpuItems with the default chunksize. "speedup" is the
// serial time divided by this one: ideally the number of processes, up to
// the number of cores.
template <class P>
void BM_CpuBoundMap(benchmark::State& state) {
  const double serial = SerialCpuSeconds();
  P pool(static_cast<int>(state.range(0)));
  const std::vector<int> items = Iota(kCpuItems);
  benchmark::DoNotOptimize(pool.map(Spin, items));  // Warm-up.
  const LoopTimer timer;
  for (auto _ : state) benchmark::DoNotOptimize(pool.map(Spin, items));
  state.counters["speedup"] =
      serial * static_cast<double>(state.iterations()) / timer.Seconds();
  state.SetItemsProcessed(state.iterations() *
                          static_cast<std::int64_t>(kCpuItems));
}

BENCHMARK_TEMPLATE(BM_CpuBoundMap, pool::Pool)
    ->Name("BM_CpuBoundMap")
    ->Apply(ProcessCounts);
BENCHMARK_TEMPLATE(BM_CpuBoundMap, pool::ThreadPool)
    ->Name("BM_ThreadPool_CpuBoundMap")
    ->Apply(ProcessCounts);

}  // namespace
