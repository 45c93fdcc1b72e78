#!/usr/bin/env bash
# Gradescope runs this once, when it builds the autograder's image, in
# /autograder/source (the unpacked autograder zip: this script,
# run_autograder, course/ and maybe hidden/; see README.md).
#
# It installs what the course builds with (./bazelw installs Bazel,
# GoogleTest and Google Benchmark with apt-get) and grades the starter tree
# once, so that the image holds a warm grading workspace: every submission
# then only compiles its own files.
set -euo pipefail
source_dir=${AUTOGRADER_ROOT:-/autograder}/source
cd "$source_dir/course"

export DEBIAN_FRONTEND=noninteractive
if ! command -v python3 >/dev/null || ! command -v git >/dev/null; then
  apt-get update -q
  apt-get install -y -q --no-install-recommends python3 git ca-certificates
fi
./bazelw version >/dev/null
# Warm the grading workspace: compiles the library, the tests and the
# reference solutions. Every starter fails, so the exit status is 1.
./course grade exercises --sandbox auto --quiet || [[ $? -eq 1 ]]
