// pool/codec.h: how values cross the pipe between the parent and a worker.
//
// A task's arguments travel parent -> worker and its result worker -> parent
// as bytes. `Codec<T>` turns a T into bytes (`encode`) and back (`decode`).
// Both processes are forks of the same program on the same machine, so the
// encoding is the simplest that is safe: native byte order, fixed-width
// integers, and a 64-bit count in front of every variable-length value.
//
// Built in: arithmetic types, bool, enums, std::string, std::vector,
// std::array, std::pair, std::tuple, std::optional, std::map,
// std::unordered_map (and nesting of all of these).
//
// Your own type: specialize `pool::Codec`, for example
//
//   ```cpp file
//   struct Point {
//     double x, y;
//   };
//   template <>
//   struct pool::Codec<Point> {
//     static void encode(Writer& w, const Point& p) {
//       Codec<double>::encode(w, p.x);
//       Codec<double>::encode(w, p.y);
//     }
//     static Point decode(Reader& r) {
//       double x = Codec<double>::decode(r);
//       return {x, Codec<double>::decode(r)};
//     }
//   };
//   static_assert(pool::Encodable<std::vector<Point>>);
//   ```
//
// `pool::Encodable<T>` says whether T has a codec (a built-in container has
// one when its elements do). A pool call whose arguments or result have none
// does not compile, and the error says which. Pointers have no codec on
// purpose: an address means nothing in another process.
//
// Decoding trusts nothing: every read is bounds-checked, a truncated or
// malformed buffer throws pool::ProtocolError, and no length read from the
// buffer makes it allocate more than the bytes that are actually there.

#ifndef POOL_CODEC_H_
#define POOL_CODEC_H_

#include <algorithm>
#include <array>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

#include "pool/errors.h"

namespace pool {

// Appends bytes to a std::string.
class Writer {
 public:
  explicit Writer(std::string& out) : out_(&out) {}
  void write(const void* data, std::size_t n) {
    out_->append(static_cast<const char*>(data), n);
  }
  template <class T>
  void write_raw(const T& v) {
    static_assert(std::is_trivially_copyable_v<T>);
    write(&v, sizeof v);
  }
  std::size_t size() const { return out_->size(); }

 private:
  std::string* out_;
};

// Reads bytes from a buffer it does not own, checking every bound.
class Reader {
 public:
  Reader(const char* data, std::size_t n) : p_(data), end_(data + n) {}
  explicit Reader(std::string_view s) : Reader(s.data(), s.size()) {}

  std::size_t remaining() const { return static_cast<std::size_t>(end_ - p_); }

  // Returns a pointer to the next n bytes and consumes them.
  const char* take(std::size_t n) {
    if (n > remaining()) [[unlikely]] {
      ThrowTruncated(n, remaining());
    }
    const char* p = p_;
    p_ += n;
    return p;
  }
  template <class T>
  T read_raw() {
    static_assert(std::is_trivially_copyable_v<T>);
    T v;
    std::memcpy(&v, take(sizeof v), sizeof v);
    return v;
  }
  // Reads an element count and checks it against the bytes left, assuming
  // each element needs at least `min_bytes_each` bytes. This is what keeps a
  // corrupt count from turning into a huge allocation.
  std::size_t read_count(std::size_t min_bytes_each = 1) {
    const auto n = read_raw<std::uint64_t>();
    if (min_bytes_each > 0 && n > remaining() / min_bytes_each) {
      throw ProtocolError("impossible element count " + std::to_string(n) +
                          " with " + std::to_string(remaining()) +
                          " bytes left");
    }
    return static_cast<std::size_t>(n);
  }

 private:
  // Out of line, so that take() stays small enough to inline everywhere.
  [[noreturn, gnu::cold, gnu::noinline]] static void ThrowTruncated(
      std::size_t needed, std::size_t left) {
    throw ProtocolError("truncated message: needed " + std::to_string(needed) +
                        " more bytes, only " + std::to_string(left) + " left");
  }

  const char* p_;
  const char* end_;
};

// Declared, never defined: a type has a codec only by a specialization.
template <class T, class Enable = void>
struct Codec;

// Whether values of T can cross the pipe: Codec<T> exists and has both
// members.
template <class T>
concept Encodable = requires(Writer& w, Reader& r, const T& v) {
  Codec<T>::encode(w, v);
  { Codec<T>::decode(r) } -> std::convertible_to<T>;
};

namespace internal {

// Whether a T is encoded as its own bytes (arithmetic types and enums, not
// bool, whose byte is checked), so that a run of them is copied in one go:
// by the vector codec here, and by the engine for a map's arguments and
// results.
template <class T>
inline constexpr bool kIsPlainData =
    (std::is_arithmetic_v<T> || std::is_enum_v<T>)&&!std::is_same_v<T, bool>;

}  // namespace internal

// The number of bytes an encoded T takes at the least (used to bound counts).
template <class T>
inline constexpr std::size_t kMinEncodedSize = 1;

// Arithmetic types and enums: their bytes.
template <class T>
struct Codec<T,
             std::enable_if_t<std::is_arithmetic_v<T> || std::is_enum_v<T>>> {
  static void encode(Writer& w, const T& v) { w.write_raw(v); }
  static T decode(Reader& r) {
    if constexpr (std::is_same_v<T, bool>) {
      const auto b = r.read_raw<std::uint8_t>();
      if (b > 1) throw ProtocolError("invalid bool byte " + std::to_string(b));
      return b != 0;
    } else {
      return r.read_raw<T>();
    }
  }
};

template <>
struct Codec<std::string> {
  static void encode(Writer& w, const std::string& s) {
    w.write_raw<std::uint64_t>(s.size());
    w.write(s.data(), s.size());
  }
  static std::string decode(Reader& r) {
    const std::size_t n = r.read_count();
    const char* p = r.take(n);
    return std::string(p, n);
  }
};
template <>
inline constexpr std::size_t kMinEncodedSize<std::string> = 8;

template <Encodable T, class A>
struct Codec<std::vector<T, A>> {
  static void encode(Writer& w, const std::vector<T, A>& v) {
    w.write_raw<std::uint64_t>(v.size());
    if constexpr (internal::kIsPlainData<T>) {
      if (!v.empty()) w.write(v.data(), v.size() * sizeof(T));  // One copy.
    } else {
      for (const auto& e : v) Codec<T>::encode(w, e);
    }
  }
  static std::vector<T, A> decode(Reader& r) {
    if constexpr (internal::kIsPlainData<T>) {
      const std::size_t n = r.read_count(sizeof(T));
      std::vector<T, A> v(n);
      const char* bytes = r.take(n * sizeof(T));
      if (n > 0) std::memcpy(v.data(), bytes, n * sizeof(T));
      return v;
    } else {
      const std::size_t n = r.read_count(kMinEncodedSize<T>);
      std::vector<T, A> v;
      // Reserve by what the bytes left can hold, not by the claimed count.
      v.reserve(std::min(n, r.remaining() / sizeof(T) + 1));
      for (std::size_t i = 0; i < n; ++i) v.push_back(Codec<T>::decode(r));
      return v;
    }
  }
};

template <Encodable T, std::size_t N>
struct Codec<std::array<T, N>> {
  static void encode(Writer& w, const std::array<T, N>& a) {
    for (const auto& e : a) Codec<T>::encode(w, e);
  }
  static std::array<T, N> decode(Reader& r) {
    return DecodeAll(r, std::make_index_sequence<N>());
  }

 private:
  template <std::size_t... I>
  static std::array<T, N> DecodeAll(Reader& r, std::index_sequence<I...>) {
    // Braced initialization evaluates left to right.
    return {{(static_cast<void>(I), Codec<T>::decode(r))...}};
  }
};

template <Encodable... T>
struct Codec<std::tuple<T...>> {
  static void encode(Writer& w, const std::tuple<T...>& t) {
    std::apply([&w](const auto&... e) { (Codec<T>::encode(w, e), ...); }, t);
  }
  static std::tuple<T...> decode(Reader& r) {
    // Braced initialization evaluates left to right.
    return std::tuple<T...>{Codec<T>::decode(r)...};
  }
};

template <Encodable A, Encodable B>
struct Codec<std::pair<A, B>> {
  static void encode(Writer& w, const std::pair<A, B>& p) {
    Codec<A>::encode(w, p.first);
    Codec<B>::encode(w, p.second);
  }
  static std::pair<A, B> decode(Reader& r) {
    A a = Codec<A>::decode(r);
    return {std::move(a), Codec<B>::decode(r)};
  }
};

template <Encodable T>
struct Codec<std::optional<T>> {
  static void encode(Writer& w, const std::optional<T>& o) {
    Codec<bool>::encode(w, o.has_value());
    if (o) Codec<T>::encode(w, *o);
  }
  static std::optional<T> decode(Reader& r) {
    if (!Codec<bool>::decode(r)) return std::nullopt;
    return Codec<T>::decode(r);
  }
};

// std::map and std::unordered_map: a count, then key/value pairs.
template <class M>
struct MapCodec {
  using K = typename M::key_type;
  using V = typename M::mapped_type;
  static void encode(Writer& w, const M& m) {
    w.write_raw<std::uint64_t>(m.size());
    for (const auto& [k, v] : m) {
      Codec<K>::encode(w, k);
      Codec<V>::encode(w, v);
    }
  }
  static M decode(Reader& r) {
    const std::size_t n = r.read_count(kMinEncodedSize<K>);
    M m;
    for (std::size_t i = 0; i < n; ++i) {
      K k = Codec<K>::decode(r);
      m.emplace(std::move(k), Codec<V>::decode(r));
    }
    return m;
  }
};
template <Encodable K, Encodable V, class C, class A>
struct Codec<std::map<K, V, C, A>> : MapCodec<std::map<K, V, C, A>> {};
template <Encodable K, Encodable V, class H, class E, class A>
struct Codec<std::unordered_map<K, V, H, E, A>>
    : MapCodec<std::unordered_map<K, V, H, E, A>> {};

// Encodes one value; a shorthand for Codec<T>::encode.
template <class T>
void Encode(Writer& w, const T& v) {
  static_assert(Encodable<T>,
                "pool::Codec<T> has no specialization for this T; see "
                "pool/codec.h for how to write one");
  Codec<T>::encode(w, v);
}

// Decodes one value; a shorthand for Codec<T>::decode.
template <class T>
T Decode(Reader& r) {
  static_assert(Encodable<T>,
                "pool::Codec<T> has no specialization for this T; see "
                "pool/codec.h for how to write one");
  return Codec<T>::decode(r);
}

}  // namespace pool

#endif  // POOL_CODEC_H_
