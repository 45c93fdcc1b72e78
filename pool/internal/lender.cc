// apply()'s fast path: see lender.h.

#include "pool/internal/lender.h"

#include <errno.h>
#include <poll.h>

#include <algorithm>
#include <utility>

#include "pool/internal/fork_gate.h"

namespace pool::internal {

Lender::Lender() : recall_(MakeEventFd()) {}

void Lender::OfferLocked(const std::vector<WorkerChannel*>& idle) {
  for (WorkerChannel* c : idle) c->set_away(true);
  offered_.assign(idle.begin(), idle.end());
}

void Lender::WithdrawLocked() {
  for (WorkerChannel* c : offered_) c->set_away(false);
  offered_.clear();
}

void Lender::ReclaimLocked(std::vector<Returned>& returned) {
  WithdrawLocked();
  for (WorkerChannel* c : returned_) {
    c->set_away(false);
    std::optional<int> status;
    auto it = std::find_if(away_exits_.begin(), away_exits_.end(),
                           [&](const auto& e) { return e.first == c->pid(); });
    if (it != away_exits_.end()) {
      status = it->second;
      away_exits_.erase(it);
    }
    returned.push_back({c, status});
  }
  returned_.clear();
}

void Lender::NoteExitLocked(const WorkerChannel& channel, int wait_status) {
  away_exits_.emplace_back(channel.pid(), wait_status);
}

void Lender::AwaitLoans(std::mutex& mu) {
  // Let go of the fork gate first, and take it again only after `mu`: a
  // borrower comes back through the gate after its poll(), and a thread
  // holding the gate may be waiting for `mu`.
  ForkGateOpen open;
  std::unique_lock lock(mu);
  none_lent_.wait(lock, [&] { return lent_ == 0; });
  std::vector<Returned> returned;
  ReclaimLocked(returned);
  away_exits_.clear();
}

WorkerChannel* Lender::BorrowLocked() {
  if (offered_.empty()) return nullptr;
  WorkerChannel* channel = offered_.back();
  offered_.pop_back();
  ++lent_;
  return channel;
}

bool Lender::RunJob(WorkerChannel& channel, std::unique_ptr<ProcessJob>& job,
                    int quota) {
  try {
    channel.Push(std::move(job));  // Left in `job` if this throws.
    channel.Write();
    bool died = false;
    while (channel.in_flight() > 0 && channel.poll_in_fd() >= 0) {
      pollfd fds[4] = {{channel.poll_in_fd(), POLLIN, 0},
                       {channel.pidfd(), POLLIN, 0},
                       {recall_.get(), POLLIN, 0},
                       {channel.poll_out_fd(), POLLOUT, 0}};
      const nfds_t count = fds[3].fd >= 0 ? 4 : 3;
      int ready;
      {
        ForkGateOpen open;  // No allocation while waiting (fork_gate.h).
        do {
          ready = ::poll(fds, count, -1);
        } while (ready < 0 && errno == EINTR);
      }
      if (ready < 0) return false;  // The handler takes over.
      if (count == 4 && fds[3].revents != 0) channel.Write();
      if (fds[0].revents != 0) channel.Read(/*until_answered=*/true);
      if (fds[1].revents != 0) {
        // The worker is gone. What it wrote before is in the pipe: read it,
        // then let the handler settle the rest when its exit is reported.
        died = true;
        if (channel.poll_in_fd() >= 0) channel.Read(/*until_answered=*/true);
        break;
      }
      if (fds[2].revents != 0) return false;  // Recalled.
    }
    return !died && channel.Idle(quota);
  } catch (...) {
    // Out of memory in the parent, say: the handler takes the channel back
    // as it is, and the job with it.
    return false;
  }
}

bool Lender::GiveBackLocked(WorkerChannel* channel, bool reoffer) {
  const bool exit_reported =
      std::any_of(away_exits_.begin(), away_exits_.end(),
                  [&](const auto& e) { return e.first == channel->pid(); });
  const bool offered = reoffer && !exit_reported;
  (offered ? offered_ : returned_).push_back(channel);
  if (--lent_ == 0) none_lent_.notify_all();
  return offered;
}

}  // namespace pool::internal
