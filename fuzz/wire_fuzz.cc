#include "fuzz/wire_fuzz.h"

#include <array>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <typeinfo>
#include <unordered_map>
#include <utility>
#include <vector>

#include "pool/codec.h"
#include "pool/errors.h"
#include "pool/internal/job.h"

namespace wire_fuzz {
namespace {

[[noreturn]] void Abort(const std::string& what) {
  std::fprintf(stderr, "wire_fuzz: %s\n", what.c_str());
  std::abort();
}

// Decodes a T from the whole body. On success, encoding the value again
// must give back exactly the bytes consumed when the encoding is canonical
// (no map, which drops duplicate keys, and no floating point, whose NaNs
// may change bits).
template <class T, bool kCanonical>
void DecodeValue(const char* body, std::size_t size) {
  pool::Reader r(body, size);
  T value = pool::Decode<T>(r);
  if (r.remaining() > size) Abort("Reader consumed more bytes than it had");
  if constexpr (kCanonical) {
    std::string again;
    pool::Writer w(again);
    pool::Encode(w, value);
    const std::size_t consumed = size - r.remaining();
    if (again != std::string(body, consumed)) {
      Abort(std::string("re-encoding a decoded ") + typeid(T).name() +
            " gave different bytes");
    }
  }
}

void DecodeReady(const char* body, std::size_t size) {
  // The "ready" frame of a worker whose initializer ran: ok, or an error.
  pool::Reader r(body, size);
  if (!pool::Decode<bool>(r)) (void)pool::internal::DecodeTaskError(r);
}

void DecodeTaskError(const char* body, std::size_t size) {
  pool::Reader r(body, size);
  const pool::TaskError e = pool::internal::DecodeTaskError(r);
  if (e.type_name().size() + e.message().size() > size) {
    Abort("a TaskError larger than its encoding");
  }
}

// Records what a job delivers, and checks that it is delivered once.
template <class T>
class RecordingSink final : public pool::internal::Sink<T> {
 public:
  bool Start(std::size_t) noexcept override { return true; }
  void Deliver(std::size_t first,
               pool::internal::ChunkResult<T>&& chunk) noexcept override {
    ++deliveries;
    this->first = first;
    values = chunk.values.size();
    for (const auto& [index, error] : chunk.errors) {
      if (!error) Abort("an item error without an exception");
      if (index < first || index >= first + values) {
        Abort("an item error outside its chunk");
      }
    }
  }
  void Fail(std::size_t, std::size_t, std::exception_ptr) noexcept override {
    ++failures;
  }
  int deliveries = 0;
  int failures = 0;
  std::size_t first = 0;
  std::size_t values = 0;
};

int IntTask(int x) { return x; }
std::string StringTask(std::string s) { return s; }
void VoidTask(int) {}
std::vector<std::map<int, std::string>> NestedTask(int) { return {}; }

// Completes a job of `items` items (the first at index 100) with `body` as
// the worker's reply, as the parent's handler thread does.
template <auto kFn, class Item>
void CompleteReply(std::size_t items, const char* body, std::size_t size) {
  using C =
      pool::internal::Call<decltype(kFn), pool::internal::CallStyle::kOne>;
  using Job = pool::internal::ProcessChunkJob<C>;
  auto sink = std::make_shared<RecordingSink<typename Job::T>>();
  const std::vector<Item> inputs(items);
  Job job(kFn, inputs.begin(), inputs.end(), 100, sink);
  pool::Reader r(body, size);
  try {
    job.Complete(r);
  } catch (const pool::ProtocolError&) {
    if (sink->deliveries != 0) Abort("Complete() delivered, then threw");
    throw;
  }
  if (sink->deliveries != 1 || sink->failures != 0) {
    Abort("Complete() returned without delivering exactly once");
  }
  if (sink->values != items || sink->first != 100) {
    Abort("Complete() delivered the wrong number of values");
  }
}

void Dispatch(int which, std::size_t items, const char* body,
              std::size_t size) {
  switch (which) {
    case 0:
      return DecodeValue<std::string, true>(body, size);
    case 1:
      return DecodeValue<std::vector<std::int32_t>, true>(body, size);
    case 2:
      return DecodeValue<std::vector<std::string>, true>(body, size);
    case 3:
      return DecodeValue<std::map<std::string, std::vector<double>>, false>(
          body, size);
    case 4:
      return DecodeValue<std::vector<std::vector<std::uint64_t>>, true>(body,
                                                                        size);
    case 5:
      return DecodeValue<
          std::tuple<int, std::optional<std::string>,
                     std::pair<bool, std::array<std::int16_t, 3>>>,
          true>(body, size);
    case 6:
      return DecodeValue<
          std::unordered_map<std::int64_t,
                             std::vector<std::pair<std::string, bool>>>,
          false>(body, size);
    case 7:
      return DecodeTaskError(body, size);
    case 8:
      return DecodeReady(body, size);
    case 9:
      return CompleteReply<IntTask, int>(items, body, size);
    case 10:
      return CompleteReply<StringTask, std::string>(items, body, size);
    case 11:
      return CompleteReply<VoidTask, int>(items, body, size);
    default:
      return CompleteReply<NestedTask, int>(items, body, size);
  }
}

}  // namespace

bool DecodesCleanly(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return false;
  const int which = data[0] % kDecoders;
  const std::size_t items = data[1] % 8;
  // A copy of exactly the body, so that AddressSanitizer sees any read past
  // its end.
  const std::vector<char> body(data + 2, data + size);
  try {
    Dispatch(which, items, body.data(), body.size());
  } catch (const pool::ProtocolError&) {
    return false;  // The expected outcome for malformed bytes.
  } catch (const std::exception& e) {
    Abort(std::string("decoder ") + std::to_string(which) + " threw " +
          typeid(e).name() + ": " + e.what());
  } catch (...) {
    Abort("decoder " + std::to_string(which) + " threw a non-std exception");
  }
  return true;
}

int FuzzWireInput(const std::uint8_t* data, std::size_t size) {
  DecodesCleanly(data, size);
  return 0;
}

}  // namespace wire_fuzz
