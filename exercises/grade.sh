#!/usr/bin/env bash
# Kept for old scripts: grading is `./course grade` (see exercises/README.md).
#
#   exercises/grade.sh                 # the exercise files in place
#   exercises/grade.sh SUBMISSION...   # submissions laid out like exercises/
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
if [[ $# -eq 0 ]]; then set -- "$here"; fi
exec "$here/../course" grade "$@"
