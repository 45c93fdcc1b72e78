#!/usr/bin/env bash
# Grades the exercises: runs every exercise's test against the exercise.cc
# files and prints one line per exercise and a score.
#
#   exercises/grade.sh                 # grade the exercise.cc files in place
#   exercises/grade.sh SUBMISSION_DIR  # grade a submission (see below)
#   exercises/grade.sh solutions       # the reference solutions: 13/13
#
# A submission is a directory laid out like exercises/: SUBMISSION_DIR/
# 03_map/exercise.cc and so on. Each exercise.cc found there is copied over
# exercises/NN_name/exercise.cc for the run and the original is put back
# afterwards (also on Ctrl-C). An exercise missing from the submission is
# graded on the starter, so it fails.
#
# Set BAZEL to run Bazel some other way, e.g.
#   BAZEL="./bazelw --output_base=/tmp/grading" exercises/grade.sh subs/ana
#
# Exit status: 0 if every exercise passed, 1 otherwise.
set -euo pipefail

cd "$(dirname "$0")/.."
bazel=${BAZEL:-./bazelw}

exercises=()
for dir in exercises/[0-9][0-9]_*/; do
  exercises+=("$(basename "$dir")")
done

# Step 1. Put the submission's files in place, keeping the originals.
backup=$(mktemp -d)
log=$(mktemp /tmp/grade.XXXXXX.log)
restore() {
  for name in "${exercises[@]}"; do
    if [[ -f $backup/$name.cc ]]; then
      cp "$backup/$name.cc" "exercises/$name/exercise.cc"
    fi
  done
  rm -rf "$backup"
}
trap restore EXIT
trap 'exit 130' INT TERM

if [[ $# -ge 1 ]]; then
  submission=${1%/}
  [[ -d $submission ]] || { echo "grade.sh: no directory $submission" >&2; exit 2; }
  for name in "${exercises[@]}"; do
    cp "exercises/$name/exercise.cc" "$backup/$name.cc"
    if [[ -f $submission/$name/exercise.cc ]]; then
      cp "$submission/$name/exercise.cc" "exercises/$name/exercise.cc"
    else
      echo "grade.sh: $submission has no $name/exercise.cc; grading the starter"
    fi
  done
fi

# Step 2. Run all the tests in one Bazel call. --keep_going: an exercise
# that does not compile fails alone instead of stopping the rest.
targets=()
for name in "${exercises[@]}"; do targets+=("//exercises/$name:test"); done
echo "grade.sh: running ${#targets[@]} exercise tests (log: $log)"
set +e
$bazel test --keep_going --test_output=summary "${targets[@]}" >"$log" 2>&1
set -e
testlogs=$($bazel info bazel-testlogs 2>/dev/null || true)

# Step 3. One line per exercise: its status in Bazel's summary, and how
# many of its test cases passed (from the test's own log).
passed=0
for name in "${exercises[@]}"; do
  status=$(awk -v t="//exercises/$name:test" \
    '$1 == t { s = ($2 == "(cached)") ? $3 : $2; if (s == "NO") s = "NO STATUS";
               if (s == "FAILED" && $3 == "TO") s = "NO BUILD"; print s }' "$log" |
    tail -n 1)
  [[ -n $status ]] || status="NO BUILD"
  cases=""
  test_log="$testlogs/exercises/$name/test/test.log"
  if [[ $status != "NO BUILD" && -n $testlogs && -f $test_log ]]; then
    ran=$(sed -n 's/^\[==========\] \([0-9]*\) tests\? from .* ran\..*/\1/p' "$test_log")
    ok=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) tests\?\..*/\1/p' "$test_log")
    [[ -n $ran ]] && cases="${ok:-0}/$ran test cases"
  fi
  [[ $status == PASSED ]] && passed=$((passed + 1))
  printf '%-28s %-10s %s\n' "$name" "$status" "$cases"
done

echo "Score: $passed/${#exercises[@]} passed"
[[ $passed -eq ${#exercises[@]} ]]
