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

}  // namespace pool::internal
