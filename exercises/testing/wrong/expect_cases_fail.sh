#!/usr/bin/env bash
# Usage: expect_cases_fail.sh TEST_BINARY CASE...
#
# Runs an exercise's test binary built against a known-wrong solution and
# succeeds only if every named test case failed (and the binary ran to the
# end). It pins down that the exercise's tests catch that mistake.
set -uo pipefail

bin=$1
shift
# The inner binary is not the test Bazel is running: keep it from writing
# this test's XML report, shard files or premature-exit marker.
unset XML_OUTPUT_FILE GTEST_OUTPUT TEST_PREMATURE_EXIT_FILE \
  TEST_SHARD_STATUS_FILE TEST_TOTAL_SHARDS TEST_SHARD_INDEX

filter=$(IFS=:; echo "$*")
out=$(timeout 240 "$bin" --gtest_filter="$filter" 2>&1)
status=$?
echo "$out"
echo
case $status in
  1) ;;
  0) echo "wrong-solution check: the wrong solution PASSES $*"; exit 1 ;;
  *) echo "wrong-solution check: the test binary crashed or hung (status $status)"; exit 1 ;;
esac
for c in "$@"; do
  if ! grep -qxF "[  FAILED  ] $c" <<<"$(sed 's/ ([0-9]* ms)$//' <<<"$out")"; then
    echo "wrong-solution check: $c did not fail"
    exit 1
  fi
done
echo "wrong-solution check: $# case(s) fail against the wrong solution, as they should."
