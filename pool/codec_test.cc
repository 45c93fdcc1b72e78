#include "pool/codec.h"

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <unordered_map>
#include <utility>
#include <vector>

namespace {

enum class Color : std::uint8_t { kRed, kGreen };

struct Point {
  double x, y;
  bool operator==(const Point&) const = default;
};

}  // namespace

template <>
struct pool::Codec<Point> {
  static void encode(Writer& w, const Point& p) {
    Codec<double>::encode(w, p.x);
    Codec<double>::encode(w, p.y);
  }
  static Point decode(Reader& r) {
    const double x = Codec<double>::decode(r);
    return {x, Codec<double>::decode(r)};
  }
};

namespace {

template <class T>
T RoundTrip(const T& value) {
  std::string bytes;
  pool::Writer w(bytes);
  pool::Encode(w, value);
  pool::Reader r(bytes);
  T out = pool::Decode<T>(r);
  EXPECT_EQ(r.remaining(), 0u);
  return out;
}

// Every built-in codec gives back what it was given.
TEST(CodecTest, BuiltInTypesRoundTrip) {
  EXPECT_EQ(RoundTrip(42), 42);
  EXPECT_EQ(RoundTrip(-7LL), -7LL);
  EXPECT_EQ(RoundTrip(2.5), 2.5);
  EXPECT_EQ(RoundTrip(true), true);
  EXPECT_EQ(RoundTrip(Color::kGreen), Color::kGreen);
  EXPECT_EQ(RoundTrip(std::string("进程池\0x", 11)),
            std::string("进程池\0x", 11));
  EXPECT_EQ(RoundTrip(std::vector<int>{1, 2, 3}), (std::vector<int>{1, 2, 3}));
  EXPECT_EQ(RoundTrip(std::vector<bool>{true, false}),
            (std::vector<bool>{true, false}));
  EXPECT_EQ(RoundTrip(std::vector<std::string>{"a", "", "c"}),
            (std::vector<std::string>{"a", "", "c"}));
  EXPECT_EQ(RoundTrip(std::array<int, 3>{4, 5, 6}),
            (std::array<int, 3>{4, 5, 6}));
  EXPECT_EQ(RoundTrip(std::pair<int, std::string>{1, "x"}),
            (std::pair<int, std::string>{1, "x"}));
  EXPECT_EQ(RoundTrip(std::tuple<int, double, std::string>{1, 2.0, "3"}),
            (std::tuple<int, double, std::string>{1, 2.0, "3"}));
  EXPECT_EQ(RoundTrip(std::optional<int>{}), std::nullopt);
  EXPECT_EQ(RoundTrip(std::optional<int>{9}), 9);
  EXPECT_EQ(RoundTrip(std::map<std::string, int>{{"a", 1}, {"b", 2}}),
            (std::map<std::string, int>{{"a", 1}, {"b", 2}}));
  EXPECT_EQ(RoundTrip(std::unordered_map<int, std::vector<int>>{{1, {2}}}),
            (std::unordered_map<int, std::vector<int>>{{1, {2}}}));
  EXPECT_EQ(RoundTrip(std::vector<std::tuple<int, std::optional<std::string>>>{
                {1, "a"}, {2, std::nullopt}}),
            (std::vector<std::tuple<int, std::optional<std::string>>>{
                {1, "a"}, {2, std::nullopt}}));
}

// A user type works once pool::Codec is specialized for it.
TEST(CodecTest, UserSpecializationRoundTrips) {
  EXPECT_EQ(RoundTrip(Point{1.5, -2}), (Point{1.5, -2}));
  EXPECT_EQ(RoundTrip(std::vector<Point>{{1, 2}, {3, 4}}),
            (std::vector<Point>{{1, 2}, {3, 4}}));
}

// Every prefix of a valid encoding is rejected with ProtocolError.
TEST(CodecTest, TruncatedInputIsProtocolError) {
  std::string bytes;
  pool::Writer w(bytes);
  pool::Encode(w, std::map<std::string, std::vector<int>>{{"key", {1, 2}}});
  for (std::size_t n = 0; n < bytes.size(); ++n) {
    pool::Reader r(bytes.data(), n);
    EXPECT_THROW((pool::Decode<std::map<std::string, std::vector<int>>>(r)),
                 pool::ProtocolError)
        << "prefix of " << n << " bytes";
  }
}

// A count larger than the bytes that follow is rejected before allocating.
TEST(CodecTest, AbsurdCountIsRejectedWithoutAllocating) {
  std::string bytes;
  pool::Writer w(bytes);
  w.write_raw<std::uint64_t>(std::uint64_t{1} << 60);
  w.write_raw<std::uint64_t>(0);
  pool::Reader r1(bytes);
  EXPECT_THROW(pool::Decode<std::vector<std::string>>(r1), pool::ProtocolError);
  pool::Reader r2(bytes);
  EXPECT_THROW(pool::Decode<std::string>(r2), pool::ProtocolError);
  pool::Reader r3(bytes);
  EXPECT_THROW((pool::Decode<std::vector<std::int64_t>>(r3)),
               pool::ProtocolError);
}

// A bool byte other than 0 or 1 is malformed.
TEST(CodecTest, InvalidBoolIsProtocolError) {
  const std::string bytes(1, '\x07');
  pool::Reader r(bytes);
  EXPECT_THROW(pool::Decode<bool>(r), pool::ProtocolError);
}

}  // namespace
