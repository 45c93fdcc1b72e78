// Exercise 1: Pool::apply. Replace each TODO with one call to pool.apply.

#include "exercises/01_apply/exercise.h"

#include <stdexcept>

namespace exercises {

long long ApplyNoArgs(pool::Pool& /*pool*/, long long (* /*fn*/)()) {
  // TODO: run fn() in a worker and return its result.
  throw std::logic_error("TODO: ApplyNoArgs is not written yet");
}

long long ApplyOne(pool::Pool& /*pool*/, long long (* /*fn*/)(long long),
                   long long /*x*/) {
  // TODO: run fn(x) in a worker and return its result.
  throw std::logic_error("TODO: ApplyOne is not written yet");
}

long long ApplyTwo(pool::Pool& /*pool*/,
                   long long (* /*fn*/)(long long, long long), long long /*a*/,
                   long long /*b*/) {
  // TODO: run fn(a, b) in a worker and return its result.
  throw std::logic_error("TODO: ApplyTwo is not written yet");
}

}  // namespace exercises
