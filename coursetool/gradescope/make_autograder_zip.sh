#!/usr/bin/env bash
# Makes the zip to upload as a Gradescope autograder:
#
#   coursetool/gradescope/make_autograder_zip.sh OUT.zip [HIDDEN_DIR]
#
# The zip holds setup.sh and run_autograder at its root, the course's
# committed tree (HEAD) under course/, and, if given, the instructor's
# hidden tests under hidden/ (laid out like exercises/: 03_map/*_test.cc).
set -euo pipefail
out=$(realpath -m "$1")
hidden=${2:-}
cd "$(dirname "$0")/../.."
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
cp coursetool/gradescope/setup.sh coursetool/gradescope/run_autograder "$stage/"
mkdir "$stage/course"
git archive --format=tar HEAD | tar -x -C "$stage/course"
if [[ -n $hidden ]]; then cp -r "$hidden" "$stage/hidden"; fi
rm -f "$out"
(cd "$stage" && python3 -m zipfile -c "$out" setup.sh run_autograder course ${hidden:+hidden})
echo "wrote $out"
