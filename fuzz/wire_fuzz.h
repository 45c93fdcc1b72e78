// fuzz/wire_fuzz.h: one entry point that feeds arbitrary bytes to every
// decoder the parent runs on what a worker sends.
//
// A worker is a separate process running user code; a bug or a stray
// write() into the pool's pipe can put any bytes there. The parent must then
// fail with pool::ProtocolError: never crash, never throw anything else,
// never allocate more than the bytes it received can justify.
//
// FuzzWireInput() is a plain function so that two programs share it: the
// libFuzzer target built by fuzz/run_fuzz.sh (clang, sanitizers) and the
// regression test that replays fuzz/corpus and fuzz/regressions under Bazel
// (gcc). It aborts, with a message on stderr, when a check fails.

#ifndef FUZZ_WIRE_FUZZ_H_
#define FUZZ_WIRE_FUZZ_H_

#include <cstddef>
#include <cstdint>

namespace wire_fuzz {

// The number of decoders FuzzWireInput() chooses from.
inline constexpr int kDecoders = 13;

// Input layout: byte 0 picks the decoder (modulo kDecoders); for the
// decoders of a whole reply, byte 1 is the number of items the task had
// (modulo 8); the rest is the body handed to the decoder. Returns 0.
int FuzzWireInput(const std::uint8_t* data, std::size_t size);

// As FuzzWireInput, and returns true if the decoder accepted the input
// (false if it threw ProtocolError, as it should for malformed bytes).
bool DecodesCleanly(const std::uint8_t* data, std::size_t size);

}  // namespace wire_fuzz

#endif  // FUZZ_WIRE_FUZZ_H_
