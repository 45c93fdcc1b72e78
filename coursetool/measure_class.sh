#!/usr/bin/env bash
# Times ./course grade on a made-up class, cold and warm:
#
#   coursetool/measure_class.sh [N] [CACHE_DIR] [ROUNDS]
#
# Makes N submissions (default 10) of all the API exercises: reference
# solutions with a function of their own added to every file (so no two
# students share a compiled file or a test binary, as in a real class: a
# comment alone would compile to the same object, and Bazel would reuse
# the test results; the function is kept in the binary, gnu::retain, where
# the optimised static link would drop it as unused), a few exercises left
# at the starter. Grades them with a fresh CACHE_DIR (cold: the first
# submission compiles the library and the tests), then grades a second
# class of N different submissions with the same cache (warm), and prints
# the time per submission with the load average. ROUNDS (default "cold
# warm") may be "warm" alone, with a CACHE_DIR graded with before; then set
# MEASURE_TAG to a word of its own, so that the class differs from the one
# graded before (else Bazel would reuse its test results). With
# COURSE_PROFILE_DIR set, every Bazel run of the grader leaves a profile
# there (`./bazelw analyze-profile FILE`).
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-10}
# Not under /tmp: the sandbox gives each test a /tmp of its own, which it
# cannot do for a directory that holds the grader's workspace.
mkdir -p "${XDG_CACHE_HOME:-$HOME/.cache}"
cache=${2:-$(mktemp -d "${XDG_CACHE_HOME:-$HOME/.cache}/course-measure-cache.XXXXXX")}
work=$(mktemp -d "${TMPDIR:-/tmp}/course-measure.XXXXXX")
shutdown_servers() {
  for b in "$cache"/bases/*; do
    t=$cache/trees/$(basename "$b")
    [[ -d $t ]] && (cd "$t" && ./bazelw --output_base="$b" --max_idle_secs=900 shutdown) >/dev/null 2>&1 || true
  done
}
trap 'rm -rf "$work"; shutdown_servers' EXIT

make_class() { # DIR TAG
  for i in $(seq "$n"); do
    s=$1/student$i
    for d in exercises/[0-9][0-9]_*/; do
      d=$(basename "$d")
      mkdir -p "$s/$d"
      if (((i + ${#d}) % 5 == 0)); then
        cp "exercises/$d/exercise.cc" "$s/$d/"  # not done yet: the starter
      else
        cp "solutions/$d/exercise.cc" "$s/$d/"
        echo "[[gnu::used, gnu::retain]] int course_measure_${2}_${i}() { return $i; }" >>"$s/$d/exercise.cc"
      fi
    done
  done
}

for round in ${3:-cold warm}; do
  make_class "$work/$round" "$round${MEASURE_TAG:-}"
  echo "== $round: $n submissions; load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
  start=$(date +%s.%N)
  ./course grade "$work/$round"/* --cache "$cache" --quiet --csv "$work/$round.csv" \
    >"$work/$round.txt" 2>"$work/$round.err" || true
  end=$(date +%s.%N)
  python3 - "$work/$round.err" "$start" "$end" "$n" <<'PY'
import re, sys
err, start, end, n = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
print("   total %.0f s, %.1f s per submission" % (end - start, (end - start) / n))
PY
  cat "$work/$round.txt"
  # The grader's own account of each submission: how long it built, tested
  # and timed the benchmarks.
  sed 's/^course grade: /   /' "$work/$round.err"
  [[ -z ${MEASURE_SHOW_CSV:-} ]] || cat "$work/$round.csv"
  # Every exercise not left at the starter is the reference: its index is
  # the reference's against itself.
  python3 - "$work/$round.csv" <<'PY'
import csv, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1], encoding="utf-8")))
for col in [c for c in (rows[0] if rows else {}) if c.endswith(" speed index")]:
    got = sorted(float(r[col]) for r in rows if r[col])
    if got:
        print("   %s: the reference against itself: %s (min %.2f, median %.2f)"
              % (col.split()[0], " ".join("%.2f" % x for x in got), got[0],
                 statistics.median(got)))
PY
  echo "   load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
done
