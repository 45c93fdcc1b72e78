// pool/internal/wire.h: the frame, the unit of every message on a pool's
// pipes: its header, the reply check, and the buffer frames are read into.
//
// The layout of the header and of each kind of body (task, reply, ready,
// stop) is described in one place, pool/README.md ("Message framing"); the
// code that writes and reads bodies is InvokeChunk (task.h), the jobs
// (job.h), the worker loop (worker.cc) and WorkerChannel
// (worker_channel.cc).

#ifndef POOL_INTERNAL_WIRE_H_
#define POOL_INTERNAL_WIRE_H_

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>

namespace pool::internal {

struct FrameHeader {
  std::uint64_t size;     // Bytes of body that follow.
  std::uint64_t task_id;  // 1, 2, 3, ...; or kReadyId, kStopId.
  std::uint64_t check;    // Worker -> parent: ReplyCheck(key, n); else 0.
};
inline constexpr std::size_t kHeaderSize = sizeof(FrameHeader);
static_assert(kHeaderSize == 24);

// The worker's "ready" frame, sent first when there is an initializer.
inline constexpr std::uint64_t kReadyId = 0;
// Parent -> worker, no body: close() asks an idle worker to exit.
inline constexpr std::uint64_t kStopId = ~std::uint64_t{0};

// Starts a frame in `out` (cleared first): a header whose size is patched by
// FinishFrame once the body is written.
inline void StartFrame(std::string& out, std::uint64_t task_id) {
  out.clear();
  const FrameHeader h{0, task_id, 0};
  out.append(reinterpret_cast<const char*>(&h), kHeaderSize);
}

// The check of a worker's n-th reply (splitmix64 of key + n). A reply
// header is accepted only with the right check, so bytes a task writes into
// its own result pipe (which cannot know the key without digging through
// the worker's memory) are refused at their header, before the parent waits
// for any body. It costs a few instructions per frame and no memory shared
// between processes.
inline std::uint64_t ReplyCheck(std::uint64_t key, std::uint64_t n) {
  std::uint64_t z = key + (n + 1) * 0x9E3779B97F4A7C15ull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

inline void SetFrameCheck(std::string& frame, std::uint64_t check) {
  std::memcpy(frame.data() + offsetof(FrameHeader, check), &check,
              sizeof check);
}

inline void FinishFrame(std::string& out) {
  const std::uint64_t size = out.size() - kHeaderSize;
  std::memcpy(out.data(), &size, sizeof size);
}

inline void SetFrameId(std::string& frame, std::uint64_t task_id) {
  std::memcpy(frame.data() + offsetof(FrameHeader, task_id), &task_id,
              sizeof task_id);
}

inline FrameHeader ReadHeader(const char* p) {
  FrameHeader h;
  std::memcpy(&h, p, kHeaderSize);
  return h;
}

// The buffer a pipe is read into. Its memory is left uninitialised: read()
// fills it, and zeroing it first would touch (and fault in, a page at a
// time) memory that small messages never reach. Each worker and each of
// the parent's channels has one.
class ReadBuffer {
 public:
  explicit ReadBuffer(std::size_t size) : data_(new char[size]), size_(size) {}
  char* data() { return data_.get(); }
  const char* data() const { return data_.get(); }
  std::size_t size() const { return size_; }
  // Grows to `size` bytes, keeping the first `keep`. Throws std::bad_alloc,
  // leaving the buffer as it was.
  void Grow(std::size_t size, std::size_t keep) {
    std::unique_ptr<char[]> bigger(new char[size]);
    std::memcpy(bigger.get(), data_.get(), std::min(keep, size));
    data_ = std::move(bigger);
    size_ = size;
  }
  // Replaces a buffer that grew beyond `size` bytes by one of `size` bytes
  // (its contents are dropped).
  void Shrink(std::size_t size) {
    if (size_ <= size) return;
    data_.reset(new char[size]);
    size_ = size;
  }

 private:
  std::unique_ptr<char[]> data_;
  std::size_t size_;
};

}  // namespace pool::internal

#endif  // POOL_INTERNAL_WIRE_H_
