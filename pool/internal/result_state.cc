#include "pool/internal/result_state.h"

#include <exception>
#include <string>

namespace pool::internal {

std::string DescribeCallbackFailure(const char* which,
                                    const std::exception_ptr& original) {
  const TaskError e = CurrentExceptionAsTaskError();
  std::string message =
      std::string(which) + " threw " + e.type_name() + ": " + e.message();
  if (original) {
    try {
      std::rethrow_exception(original);
    } catch (const std::exception& o) {
      message += " (while handling: " + std::string(o.what()) + ")";
    } catch (...) {
    }
  }
  return message;
}

std::exception_ptr CancelledByCancel() {
  return std::make_exception_ptr(
      CancelledError("cancelled: cancel() was called before this task "
                     "started"));
}

}  // namespace pool::internal
