// pool/internal/restart_backoff.h: when to try again after a worker could
// not be started.
//
// A failure to start a worker is usually transient (no fd free, fork()
// refused under RLIMIT_NPROC), so the engine tries again: 10 ms after the
// first failure, then twice as long after each further one, up to 1 s. A
// worker that starts resets it. Used by the handler thread only.

#ifndef POOL_INTERNAL_RESTART_BACKOFF_H_
#define POOL_INTERNAL_RESTART_BACKOFF_H_

#include <algorithm>
#include <chrono>
#include <optional>

namespace pool::internal {

class RestartBackoff {
 public:
  using Clock = std::chrono::steady_clock;

  // A start failed at `now`: wait longer before the next.
  void Failed(Clock::time_point now) {
    failing_ = true;
    wait_ = std::clamp(2 * wait_, kMin, kMax);
    retry_at_ = now + wait_;
  }
  // A worker started: no waiting any more.
  void Succeeded() {
    failing_ = false;
    wait_ = std::chrono::milliseconds(0);
  }
  // Whether a start may be tried at `now`.
  bool MayTry(Clock::time_point now) const {
    return !failing_ || now >= retry_at_;
  }
  // When the next start may be tried, if one failed last.
  std::optional<Clock::time_point> retry_at() const {
    if (!failing_) return std::nullopt;
    return retry_at_;
  }

 private:
  static constexpr std::chrono::milliseconds kMin{10};
  static constexpr std::chrono::milliseconds kMax{1000};

  bool failing_ = false;
  Clock::time_point retry_at_;
  std::chrono::milliseconds wait_{0};
};

}  // namespace pool::internal

#endif  // POOL_INTERNAL_RESTART_BACKOFF_H_
