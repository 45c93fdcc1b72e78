// pool/internal/trace.h: the recorder behind Options::trace and POOL_TRACE.
//
// A Trace collects, in the parent, what the pools of this process did: each
// task's submission, dispatch, run (its start and end stamped by the worker
// that ran it and carried back in the reply), delivery and outcome; each
// worker's start, death and replacement; close(), terminate() and join().
// Write() turns it into a file in Chrome's Trace Event Format
// ({"traceEvents": [...]}), which ui.perfetto.dev and chrome://tracing
// open, and which tools/trace_view.py draws as an SVG or text timeline.
// The format of the file and its tracks are described in pool/README.md
// ("Tracing").
//
// Cost. An engine holds a `std::shared_ptr<Trace>` that is null when
// tracing is off; every call site is `if (trace_) ...`, one well-predicted
// branch. When on, each event takes one of two mutexes once and stores a few
// words: no allocation per event beyond the containers' growth, and nothing
// is formatted until Write(). Submissions, made by the callers' threads,
// have a mutex of their own, and the engines record them after letting go
// of their own lock; every other event of a task (made by a pool's handler
// or worker threads) goes to the other. So a caller and the handler never
// wait for each other on the trace, and Json() joins the two by task id.
//
// Timestamps are CLOCK_MONOTONIC nanoseconds (MonotonicNs), the same clock
// in every process of the machine, so a worker's stamps and the parent's
// can be drawn on one axis.
//
// Thread safety: every method may be called from any thread.
// Fork safety: a forked child that creates a pool with the same path writes
// PATH.PID instead (ForPool), never the parent's file.

#ifndef POOL_INTERNAL_TRACE_H_
#define POOL_INTERNAL_TRACE_H_

#include <sys/types.h>

#include <cstdint>
#include <deque>
#include <exception>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <vector>

namespace pool::internal {

// CLOCK_MONOTONIC, in nanoseconds.
std::int64_t MonotonicNs() noexcept;
// The calling thread's kernel thread id (gettid()).
pid_t CurrentTid() noexcept;

// What a task slice is labelled with: the method that made it, its items
// and, for a task of one plain number, that number. Asked of a job only
// when tracing is on.
struct TaskLabel {
  const char* method = "task";  // "apply", "map", "imap".
  std::uint64_t first = 0;      // Index of its first item.
  std::uint64_t count = 0;      // Items in the chunk.
  bool has_number = false;      // count == 1 and the item is a number.
  double number = 0;
};

class Trace {
 public:
  // The trace a new pool records into: the one for `option` if it is not
  // empty, else for $POOL_TRACE if that is set and not empty, else null
  // (tracing off). Pools of one process that name the same path while one
  // of them lives share one Trace, so the file shows them side by side; a
  // pool that names it later, when they are all gone, starts a new Trace
  // written to PATH with ".2" (".3", ...) before its extension, so that
  // nothing recorded is overwritten and a program that makes many pools
  // holds only the traces of those alive. In a process forked from the one
  // that first used a path, the path becomes PATH.PID.
  static std::shared_ptr<Trace> ForPool(const std::string& option);

  explicit Trace(std::string path);
  Trace(const Trace&) = delete;
  Trace& operator=(const Trace&) = delete;

  const std::string& path() const { return path_; }

  // Registers a pool ("Pool" or "ThreadPool"); returns its number, 1, 2, ...
  int AddPool(const char* kind);

  // --- Tasks. `pool` is AddPool's number, `id` the engine's task id
  // (1, 2, 3, ... per pool; each id is submitted once).
  // Tasks queued by the calling thread in one submission (a call of Submit
  // or Apply), which ran from `begin_ns` to now. Never throws (the tasks
  // are queued already): without memory, the trace misses them.
  struct NewTask {
    std::uint64_t id = 0;
    TaskLabel label;
  };
  void Submitted(int pool, std::span<const NewTask> tasks,
                 std::int64_t begin_ns) noexcept;
  // It was handed to the worker `pid` (written to its pipe, or queued to
  // be). Never throws, as Submitted.
  void Dispatched(int pool, std::uint64_t id, pid_t pid) noexcept;
  // Its worker ran it from `start_ns` to `end_ns` (the worker's stamps);
  // the calling thread then decoded the reply and ran the callback from
  // `deliver_ns` to now. `item_errors`: how many of its items raised.
  void Ran(int pool, std::uint64_t id, pid_t pid, std::int64_t start_ns,
           std::int64_t end_ns, std::int64_t deliver_ns,
           std::uint64_t item_errors);
  // It failed as a whole (its worker died, terminate(), ...): `error`.
  void Failed(int pool, std::uint64_t id, const std::exception_ptr& error);
  // cancel() cancelled it before it started, and the pool dropped it, now
  // (as soon as the pool's handler saw the cancel(), or, when it did not
  // see it first, when it reached the task or terminate() failed it).
  void Cancelled(int pool, std::uint64_t id) noexcept;

  // --- Workers.
  // The worker `pid` started in slot `slot` (it replaces the one the slot
  // had before, if any). For a ThreadPool, `pid` is a thread id.
  void WorkerStarted(int pool, pid_t pid, int slot);
  // The fork server reported the worker's wait status. `task` is the id of
  // the task it had started and not answered (0: none) and `task_start_ns`
  // when it started it. `by_pool`: the pool killed it (terminate(), or its
  // fork server died), so it is not drawn as a death.
  void WorkerExited(int pool, pid_t pid, int wait_status, std::uint64_t task,
                    std::int64_t task_start_ns, bool by_pool = false);

  // --- The pool as a whole: "close()", "terminate()", "join()", ... on the
  // calling thread, now.
  void Lifecycle(int pool, const char* what);
  // The handler thread of `pool` is the calling thread.
  void HandlerThread(int pool);

  // The whole trace as JSON text.
  std::string Json() const;
  // Writes Json() to path() (a temporary file, then rename(), so that a
  // reader never sees half a file). On failure, says so on stderr once;
  // never throws.
  void Write() noexcept;

 private:
  struct Submission {  // What Submitted() records.
    int pool = 0;
    std::uint64_t id = 0;
    TaskLabel label;
    pid_t submit_tid = 0;
    std::int64_t submit_begin = 0, submit_end = 0;
  };
  struct Events {  // What happened to a task after its submission.
    std::int64_t dispatched = -1;
    pid_t worker = 0;
    std::int64_t start = -1, end = -1;  // Worker stamps.
    pid_t deliver_tid = 0;
    std::int64_t deliver_begin = -1, deliver_end = -1;
    std::uint64_t item_errors = 0;
    std::string failure;     // what() of the error it failed with, if any.
    bool cancelled = false;  // By cancel(): then `failure` is empty.
    pid_t fail_tid = 0;
    std::int64_t failed = -1;  // When it failed or was cancelled.
  };
  // A submission joined with its events, for Json().
  struct Task : Submission, Events {};
  struct Worker {
    int pool = 0;
    pid_t pid = 0;
    int slot = 0;
    int number = 0;  // 1, 2, ... in the order the pool's workers started.
    pid_t replaces = 0;
    std::int64_t started = 0;
    std::int64_t exited = -1;
    int wait_status = 0;
    std::uint64_t task = 0;  // Started and unanswered when it died.
    bool by_pool = false;
  };
  struct Mark {  // A lifecycle instant.
    int pool;
    pid_t tid;
    std::int64_t ts;
    const char* what;
  };
  struct Pool {
    const char* kind = "";
    pid_t handler = 0;
    int workers = 0;
    // By id - 1: 1 + the index of the task's Events in events_, or 0.
    std::vector<std::size_t> task_index;
  };

  // The Events of task `id` of `pool`, made on first use; null for a pool
  // or id that does not exist.
  Events* RecordLocked(int pool, std::uint64_t id);
  // Every task in the order of submission, with its events; a task whose
  // submission was not recorded is left out.
  std::vector<Task> JoinedLocked() const;

  const std::string path_;
  const pid_t pid_;
  mutable std::mutex submit_mu_;  // Taken before mu_ when both are.
  std::deque<Submission> submissions_;
  mutable std::mutex mu_;
  std::deque<Pool> pools_;
  std::deque<Events> events_;  // In the order of each task's first event.
  std::vector<Worker> workers_;
  std::vector<Mark> marks_;
  std::vector<pid_t> threads_;  // Every thread that submitted or delivered.
  bool write_failed_ = false;
};

// Appends `s` to `out` as a JSON string literal (quotes, escapes).
void AppendJsonString(std::string& out, const std::string& s);

}  // namespace pool::internal

#endif  // POOL_INTERNAL_TRACE_H_
