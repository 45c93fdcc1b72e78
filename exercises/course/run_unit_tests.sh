#!/usr/bin/env bash
# Runs the unit tests of ./course (exercises/course/*_test.py) with the
# standard library's unittest, from Bazel's runfiles.
set -euo pipefail
cd "${TEST_SRCDIR}/${TEST_WORKSPACE}/exercises"
exec python3 -B -m unittest discover -s course -p '*_test.py' -t . -v
