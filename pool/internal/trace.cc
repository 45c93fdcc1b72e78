// The recorder behind Options::trace: see trace.h. The file's format and
// tracks are described in pool/README.md ("Tracing").

#include "pool/internal/trace.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <set>
#include <utility>

#include "pool/errors.h"

namespace pool::internal {

std::int64_t MonotonicNs() noexcept {
  timespec ts{};
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

pid_t CurrentTid() noexcept {
  thread_local const pid_t tid = static_cast<pid_t>(::syscall(SYS_gettid));
  return tid;
}

void AppendJsonString(std::string& out, const std::string& s) {
  out.push_back('"');
  for (const unsigned char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20 || c == 0x7f) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          // UTF-8 passes through; a byte that is not valid UTF-8 would make
          // the file unreadable, so bytes >= 0x80 are checked below.
          out.push_back(static_cast<char>(c));
        }
    }
  }
  out.push_back('"');
}

namespace {

// The outcome of a task cancel() stopped: CancelledByCancel()'s message
// (result_state.h), which its result holds.
constexpr const char* kCancelledOutcome =
    "cancelled: cancel() was called before this task started";

// Replaces every byte of `s` that is not part of valid UTF-8 by '?', so
// that a what() in another encoding cannot make the file invalid JSON.
std::string ValidUtf8(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::size_t n = c < 0x80           ? 1
                    : (c >> 5) == 0x6  ? 2
                    : (c >> 4) == 0xe  ? 3
                    : (c >> 3) == 0x1e ? 4
                                       : 0;
    bool ok = n > 0 && i + n <= s.size();
    for (std::size_t k = 1; ok && k < n; ++k) {
      ok = (static_cast<unsigned char>(s[i + k]) >> 6) == 0x2;
    }
    if (ok) {
      out.append(s, i, n);
      i += n;
    } else {
      out.push_back('?');
      ++i;
    }
  }
  return out;
}

// The registry of traces by path, for ForPool. Never destroyed: a pool may
// be destroyed during static destruction.
struct Registry {
  std::mutex mu;
  pid_t owner = ::getpid();  // A forked child sees its parent's pid here.
  // By path: the Trace its pools share while one lives, and how many
  // Traces it has had (the second writes PATH with ".2" before the
  // extension, and so on).
  std::map<std::string, std::pair<std::weak_ptr<Trace>, int>> traces;
};

// "t.json", 3 -> "t.3.json"; "trace", 2 -> "trace.2".
std::string Numbered(const std::string& path, int n) {
  if (n <= 1) return path;
  const std::size_t slash = path.rfind('/');
  const std::size_t dot = path.rfind('.');
  const std::string suffix = "." + std::to_string(n);
  if (dot == std::string::npos || (slash != std::string::npos && dot < slash) ||
      dot == (slash == std::string::npos ? 0 : slash + 1)) {
    return path + suffix;
  }
  return path.substr(0, dot) + suffix + path.substr(dot);
}
Registry& TheRegistry() {
  static Registry* registry = new Registry;
  return *registry;
}

// Microseconds, with the nanoseconds as three decimals.
void AppendUs(std::string& out, std::int64_t ns) {
  char buf[32];
  const std::int64_t abs = ns < 0 ? -ns : ns;
  std::snprintf(buf, sizeof buf, "%s%" PRId64 ".%03" PRId64, ns < 0 ? "-" : "",
                abs / 1000, abs % 1000);
  out += buf;
}

// One JSON event, built field by field.
class EventWriter {
 public:
  EventWriter(std::string& out, bool& first) : out_(out) {
    if (!first) out_ += ",\n";
    first = false;
    out_.push_back('{');
  }
  ~EventWriter() {
    if (in_args_) out_.push_back('}');
    out_.push_back('}');
  }
  EventWriter& Str(const char* key, const std::string& value) {
    Key(key);
    AppendJsonString(out_, value);
    return *this;
  }
  EventWriter& Int(const char* key, std::int64_t value) {
    Key(key);
    out_ += std::to_string(value);
    return *this;
  }
  EventWriter& Num(const char* key, double value) {
    Key(key);
    char buf[40];
    std::snprintf(buf, sizeof buf, "%.17g", value);
    // JSON has no inf or nan.
    if (std::strpbrk(buf, "ni") != nullptr) {
      AppendJsonString(out_, buf);
    } else {
      out_ += buf;
    }
    return *this;
  }
  EventWriter& Us(const char* key, std::int64_t ns) {
    Key(key);
    AppendUs(out_, ns);
    return *this;
  }
  // The fields after this one go into "args".
  EventWriter& Args() {
    Key("args");
    out_.push_back('{');
    in_args_ = true;
    fields_ = 0;
    return *this;
  }

 private:
  void Key(const char* key) {
    if (fields_++ > 0) out_.push_back(',');
    out_.push_back('"');
    out_ += key;
    out_ += "\":";
  }
  std::string& out_;
  int fields_ = 0;
  bool in_args_ = false;
};

std::string Describe(const std::exception_ptr& error) {
  try {
    std::rethrow_exception(error);
  } catch (const TaskTimeoutError& e) {
    return std::string("timeout: ") + e.what();
  } catch (const std::exception& e) {
    return e.what();
  } catch (...) {
    return "unknown error";
  }
}

// "map [3]", "map [0..7]" (a chunk); "apply #12" (the task's id: an
// apply has one item, always index 0).
std::string TaskName(const TaskLabel& l, std::uint64_t id) {
  std::string name = l.method;
  if (name == "apply") return name + " #" + std::to_string(id);
  name += " [";
  name += std::to_string(l.first);
  if (l.count > 1) {
    name += "..";
    name += std::to_string(l.first + l.count - 1);
  }
  name += "]";
  return name;
}

}  // namespace

std::shared_ptr<Trace> Trace::ForPool(const std::string& option) {
  std::string path = option;
  if (path.empty()) {
    const char* env = std::getenv("POOL_TRACE");
    if (env != nullptr) path = env;
  }
  if (path.empty()) return nullptr;
  Registry& r = TheRegistry();
  std::lock_guard lock(r.mu);
  const pid_t self = ::getpid();
  if (r.owner != self) {
    // A fork of the process that registered these paths: its traces are the
    // parent's, and so is the file.
    r.traces.clear();
    r.owner = -self;  // Marks this process as a fork.
  }
  if (r.owner < 0) path += "." + std::to_string(self);
  auto& [weak, count] = r.traces[path];
  std::shared_ptr<Trace> t = weak.lock();
  if (!t) {
    t = std::make_shared<Trace>(Numbered(path, ++count));
    weak = t;
  }
  return t;
}

Trace::Trace(std::string path) : path_(std::move(path)), pid_(::getpid()) {}

int Trace::AddPool(const char* kind) {
  std::lock_guard lock(mu_);
  Pool p;
  p.kind = kind;
  pools_.push_back(std::move(p));
  return static_cast<int>(pools_.size());
}

Trace::Events* Trace::RecordLocked(int pool, std::uint64_t id) {
  if (pool < 1 || pool > static_cast<int>(pools_.size()) || id == 0) {
    return nullptr;
  }
  auto& index = pools_[pool - 1].task_index;
  if (index.size() < id) index.resize(id, 0);
  if (index[id - 1] == 0) {
    events_.emplace_back();
    index[id - 1] = events_.size();
  }
  return &events_[index[id - 1] - 1];
}

std::vector<Trace::Task> Trace::JoinedLocked() const {
  std::vector<Task> joined;
  joined.reserve(submissions_.size());
  for (const Submission& s : submissions_) {
    if (s.pool < 1 || s.pool > static_cast<int>(pools_.size())) continue;
    const auto& index = pools_[s.pool - 1].task_index;
    Task t;
    static_cast<Submission&>(t) = s;
    if (s.id <= index.size() && index[s.id - 1] != 0) {
      static_cast<Events&>(t) = events_[index[s.id - 1] - 1];
    }
    joined.push_back(std::move(t));
  }
  return joined;
}

void Trace::Submitted(int pool, std::span<const NewTask> tasks,
                      std::int64_t begin_ns) noexcept {
  Submission s;
  s.pool = pool;
  s.submit_tid = CurrentTid();
  s.submit_begin = begin_ns;
  s.submit_end = MonotonicNs();
  std::lock_guard lock(submit_mu_);
  for (const NewTask& t : tasks) {
    if (t.id == 0) continue;
    s.id = t.id;
    s.label = t.label;
    try {
      submissions_.push_back(s);
    } catch (...) {
      return;  // No memory to record it: the trace only misses these tasks.
    }
  }
}

void Trace::Dispatched(int pool, std::uint64_t id, pid_t pid) noexcept {
  const std::int64_t now = MonotonicNs();
  std::lock_guard lock(mu_);
  try {
    if (Events* t = RecordLocked(pool, id)) {
      t->dispatched = now;
      t->worker = pid;
    }
  } catch (...) {
    // No memory to record it: the trace only misses the dispatch.
  }
}

void Trace::Ran(int pool, std::uint64_t id, pid_t pid, std::int64_t start_ns,
                std::int64_t end_ns, std::int64_t deliver_ns,
                std::uint64_t item_errors) {
  const pid_t tid = CurrentTid();
  const std::int64_t now = MonotonicNs();
  std::lock_guard lock(mu_);
  if (Events* t = RecordLocked(pool, id)) {
    t->worker = pid;
    t->start = start_ns;
    t->end = end_ns;
    t->deliver_tid = tid;
    t->deliver_begin = deliver_ns;
    t->deliver_end = deliver_ns < 0 ? -1 : now;
    t->item_errors = item_errors;
  }
}

void Trace::Failed(int pool, std::uint64_t id,
                   const std::exception_ptr& error) {
  const pid_t tid = CurrentTid();
  const std::int64_t now = MonotonicNs();
  std::string what = Describe(error);
  std::lock_guard lock(mu_);
  if (Events* t = RecordLocked(pool, id)) {
    t->failure = std::move(what);
    t->fail_tid = tid;
    t->failed = now;
  }
}

void Trace::Cancelled(int pool, std::uint64_t id) noexcept {
  const pid_t tid = CurrentTid();
  const std::int64_t now = MonotonicNs();
  std::lock_guard lock(mu_);
  if (Events* t = RecordLocked(pool, id)) {
    t->cancelled = true;
    t->fail_tid = tid;
    t->failed = now;
  }
}

void Trace::WorkerStarted(int pool, pid_t pid, int slot) {
  const std::int64_t now = MonotonicNs();
  std::lock_guard lock(mu_);
  if (pool < 1 || pool > static_cast<int>(pools_.size())) return;
  pid_t replaces = 0;
  for (auto it = workers_.rbegin(); it != workers_.rend(); ++it) {
    if (it->pool == pool && it->slot == slot) {
      replaces = it->pid;
      break;
    }
  }
  const int number = ++pools_[pool - 1].workers;
  Worker w;
  w.pool = pool;
  w.pid = pid;
  w.slot = slot;
  w.number = number;
  w.replaces = replaces;
  w.started = now;
  workers_.push_back(w);
}

void Trace::WorkerExited(int pool, pid_t pid, int wait_status,
                         std::uint64_t task, std::int64_t task_start_ns,
                         bool by_pool) {
  const std::int64_t now = MonotonicNs();
  std::lock_guard lock(mu_);
  for (auto it = workers_.rbegin(); it != workers_.rend(); ++it) {
    if (it->pool == pool && it->pid == pid && it->exited < 0) {
      it->exited = now;
      it->wait_status = wait_status;
      it->task = task;
      it->by_pool = by_pool;
      if (Events* t = RecordLocked(pool, task)) {
        t->worker = pid;
        t->start = task_start_ns;
      }
      return;
    }
  }
}

void Trace::Lifecycle(int pool, const char* what) {
  const pid_t tid = CurrentTid();
  const std::int64_t now = MonotonicNs();
  std::lock_guard lock(mu_);
  marks_.push_back(Mark{pool, tid, now, what});
}

void Trace::HandlerThread(int pool) {
  const pid_t tid = CurrentTid();
  std::lock_guard lock(mu_);
  if (pool >= 1 && pool <= static_cast<int>(pools_.size())) {
    pools_[pool - 1].handler = tid;
  }
}

std::string Trace::Json() const {
  std::scoped_lock lock(submit_mu_, mu_);
  const std::vector<Task> tasks = JoinedLocked();
  std::string out;
  out.reserve(256 + tasks.size() * 700);
  out +=
      "{\"displayTimeUnit\":\"ms\",\"otherData\":{\"clock\":"
      "\"CLOCK_MONOTONIC\",\"recorder\":\"pool (pool/internal/trace.h)\"},"
      "\"traceEvents\":[\n";
  bool first = true;
  const bool several = pools_.size() > 1;
  auto prefix = [&](int pool) {
    if (!several) return std::string();
    return std::string(pools_[pool - 1].kind) + " #" + std::to_string(pool) +
           " ";
  };
  auto is_thread_pool = [&](int pool) {
    return std::strcmp(pools_[pool - 1].kind, "ThreadPool") == 0;
  };
  auto meta = [&](const char* what, pid_t pid, pid_t tid,
                  const std::string& name, int sort) {
    {
      EventWriter e(out, first);
      e.Str("ph", "M").Str("name", what).Int("pid", pid).Int("tid", tid);
      e.Args().Str("name", name);
    }
    EventWriter e(out, first);
    e.Str("ph", "M")
        .Str("name", std::strcmp(what, "process_name") == 0
                         ? "process_sort_index"
                         : "thread_sort_index")
        .Int("pid", pid)
        .Int("tid", tid);
    e.Args().Int("sort_index", sort);
  };

  // Tracks: the parent process, its threads, then one process per worker
  // (a ThreadPool's workers are threads of the parent).
  meta("process_name", pid_, pid_,
       "pool parent (pid " + std::to_string(pid_) + ")", 0);
  std::set<pid_t> named;
  int sort = 0;
  auto name_thread = [&](pid_t tid, const std::string& name) {
    if (!named.insert(tid).second) return;
    meta("thread_name", pid_, tid, name, ++sort);
  };
  for (std::size_t p = 0; p < pools_.size(); ++p) {
    if (pools_[p].handler != 0) {
      name_thread(pools_[p].handler,
                  prefix(static_cast<int>(p + 1)) + "handler thread");
    }
  }
  std::set<pid_t> callers;
  for (const Task& t : tasks) {
    callers.insert(t.submit_tid);
    if (t.deliver_begin >= 0) callers.insert(t.deliver_tid);
    if (t.failed >= 0) callers.insert(t.fail_tid);
  }
  for (const Mark& m : marks_) callers.insert(m.tid);
  std::set<pid_t> pool_threads;
  for (const Worker& w : workers_) {
    if (is_thread_pool(w.pool)) pool_threads.insert(w.pid);
  }
  for (const pid_t tid : callers) {
    if (pool_threads.count(tid) != 0) continue;
    name_thread(tid,
                tid == pid_ ? "main thread" : "thread " + std::to_string(tid));
  }
  int worker_sort = 0;
  for (const Worker& w : workers_) {
    const std::string name = prefix(w.pool) +
                             (is_thread_pool(w.pool) ? "thread " : "worker ") +
                             std::to_string(w.number) + " (" +
                             (is_thread_pool(w.pool) ? "tid " : "pid ") +
                             std::to_string(w.pid) + ")";
    if (is_thread_pool(w.pool)) {
      name_thread(w.pid, name);
    } else {
      meta("process_name", w.pid, w.pid, name, ++worker_sort);
      meta("thread_name", w.pid, w.pid, "tasks", 0);
    }
  }
  auto track_pid = [&](const Task& t) {
    return is_thread_pool(t.pool) ? pid_ : t.worker;
  };
  auto flow_id = [](const Task& t) {
    return (static_cast<std::uint64_t>(t.pool) << 40) | t.id;
  };

  // Submissions: one slice per call of Submit (a map submits many tasks in
  // one), with a flow starting at it for each task.
  for (std::size_t i = 0; i < tasks.size(); ++i) {
    const Task& t = tasks[i];
    std::size_t n = 1;
    while (i + n < tasks.size() && tasks[i + n].pool == t.pool &&
           tasks[i + n].submit_tid == t.submit_tid &&
           tasks[i + n].submit_begin == t.submit_begin) {
      ++n;
    }
    {
      EventWriter e(out, first);
      e.Str("ph", "X")
          .Str("name", prefix(t.pool) + "submit " + t.label.method)
          .Str("cat", "submit")
          .Int("pid", pid_)
          .Int("tid", t.submit_tid)
          .Us("ts", t.submit_begin)
          .Us("dur", t.submit_end - t.submit_begin);
      e.Args().Int("tasks", static_cast<std::int64_t>(n));
    }
    for (std::size_t k = i; k < i + n; ++k) {
      if (tasks[k].start < 0) continue;  // Never ran: no arrow to draw.
      EventWriter e(out, first);
      e.Str("ph", "s")
          .Str("name", "task")
          .Str("cat", "task")
          .Int("id", static_cast<std::int64_t>(flow_id(tasks[k])))
          .Int("pid", pid_)
          .Int("tid", t.submit_tid)
          .Us("ts", t.submit_begin);
    }
    i += n - 1;
  }

  // Each task: its run on its worker's track, and its delivery.
  std::map<std::pair<int, pid_t>, std::uint64_t> died_running;
  std::map<std::pair<int, pid_t>, std::int64_t> died_at;
  // The name of each task a worker died running, found in one pass.
  std::map<std::pair<int, std::uint64_t>, std::string> running_names;
  for (const Worker& w : workers_) {
    if (w.exited >= 0 && w.task != 0) {
      died_running[{w.pool, w.pid}] = w.task;
      died_at[{w.pool, w.pid}] = w.exited;
    }
    if (w.task != 0) running_names[{w.pool, w.task}];
  }
  for (const Task& t : tasks) {
    const auto name = running_names.find({t.pool, t.id});
    if (name != running_names.end()) name->second = TaskName(t.label, t.id);
  }
  for (const Task& t : tasks) {
    if (t.start < 0) {
      if (t.failed >= 0) {
        EventWriter e(out, first);
        e.Str("ph", "i")
            .Str("s", "t")
            .Str("name", prefix(t.pool) +
                             (t.cancelled ? "cancelled " : "failed ") +
                             TaskName(t.label, t.id))
            .Str("cat", "task")
            .Int("pid", pid_)
            .Int("tid", t.fail_tid)
            .Us("ts", t.failed);
        e.Args()
            .Int("task", static_cast<std::int64_t>(t.id))
            .Str("outcome", t.cancelled ? std::string(kCancelledOutcome)
                                        : ValidUtf8(t.failure));
      }
      continue;
    }
    std::int64_t end = t.end;
    const auto died = died_running.find({t.pool, t.worker});
    const bool killed =
        t.end < 0 && died != died_running.end() && died->second == t.id;
    if (killed) end = died_at[{t.pool, t.worker}];
    if (end < t.start) end = t.start;
    std::string outcome;
    if (!t.failure.empty()) {
      outcome = ValidUtf8(t.failure);
    } else if (t.item_errors > 0) {
      outcome = std::to_string(t.item_errors) + " of " +
                std::to_string(t.label.count) + " items raised";
    } else {
      outcome = "ok";
    }
    {
      EventWriter e(out, first);
      e.Str("ph", "X")
          .Str("name", TaskName(t.label, t.id))
          .Str("cat", "task")
          .Int("pid", track_pid(t))
          .Int("tid", t.worker)
          .Us("ts", t.start)
          .Us("dur", end - t.start);
      e.Args()
          .Int("task", static_cast<std::int64_t>(t.id))
          .Str("method", t.label.method)
          .Int("first_item", static_cast<std::int64_t>(t.label.first))
          .Int("items", static_cast<std::int64_t>(t.label.count));
      if (t.label.has_number) e.Num("input", t.label.number);
      e.Str("outcome", outcome);
      if (t.dispatched >= 0) {
        e.Us("queued_us", t.dispatched - t.submit_end)
            .Us("waited_on_worker_us", t.start - t.dispatched);
      }
    }
    {
      EventWriter e(out, first);
      e.Str("ph", "t")
          .Str("name", "task")
          .Str("cat", "task")
          .Int("id", static_cast<std::int64_t>(flow_id(t)))
          .Int("pid", track_pid(t))
          .Int("tid", t.worker)
          .Us("ts", t.start);
    }
    if (t.deliver_begin >= 0) {
      {
        EventWriter e(out, first);
        e.Str("ph", "X")
            .Str("name", prefix(t.pool) + "deliver " + TaskName(t.label, t.id))
            .Str("cat", "deliver")
            .Int("pid", pid_)
            .Int("tid", t.deliver_tid)
            .Us("ts", t.deliver_begin)
            .Us("dur", t.deliver_end - t.deliver_begin);
        e.Args()
            .Int("task", static_cast<std::int64_t>(t.id))
            .Str("outcome", outcome);
      }
      EventWriter e(out, first);
      e.Str("ph", "f")
          .Str("bp", "e")
          .Str("name", "task")
          .Str("cat", "task")
          .Int("id", static_cast<std::int64_t>(flow_id(t)))
          .Int("pid", pid_)
          .Int("tid", t.deliver_tid)
          .Us("ts", t.deliver_begin);
    } else {
      // A ThreadPool task is delivered by the thread that ran it, inside
      // its slice; a killed task is never delivered.
      EventWriter e(out, first);
      e.Str("ph", "f")
          .Str("bp", "e")
          .Str("name", "task")
          .Str("cat", "task")
          .Int("id", static_cast<std::int64_t>(flow_id(t)))
          .Int("pid", track_pid(t))
          .Int("tid", t.worker)
          .Us("ts", end);
    }
  }

  // Workers: start (with the worker it replaces) and end.
  for (const Worker& w : workers_) {
    const pid_t pid = is_thread_pool(w.pool) ? pid_ : w.pid;
    {
      EventWriter e(out, first);
      e.Str("ph", "i")
          .Str("s", "t")
          .Str("name", w.replaces != 0 ? "worker started (replaces pid " +
                                             std::to_string(w.replaces) + ")"
                                       : std::string("worker started"))
          .Str("cat", "worker")
          .Int("pid", pid)
          .Int("tid", w.pid)
          .Us("ts", w.started);
      e.Args().Int("slot", w.slot).Int("replaces", w.replaces);
    }
    if (w.exited < 0) continue;
    const bool died =
        !w.by_pool && (!WIFEXITED(w.wait_status) ||
                       WEXITSTATUS(w.wait_status) != 0 || w.task != 0);
    EventWriter e(out, first);
    e.Str("ph", "i")
        .Str("s", died ? "p" : "t")
        .Str("name", w.by_pool ? std::string("worker killed by terminate()")
                               : (died ? "worker died: " : "worker exited: ") +
                                     DescribeWaitStatus(w.wait_status))
        .Str("cat", "worker")
        .Int("pid", pid)
        .Int("tid", w.pid)
        .Us("ts", w.exited);
    e.Args().Int("wait_status", w.wait_status);
    if (WIFSIGNALED(w.wait_status)) e.Int("signal", WTERMSIG(w.wait_status));
    if (WIFEXITED(w.wait_status)) {
      e.Int("exit_status", WEXITSTATUS(w.wait_status));
    }
    if (w.task != 0) {
      e.Int("task", static_cast<std::int64_t>(w.task));
      const auto running = running_names.find({w.pool, w.task});
      if (running != running_names.end() && !running->second.empty()) {
        e.Str("running", running->second);
      }
    }
  }

  for (const Mark& m : marks_) {
    EventWriter e(out, first);
    e.Str("ph", "i")
        .Str("s", "p")
        .Str("name", prefix(m.pool) + m.what)
        .Str("cat", "pool")
        .Int("pid", pid_)
        .Int("tid", m.tid)
        .Us("ts", m.ts);
  }
  out += "\n]}\n";
  return out;
}

void Trace::Write() noexcept {
  try {
    const std::string json = Json();
    const std::string tmp = path_ + ".tmp" + std::to_string(::getpid());
    const int fd =
        ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    bool ok = fd >= 0;
    std::size_t done = 0;
    while (ok && done < json.size()) {
      const ssize_t n = ::write(fd, json.data() + done, json.size() - done);
      if (n < 0 && errno == EINTR) continue;
      ok = n > 0;
      if (ok) done += static_cast<std::size_t>(n);
    }
    if (fd >= 0 && ::close(fd) != 0) ok = false;
    if (ok && ::rename(tmp.c_str(), path_.c_str()) != 0) ok = false;
    if (!ok) {
      const int err = errno;
      if (fd >= 0) ::unlink(tmp.c_str());
      std::lock_guard lock(mu_);
      if (!write_failed_) {
        write_failed_ = true;
        std::fprintf(stderr, "pool: cannot write the trace to %s: %s\n",
                     path_.c_str(), std::strerror(err));
      }
    }
  } catch (...) {
    std::fprintf(stderr, "pool: out of memory writing the trace to %s\n",
                 path_.c_str());
  }
}

}  // namespace pool::internal
