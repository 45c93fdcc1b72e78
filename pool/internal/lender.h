// pool/internal/lender.h: apply()'s fast path, the lending of an idle
// worker's channel to the thread that called apply().
//
// A blocking apply() through the handler thread costs four thread or process
// switches (caller -> handler -> worker -> handler -> caller); a bare pipe
// round trip costs two. So while the handler sleeps in poll() with nothing
// queued, it offers its idle channels here (OfferLocked) and leaves them out
// of its poll() set. A thread in apply() borrows one (BorrowLocked), runs
// its job on it (RunJob) and gives it back (GiveBackLocked). As soon as its
// poll() returns, the handler withdraws the offers not taken
// (WithdrawLocked); a lent channel comes back when its loan ends.
//
// Each channel still has one user at a time: the handler thread, or the one
// thread it is lent to. A channel away from the handler (offered or lent)
// has WorkerChannel::away() set, and the handler does not touch it. A loan
// that ends out of the ordinary (the worker died, a frame broke the
// protocol, Recall()) gives the channel back as it is, job in flight
// included; the handler takes it back (ReclaimLocked) and settles it as if
// it had sent the job itself, with the exit status the fork server reported
// for its worker meanwhile (NoteExitLocked), if any.
//
// Thread safety: the methods named ...Locked must be called with the
// engine's mutex held, which guards
// everything here; RunJob and Recall without it.

#ifndef POOL_INTERNAL_LENDER_H_
#define POOL_INTERNAL_LENDER_H_

#include <sys/types.h>

#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <utility>
#include <vector>

#include "pool/internal/fd.h"
#include "pool/internal/job.h"
#include "pool/internal/worker_channel.h"

namespace pool::internal {

class Lender {
 public:
  // A channel given back for the handler to look at, and the exit status
  // the fork server reported for its worker while it was away, if any.
  struct Returned {
    WorkerChannel* channel;
    std::optional<int> exit_status;
  };

  // Makes the recall eventfd. Throws SystemError.
  Lender();

  // Handler thread: puts `idle` on offer (marks them away) until
  // WithdrawLocked.
  void OfferLocked(const std::vector<WorkerChannel*>& idle);
  // Handler thread: takes back the offers not taken.
  void WithdrawLocked();
  // Handler thread: WithdrawLocked, and moves every channel given back into
  // `returned` (no longer away).
  void ReclaimLocked(std::vector<Returned>& returned);
  // Whether a channel was given back and waits for ReclaimLocked.
  bool HasReturnsLocked() const { return !returned_.empty(); }
  // Handler thread: the fork server reported the exit of the worker of
  // `channel`, which is away; kept until the channel comes back.
  void NoteExitLocked(const WorkerChannel& channel, int wait_status);
  // Handler thread, after Recall(), without `mu` (the engine's mutex): waits
  // until no channel is lent, then takes every channel back and forgets the
  // exits noted.
  void AwaitLoans(std::mutex& mu);

  // A thread in apply(): a channel on offer, or nullptr. Counts the loan.
  WorkerChannel* BorrowLocked();
  // Runs `job` on `channel`, lent to the calling thread: writes its frame,
  // then waits in poll() on the worker's result pipe, its pidfd (so that a
  // death is seen at once) and the recall eventfd, and reads the reply with
  // the channel's own checks, which resolves the job. Leaves `job` set if
  // it could not be handed to the channel. Returns whether the channel is
  // idle again and could take another task under a maxtasksperchild of
  // `quota` (0: none); false for any loan that ended out of the ordinary.
  bool RunJob(WorkerChannel& channel, std::unique_ptr<ProcessJob>& job,
              int quota);
  // Ends a loan. With `reoffer` (the channel is idle and the handler still
  // sleeps in the poll() that offered it) the channel goes back on offer
  // without waking the handler, unless its worker's exit was reported
  // meanwhile. Returns false if the handler must be woken to reclaim it.
  bool GiveBackLocked(WorkerChannel* channel, bool reoffer);

  // Calls every loan back, now and for good (terminate(), a broken pool):
  // RunJob returns as soon as it sees it.
  void Recall() noexcept { SignalEventFd(recall_.get()); }

 private:
  // Readable from Recall() on; never drained.
  UniqueFd recall_;
  std::vector<WorkerChannel*> offered_;
  int lent_ = 0;
  std::vector<WorkerChannel*> returned_;
  std::vector<std::pair<pid_t, int>> away_exits_;
  std::condition_variable none_lent_;
};

}  // namespace pool::internal

#endif  // POOL_INTERNAL_LENDER_H_
