// pool/internal/wire.h: the byte layout of every message on a pool's pipes.
//
// Each message is a frame: a 16-byte header, then `size` bytes of body.
//
//   header   u64 size      bytes of body that follow
//            u64 task_id   1, 2, 3, ... ; 0 is the worker's "ready" frame;
//                          kStopId (parent -> worker, no body) asks an idle
//                          worker to exit (close())
//
//   task body (parent -> worker)
//            u64 invoker   address of the instantiated InvokeChunk<...>
//            u64 function  address of the user's function
//            u64 count     number of items, then `count` encoded arguments
//
//   reply body (worker -> parent), for the task with the same id
//            u64 count     number of items, then `count` encoded results
//                          (a default value where the item failed)
//            u64 errors    number of failed items, then for each, in
//                          increasing index order:
//                          u64 index, string type, string what
//
//   ready body (worker -> parent, only when Options::initializer is set)
//            u8  ok        1, or 0 followed by string type, string what
//
// Addresses are meaningful in the worker because it is a fork of the parent:
// the same program at the same addresses.

#ifndef POOL_INTERNAL_WIRE_H_
#define POOL_INTERNAL_WIRE_H_

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>

namespace pool::internal {

struct FrameHeader {
  std::uint64_t size;
  std::uint64_t task_id;
};
inline constexpr std::size_t kHeaderSize = sizeof(FrameHeader);
static_assert(kHeaderSize == 16);

inline constexpr std::uint64_t kReadyId = 0;
inline constexpr std::uint64_t kStopId = ~std::uint64_t{0};

// Starts a frame in `out` (cleared first): a header whose size is patched by
// FinishFrame once the body is written.
inline void StartFrame(std::string& out, std::uint64_t task_id) {
  out.clear();
  const FrameHeader h{0, task_id};
  out.append(reinterpret_cast<const char*>(&h), kHeaderSize);
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

}  // namespace pool::internal

#endif  // POOL_INTERNAL_WIRE_H_
