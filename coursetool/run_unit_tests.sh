#!/usr/bin/env bash
# Runs the unit tests of ./course (coursetool/*_test.py) with the
# standard library's unittest, from Bazel's runfiles.
set -euo pipefail
cd "${TEST_SRCDIR}/${TEST_WORKSPACE}"
# The tests expect English unless they ask for Chinese (lang_test.py).
export COURSE_LANG=en
exec python3 -B -m unittest discover -s coursetool -p '*_test.py' -t . -v
