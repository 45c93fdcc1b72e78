#!/usr/bin/env bash
# Usage: expect_failure.sh TEST_BINARY
#
# Checks that an exercise's starter still compiles and still fails: runs the
# starter's test binary (Bazel built it, so it compiles) and succeeds only if
# the binary ran to the end and every one of its tests failed. A starter
# that passes a test gives marks for nothing; a starter that crashes or
# hangs is broken. Either way this check goes red.
set -uo pipefail

bin=$1

# The inner binary is not the test Bazel is running: keep it from writing
# this test's XML report, shard files or premature-exit marker.
unset XML_OUTPUT_FILE GTEST_OUTPUT TEST_PREMATURE_EXIT_FILE \
  TEST_SHARD_STATUS_FILE TEST_TOTAL_SHARDS TEST_SHARD_INDEX

out=$(timeout 240 "$bin" 2>&1)
status=$?

fail() {
  echo "$out"
  echo
  echo "starter check: $*"
  exit 1
}

case $status in
  0) fail "the starter PASSES its tests; it must fail them." ;;
  1) ;;
  124) fail "the starter's tests hung (killed after 240 s)." ;;
  *) fail "the starter's tests crashed (exit status $status)." ;;
esac

ran=$(sed -n 's/^\[==========\] \([0-9]*\) tests\? from .* ran\..*/\1/p' <<<"$out")
passed=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) tests\?\..*/\1/p' <<<"$out")
[[ -n $ran && $ran -gt 0 ]] || fail "no tests ran."
[[ ${passed:-0} -eq 0 ]] || fail "$passed of $ran tests pass against the starter; all must fail."

echo "starter check: all $ran tests fail against the starter, as they should."
