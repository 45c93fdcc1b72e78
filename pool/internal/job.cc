#include "pool/internal/job.h"

#include <cxxabi.h>

#include <cstdlib>
#include <exception>
#include <memory>
#include <new>
#include <string>
#include <system_error>
#include <typeinfo>

namespace pool::internal {
namespace {

std::string Demangle(const char* mangled) {
  int status = 0;
  std::unique_ptr<char, decltype(&std::free)> name(
      abi::__cxa_demangle(mangled, nullptr, nullptr, &status), &std::free);
  return status == 0 && name ? std::string(name.get()) : std::string(mangled);
}

}  // namespace

TaskError CurrentExceptionAsTaskError() {
  // The type of whatever is in flight, std::exception or not.
  const std::type_info* type = abi::__cxa_current_exception_type();
  std::string type_name = type ? Demangle(type->name()) : "unknown exception";
  try {
    throw;
  } catch (const TaskError& e) {
    return e;  // Already described (a ThreadPool task rethrowing one).
  } catch (const std::exception& e) {
    return TaskError(std::move(type_name), e.what());
  } catch (const char* s) {
    return TaskError(std::move(type_name), s ? s : "(null)");
  } catch (const std::string& s) {
    return TaskError(std::move(type_name), s);
  } catch (int v) {
    return TaskError(std::move(type_name), std::to_string(v));
  } catch (long v) {
    return TaskError(std::move(type_name), std::to_string(v));
  } catch (unsigned v) {
    return TaskError(std::move(type_name), std::to_string(v));
  } catch (...) {
    return TaskError(std::move(type_name),
                     "(a thrown " + type_name + " has no what() to show)");
  }
}

std::exception_ptr CurrentExceptionAsPoolError(const std::string& context) {
  try {
    throw;
  } catch (const Error&) {
    return std::current_exception();
  } catch (const std::system_error& e) {
    return std::make_exception_ptr(
        SystemError(e.code(), context, context + ": " + e.what()));
  } catch (const std::bad_alloc&) {
    return std::make_exception_ptr(
        Error(context + ": out of memory (std::bad_alloc)"));
  } catch (...) {
    const TaskError e = CurrentExceptionAsTaskError();
    return std::make_exception_ptr(
        Error(context + ": " + e.type_name() + ": " + e.message()));
  }
}

void EncodeCurrentException(Writer& out) {
  const TaskError e = CurrentExceptionAsTaskError();
  Encode(out, e.type_name());
  Encode(out, e.message());
}

TaskError DecodeTaskError(Reader& in) {
  std::string type_name = Decode<std::string>(in);
  std::string message = Decode<std::string>(in);
  return TaskError(std::move(type_name), std::move(message));
}

}  // namespace pool::internal
