// The libFuzzer entry point; see fuzz/run_fuzz.sh.

#include <cstddef>
#include <cstdint>

#include "fuzz/wire_fuzz.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data,
                                      std::size_t size) {
  return wire_fuzz::FuzzWireInput(data, size);
}
