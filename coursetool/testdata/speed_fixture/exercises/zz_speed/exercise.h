// A made-up exercise for the course tool's end-to-end check of speed
// grading: 1 + 2 + ... + n.

#ifndef EXERCISES_ZZ_SPEED_EXERCISE_H_
#define EXERCISES_ZZ_SPEED_EXERCISE_H_

namespace zz {

// Returns 1 + 2 + ... + n.
long long SumTo(long long n);

}  // namespace zz

#endif  // EXERCISES_ZZ_SPEED_EXERCISE_H_
