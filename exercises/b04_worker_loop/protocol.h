// exercises/b04_worker_loop/protocol.h: what the track's pool sends through
// its pipes. Given, complete: nothing to write here.
//
// A task is a function and the items to call it on; the worker answers with
// one result per item, or with the error that stopped it. Each message is
// the body of one b03 frame:
//
//   task  (parent -> worker): u64 address of fn, then one i64 per item
//   stop  (parent -> worker): an empty frame
//   reply (worker -> parent): u8 1, then one i64 result per item, or
//                             u8 0, then the error message's bytes
//
// Sending a function's address works because a worker is a fork() of the
// parent: the same program at the same addresses. (pool/ sends the address
// of a small per-signature "invoker" the same way, so its tasks may take and
// return any type that has a Codec.)

#ifndef EXERCISES_B04_WORKER_LOOP_PROTOCOL_H_
#define EXERCISES_B04_WORKER_LOOP_PROTOCOL_H_

#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace bpool {

// What the pool runs: a plain function. (A lambda that captures nothing
// converts to one.)
using Task = std::int64_t (*)(std::int64_t);

// How one task (one job) ended.
struct Outcome {
  enum class Status {
    kOk,          // `results` holds one result per item.
    kTaskFailed,  // The task threw; `error` says what.
    kWorkerDied,  // Its worker died while running it; `error` says how.
    kCancelled,   // The pool was terminated before it finished.
    kTimedOut,    // It ran past its deadline (step b10); `error` says so.
  };
  Status status = Status::kOk;
  std::vector<std::int64_t> results;
  std::string error;
};

// "ok", "task failed", "worker died", "cancelled" or "timed out".
inline const char* StatusName(Outcome::Status status) {
  switch (status) {
    case Outcome::Status::kOk:
      return "ok";
    case Outcome::Status::kTaskFailed:
      return "task failed";
    case Outcome::Status::kWorkerDied:
      return "worker died";
    case Outcome::Status::kCancelled:
      return "cancelled";
    case Outcome::Status::kTimedOut:
      return "timed out";
  }
  return "?";
}

// Thrown where a caller asks for the results of a task that did not
// succeed. what() is the Outcome's error.
class TaskFailed : public std::runtime_error {
 public:
  TaskFailed(Outcome::Status status, const std::string& what)
      : std::runtime_error(what), status_(status) {}
  Outcome::Status status() const { return status_; }

 private:
  Outcome::Status status_;
};

// The body of a task frame.
inline std::string EncodeTask(Task fn, std::span<const std::int64_t> items) {
  const auto address = reinterpret_cast<std::uint64_t>(fn);
  std::string body(sizeof address + items.size_bytes(), '\0');
  std::memcpy(body.data(), &address, sizeof address);
  if (!items.empty()) {
    std::memcpy(body.data() + sizeof address, items.data(), items.size_bytes());
  }
  return body;
}

// Decodes a task frame's body; false if it is not one.
inline bool DecodeTask(std::string_view body, Task* fn,
                       std::vector<std::int64_t>* items) {
  std::uint64_t address = 0;
  if (body.size() < sizeof address ||
      (body.size() - sizeof address) % sizeof(std::int64_t) != 0) {
    return false;
  }
  std::memcpy(&address, body.data(), sizeof address);
  *fn = reinterpret_cast<Task>(address);
  items->resize((body.size() - sizeof address) / sizeof(std::int64_t));
  if (!items->empty()) {
    std::memcpy(items->data(), body.data() + sizeof address,
                items->size() * sizeof(std::int64_t));
  }
  return true;
}

// The body of a reply carrying results.
inline std::string EncodeResults(std::span<const std::int64_t> results) {
  std::string body(1 + results.size_bytes(), '\1');
  if (!results.empty()) {
    std::memcpy(body.data() + 1, results.data(), results.size_bytes());
  }
  return body;
}

// The body of a reply carrying an error.
inline std::string EncodeError(std::string_view message) {
  return std::string(1, '\0') + std::string(message);
}

// Decodes a reply frame's body into an Outcome (kOk or kTaskFailed); empty
// if it is not a reply.
inline std::optional<Outcome> DecodeReply(std::string_view body) {
  if (body.empty()) return std::nullopt;
  Outcome outcome;
  if (body[0] == '\0') {
    outcome.status = Outcome::Status::kTaskFailed;
    outcome.error = std::string(body.substr(1));
    return outcome;
  }
  if (body[0] != '\1' || (body.size() - 1) % sizeof(std::int64_t) != 0) {
    return std::nullopt;
  }
  outcome.results.resize((body.size() - 1) / sizeof(std::int64_t));
  if (!outcome.results.empty()) {
    std::memcpy(outcome.results.data(), body.data() + 1, body.size() - 1);
  }
  return outcome;
}

}  // namespace bpool

#endif  // EXERCISES_B04_WORKER_LOOP_PROTOCOL_H_
