#!/usr/bin/env bash
# End-to-end checks of ./course that drive Bazel itself, which a Bazel
# test cannot do; .ci/run runs this after `./bazelw test //...`.
#
#   coursetool/e2e_test.sh
#
# 1. `./course check`, and `./course` on this checkout's starters: exercise
#    01 is next.
# 2. The grader on the starter tree (0 points) and on the solutions (full
#    marks), with results.json checked field by field.
# 3. A class of hostile submissions (exit(0), abort, fake gtest output,
#    a fake XML report, a hang, a compile error, one that snoops on another
#    submission and on /tmp), graded with --hidden: exact marks, a reason
#    per failed case, nothing leaked, the other submission unchanged. Two
#    graders run at the same time. An assignment of three exercises grades
#    out of those three only, with a status per exercise in the CSV and
#    --json into a directory that does not exist yet. Under `taskset -c 0`
#    speed is not graded, and the results say so.
# 4. A grader SIGKILLed mid-run leaves this checkout as it was, and the next
#    grader works.
# 5. The learner loop in a clone: `./course watch` reruns on a save and moves
#    on; hint, run and reset. At the moment of failure: a wrong-argument
#    call shows the learner's exercise.cc:LINE first; an infinite loop in
#    one function is blamed on the case that was running, named while it
#    runs and stopped at the learner-loop limit; `watch b01` reruns on a
#    save to b01's file.
# 6. Gradescope's run_autograder on a fake /autograder tree.
# 7. `./course bench` and speed points on a made-up exercise.
# 8. Speed on the real exercises: every reference earns its speed points
#    against itself; the naive answers of 03 and b05 pass every case and
#    earn none.
#
# It starts only on the committed starters, and whether it passes or fails,
# the checkout must be as it found it (git status and every tracked file's
# content), or the run fails.
#
# Grading workspaces go to $COURSE_E2E_CACHE (default
# ~/.cache/course-grader-e2e); every Bazel server this script starts is shut
# down at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
course=$root/course
cache=${COURSE_E2E_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/course-grader-e2e}
work=$(mktemp -d "${TMPDIR:-/tmp}/course-e2e.XXXXXX")
clone=""
watch_pid=""
before=""

cleanup() {
  local code=$?
  if [[ -n $watch_pid ]]; then kill -- "-$watch_pid" 2>/dev/null || true; fi
  # The grader's Bazel servers: shut down with the startup options they
  # were started with, from their own workspace.
  for base in "$cache"/bases/*; do
    tree=$cache/trees/$(basename "$base")
    [[ -d $base && -d $tree ]] || continue
    (cd "$tree" && ./bazelw --output_base="$base" --max_idle_secs=900 shutdown) >/dev/null 2>&1 || true
  done
  if [[ -n $clone && -d $clone ]]; then
    (cd "$clone" && ./bazelw shutdown >/dev/null 2>&1) || true
  fi
  rm -rf "$work"
  # Whatever failed or passed: nothing here may have written to the
  # checkout (solutions over the starters above all).
  if [[ -n $before && $(fingerprint) != "$before" ]]; then
    echo "e2e: FAILED: the checkout changed during the run:"
    diff <(echo "$before") <(fingerprint) || true
    code=1
  fi
  exit "$code"
}
trap cleanup EXIT

step() { echo "e2e: $*"; }
die() {
  echo "e2e: FAILED: $*"
  exit 1
}
check() { python3 coursetool/e2e_check.py "$@"; }
grade() { "$course" grade --cache "$cache" "$@"; }

# A fingerprint of the checkout: what git sees (tracked and untracked files,
# ignored ones too) and the content of every file.
fingerprint() {
  GIT_OPTIONAL_LOCKS=0 git status --porcelain=v1 --ignored --untracked-files=all |
    grep -v -e ' bazel-' -e ' \.course/' || true
  git ls-files -z | xargs -0 sha1sum
}

# The checks below expect the starters in exercises/: say so plainly if a
# learner's file differs from the last commit (a solution copied in by hand,
# for instance) rather than fail later on an odd score.
learner_files=$(PYTHONPATH=. python3 -c '
from coursetool import catalog
for e in catalog.discover("."):
    for f in e.files:
        print(e.path + "/" + f)')
# shellcheck disable=SC2086 # one path per word
changed=$(git status --porcelain -- $learner_files)
[[ -z $changed ]] || die "these learner's files differ from the last commit; the checks need the starters (git checkout -- FILE):
$changed"
before=$(fingerprint)

step "1. ./course check and the status screen"
"$course" check
status_out=$("$course" 2>&1) || die "./course exited $?: $status_out"
grep -q "Next: 01 apply" <<<"$status_out" || die "./course did not name 01 as next:
$status_out"
grep -Eq " 0/[0-9]+ solved" <<<"$status_out" || die "./course should show 0/N solved"
"$course" hint 99 >/dev/null 2>&1 && die "./course hint 99 should fail"
[[ $("$course" hint 99 2>&1 || true) == *"no exercise '99'; \`./course\` lists them"* ]] ||
  die "./course hint 99 should name the fix"


step "2. the starter tree scores 0, the solutions full marks"
set +e
grade exercises --json "$work/starter.json" --quiet --no-performance
code=$?
set -e
[[ $code -eq 1 ]] || die "grading the starters exited $code, not 1"
check starter "$work/starter.json"
# Speed is checked on its own in step 7 (a reference timed against itself
# is noisy on a loaded machine).
set +e
grade solutions --json "$work/solutions.json" --quiet --no-performance
code=$?
set -e
check solutions "$work/solutions.json" # names any case that failed
[[ $code -eq 0 ]] || die "grading the solutions exited $code"
check workflow .github/workflows/classroom.yml "$work/solutions.json"

step "3. a class of hostile submissions, with hidden tests"
subs=$work/subs
mkdir -p "$subs/victim/01_apply" "$subs/snoop/01_apply" "$work/json"
cp -r coursetool/testdata/submissions/* "$subs/"
cp solutions/01_apply/exercise.cc "$subs/victim/01_apply/"
victim=$subs/victim/01_apply/exercise.cc
victim_sum=$(sha1sum <"$victim")
leak=/tmp/course-e2e-leak.$$
rm -f "$leak" "/dev/shm/course-e2e-leak.$$"
# Correct code that tries to reach outside its sandbox: it writes to /tmp
# and /dev/shm, and reads and appends to the victim's file. If it could
# read that file, ApplyNoArgs answers wrongly and loses a point.
cat >"$subs/snoop/01_apply/exercise.cc" <<EOF
#include <fcntl.h>
#include <unistd.h>

#include "exercises/01_apply/exercise.h"

namespace {
bool Snooped() {
  int fd = ::open("$leak", O_WRONLY | O_CREAT, 0644);
  if (fd >= 0) ::close(fd);
  fd = ::open("/dev/shm/course-e2e-leak.$$", O_WRONLY | O_CREAT, 0644);
  if (fd >= 0) ::close(fd);
  fd = ::open("$victim", O_RDWR | O_APPEND);
  if (fd < 0) fd = ::open("$victim", O_RDONLY);
  if (fd < 0) return false;
  (void)!::write(fd, "// changed by another submission\n", 34);
  ::close(fd);
  return true;
}
}  // namespace

namespace exercises {
long long ApplyNoArgs(pool::Pool& pool, long long (*fn)()) {
  return Snooped() ? -1 : pool.apply(fn);
}
long long ApplyOne(pool::Pool& pool, long long (*fn)(long long), long long x) {
  return pool.apply(fn, x);
}
long long ApplyTwo(pool::Pool& pool, long long (*fn)(long long, long long),
                   long long a, long long b) {
  return pool.apply(fn, std::tuple{a, b});
}
}  // namespace exercises
EOF
hidden=coursetool/testdata/hidden
start=$SECONDS
set +e
grade "$subs"/* --timeout 10 --hidden "$hidden" --json "$work/json" \
  --csv "$work/class.csv" --no-performance >"$work/class.txt" 2>&1
code=$?
set -e
echo "e2e: graded $(ls "$subs" | wc -l) submissions in $((SECONDS - start)) s"
[[ $code -eq 1 ]] || { cat "$work/class.txt"; die "the class grading exited $code, not 1"; }
check class "$work/json" "$work/class.csv"
[[ ! -e $leak && ! -e /dev/shm/course-e2e-leak.$$ ]] ||
  die "a submission wrote outside its sandbox"
[[ $(sha1sum <"$victim") == "$victim_sum" ]] || die "a submission changed another's file"
grep -q "look at: 07_starmap/exercise.cc calls exit, prints test-result lines" \
  "$work/class.txt" || die "the fake-output submission should be flagged"

step "3b. two graders at once"
set +e
grade "$subs/exit0" --json "$work/two_a.json" --quiet --no-performance >"$work/two_a.txt" 2>&1 &
a=$!
grade "$subs/hang" --timeout 10 --json "$work/two_b.json" --quiet --no-performance >"$work/two_b.txt" 2>&1 &
b=$!
wait $a
wait $b
set -e
check one "$work/two_a.json" exit0
check one "$work/two_b.json" hang

step "3c. an assignment of three exercises, --json into a new directory"
assigned=$work/assigned
mkdir -p "$assigned/ref"
for d in 01_apply 08_close_join 10_with; do
  mkdir -p "$assigned/ref/$d"
  cp "solutions/$d/exercise.cc" "$assigned/ref/$d/"
done
cp -r "$subs/hang" "$subs/no_compile" "$assigned/"
printf '# week 3\n01\n08, 10  # the hang and the compile error\n' >"$work/week3.txt"
set +e
grade "$assigned"/* --assignment "$work/week3.txt" --timeout 10 \
  --json "$work/new/results/" --csv "$work/assigned.csv" >"$work/assigned.txt" 2>&1
code=$?
set -e
[[ $code -eq 1 ]] || { cat "$work/assigned.txt"; die "grading the assignment exited $code, not 1"; }
check assignment "$work/new/results" "$work/assigned.csv" 01,08,10
grep -q "^== summary: 3 submissions" "$work/assigned.txt" || die "no class summary:
$(cat "$work/assigned.txt")"
# On one CPU a pool's workers cannot run in parallel: no speed points.
mkdir -p "$work/one_cpu/ref/03_map"
cp solutions/03_map/exercise.cc "$work/one_cpu/ref/03_map/"
taskset -c 0 "$course" grade --cache "$cache" "$work/one_cpu/ref" --exercise 03 \
  --json "$work/one_cpu.json" --quiet >"$work/one_cpu.txt" 2>&1 ||
  { cat "$work/one_cpu.txt"; die "grading on one CPU failed"; }
check one_cpu "$work/one_cpu.json"

step "4. a grader killed with SIGKILL mid-run leaves the checkout as it was"
[[ $(fingerprint) == "$before" ]] || die "grading changed the checkout"
# Code no earlier run compiled, so the grader is busy when it is killed.
fresh=$work/fresh
for d in exercises/[0-9][0-9]_*/; do
  d=$(basename "$d")
  mkdir -p "$fresh/$d"
  cp "solutions/$d/exercise.cc" "$fresh/$d/"
  echo "int course_e2e_$$_$RANDOM() { return 0; }" >>"$fresh/$d/exercise.cc"
done
grade "$fresh" --quiet --no-performance >"$work/killed.txt" 2>&1 &
killed=$!
for _ in $(seq 600); do
  grep -q "listing the test cases" "$work/killed.txt" 2>/dev/null && break
  sleep 0.1
done
sleep 3
kill -KILL "$killed" || die "the grader had already finished: nothing was killed"
set +e
wait "$killed" 2>/dev/null
code=$?
set -e
[[ $code -eq 137 ]] || die "the grader exited $code, not killed (137)"
[[ $(fingerprint) == "$before" ]] || die "a killed grader changed the checkout"
# The next grader reuses the workspace (its lock died with the grader).
grade "$subs/abort" --hidden "$hidden" --json "$work/after_kill.json" --quiet \
  --no-performance >/dev/null 2>&1 || true
check one "$work/after_kill.json" abort

step "5. the learner loop in a clone: watch, hint, run, reset"
clone=$work/clone
git clone -q "$root" "$clone"
echo "build --disk_cache=$cache/disk" >"$clone/user.bazelrc"
(
  cd "$clone"
  setsid ./course watch --poll 0.2 >"$work/watch.txt" 2>&1 </dev/null &
  echo $! >"$work/watch.pid"
)
watch_pid=$(cat "$work/watch.pid")
wait_for() { # PATTERN SECONDS [FILE] [COUNT]: COUNT lines match in FILE
  local file=${3:-$work/watch.txt}
  for _ in $(seq $(($2 * 10))); do
    [[ $(grep -c "$1" "$file") -ge ${4:-1} ]] && return 0
    sleep 0.1
  done
  cat "$file"
  die "watch did not print '$1' ${4:-1} time(s) within $2 s"
}
wait_for "checks pass. Edit exercises/01_apply/exercise.cc" 600
grep -q "your code threw an exception: TODO" "$work/watch.txt" ||
  die "watch should show the failing check"
cp solutions/01_apply/exercise.cc "$clone/exercises/01_apply/exercise.cc"
wait_for "01 apply passes" 300
wait_for "checking 02 apply_async" 60
wait_for "Edit exercises/02_apply_async/exercise.cc" 300
kill -- "-$watch_pid"
watch_pid=""
(
  cd "$clone"
  ./course run 01 >/dev/null || die "./course run 01 should pass after the fix"
  [[ $(./course hint 02) == *"Hint 1 of 3"* ]] || die "first hint"
  [[ $(./course hint 02) == *"Hint 2 of 3"* ]] || die "hints are not remembered"
  ./course reset 01 --yes >/dev/null
  cmp -s exercises/01_apply/exercise.cc "$root/exercises/01_apply/exercise.cc" ||
    die "reset did not restore the starter"
  set +e
  ./course run 01 >/dev/null
  code=$?
  set -e
  [[ $code -eq 1 ]] || die "./course run 01 on the starter exited $code, not 1"
)
step "5b. the learner at the moment of failure: their line, the hanging case, watch b01"
(
  cd "$clone"
  # A wrong-argument call: the compiler's message starts with this line.
  cp solutions/01_apply/exercise.cc exercises/01_apply/exercise.cc
  line=$(grep -n 'return pool.apply(fn, x);' exercises/01_apply/exercise.cc | cut -d: -f1)
  sed -i 's/return pool.apply(fn, x);/return pool.apply(fn, x, x);/' exercises/01_apply/exercise.cc
  set +e
  ./course run 01 >"$work/run01.txt" 2>&1
  set -e
  grep -A1 "does not build" "$work/run01.txt" | tail -1 |
    grep -q "^ *exercises/01_apply/exercise.cc:$line:" || {
    cat "$work/run01.txt"
    die "./course run 01 should show exercise.cc:$line first"
  }
  ! grep -q "0 of 0" "$work/run01.txt" || die "a build failure shown as 0 of 0 checks"
  ./course reset 01 --yes >/dev/null

  # An infinite loop in MapTwoAtOnce: the running case is named while it
  # runs, then blamed, within the learner-loop limit.
  limit=$(PYTHONPATH=. python3 -c '
from coursetool import catalog
print(catalog.find(catalog.discover("."), "04").loop_timeout)')
  cp solutions/04_map_async/exercise.cc exercises/04_map_async/exercise.cc
  sed -i 's|^  // Step 2\.|  for (volatile bool forever = true; forever;) {\n  }\n&|' \
    exercises/04_map_async/exercise.cc
  grep -q forever exercises/04_map_async/exercise.cc || die "could not plant the loop"
  set +e
  ./course run 04 2>&1 | while IFS= read -r l; do echo "$EPOCHREALTIME $l"; done >"$work/run04.txt"
  set -e
  hung=MapAsyncTest.MapTwoAtOnceMatchesPlainLoops
  named=$(grep -m1 "running $hung" "$work/run04.txt" | cut -d' ' -f1)
  blamed=$(grep -m1 "First failing check: $hung" "$work/run04.txt" | cut -d' ' -f1)
  [[ -n $named && -n $blamed ]] || {
    cat "$work/run04.txt"
    die "./course run 04 should name $hung while it runs, then blame it"
  }
  grep -q "did not finish within $limit s" "$work/run04.txt" || die "no hang reason"
  python3 -c "import sys; sys.exit(not $blamed - $named <= $limit + 15)" ||
    die "the hang was reported $(python3 -c "print(round($blamed - $named))") s after it was named (limit $limit s)"
  base=$(./bazelw info output_base 2>/dev/null)
  for pid in $(pgrep -f 04_map_async/test || true); do
    [[ $(readlink "/proc/$pid/cwd" 2>/dev/null) != "$base"* ]] ||
      die "the hanging test was left running (pid $pid)"
  done
  ./course reset 04 --yes >/dev/null
)
(
  cd "$clone"
  setsid ./course watch b01 --poll 0.2 >"$work/watch_b01.txt" 2>&1 </dev/null &
  echo $! >"$work/watch.pid"
)
watch_pid=$(cat "$work/watch.pid")
wait_for "Edit exercises/b01_fork_wait/child.cc" 600 "$work/watch_b01.txt"
cp solutions/b01_fork_wait/child.cc "$clone/exercises/b01_fork_wait/child.cc"
wait_for "checking b01 fork and wait" 10 "$work/watch_b01.txt" 2
wait_for "b01 fork and wait passes" 300 "$work/watch_b01.txt"
kill -- "-$watch_pid"
watch_pid=""
step "6. Gradescope's run_autograder on a fake /autograder tree"
ag=$work/autograder
mkdir -p "$ag/source/course" "$ag/source/hidden" "$ag/submission/exercises"
git archive --format=tar HEAD | tar -x -C "$ag/source/course"
cp coursetool/gradescope/run_autograder "$ag/source/"
cp -r "$hidden/03_map" "$ag/source/hidden/"
# A student who uploads the whole repository, with 03 solved.
cp -r exercises/03_map "$ag/submission/exercises/"
cp solutions/03_map/exercise.cc "$ag/submission/exercises/03_map/exercise.cc"
AUTOGRADER_ROOT=$ag COURSE_GRADER_CACHE=$cache COURSE_EXERCISES="03 04" \
  "$ag/source/run_autograder" >"$work/autograder.txt" 2>&1 ||
  die "run_autograder exited $?"
python3 - "$ag/results/results.json" <<'PY' || die "results.json from run_autograder"
import json, sys
d = json.load(open(sys.argv[1]))
names = {t["name"]: t for t in d["tests"]}
correct = sum(t["score"] for n, t in names.items() if not n.endswith(": speed"))
assert correct == 8, correct  # 03's 5 cases and the hidden one (3)
assert "03 map: speed" in names, sorted(names)  # 03 is graded on speed too
assert names["03 map (hidden): HiddenMapTest.MapInWorkersNegatesALongInput"][
    "visibility"] == "hidden"
assert all(t["output"] == "not submitted" or "not submitted" in t["output"]
           for n, t in names.items() if n.startswith("04 "))
print("e2e: run_autograder wrote results.json: %s points" % d["score"])
PY

step "7. speed: ./course bench and the grader's [performance] points"
fixture=$root/coursetool/testdata/speed_fixture
cp -r "$fixture/exercises/zz_speed" "$clone/exercises/"
cp -r "$fixture/solutions/zz_speed" "$clone/solutions/"
# Named BUILD.fixture in the repository, so that //... does not build them.
mv "$clone/exercises/zz_speed/BUILD.fixture" "$clone/exercises/zz_speed/BUILD"
mv "$clone/solutions/zz_speed/BUILD.fixture" "$clone/solutions/zz_speed/BUILD"
(
  cd "$clone"
  git add -A
  git -c user.name=e2e -c user.email=e2e@example.com commit -qm "a speed fixture"
  ./course bench zz >"$work/bench.txt" 2>&1 || { cat "$work/bench.txt"; die "./course bench zz"; }
  grep -q "BM_SumTo/65536" "$work/bench.txt" || die "bench printed no table"
  grep -q "^index: " "$work/bench.txt" || die "bench printed no index"
  mkdir -p "$work/speed"
  set +e
  ./course grade "$fixture"/submissions/* --exercise zz --cache "$cache" \
    --json "$work/speed" >"$work/speed.txt" 2>&1
  set -e
)
cat "$work/speed.txt"
python3 - "$work/speed" <<'PY' || die "speed points"
import json, os, sys
def speed(name):
    d = json.load(open(os.path.join(sys.argv[1], name + ".json")))
    t = [t for t in d["tests"] if t["name"] == "zz speed fixture: speed"][0]
    assert t["max_score"] == 5, t
    return d, t
d, t = speed("fast")   # the reference's own code: as fast as the reference
assert t["score"] > 0 and "index:" in t["output"], t
assert d["leaderboard"][0]["name"] == "zz speed index", d.get("leaderboard")
d, t = speed("slow")   # right, and far slower: no speed points
assert t["score"] == 0 and d["score"] == 2, (d["score"], t)
d, t = speed("wrong")  # fast and wrong: speed is not scored
assert t["score"] == 0 and "every test case passes" in t["output"], t
print("e2e: speed points: fast > 0, slow 0, wrong 0 (not scored)")
PY

step "8. speed: the references earn every speed point, naive answers none"
# Every exercise graded on speed, on the references and on the naive
# answers of 03 and b05 (exercises/testing/naive: correct, and many times
# slower). A reference timed against itself scores about 1.0 and full
# points come at 0.5; the naive ones score well under 0.2, where none
# come. Five rounds instead of three, each benchmark five repetitions of
# 0.05 s (the grader's default; the fastest counts): the median of five
# keeps a reference clear of 0.5 on a loaded machine. The reference is
# timed alone once and kept for both submissions.
naive=$work/naive
mkdir -p "$naive/03_map" "$naive/b05_many_workers" "$work/speed_track"
cp exercises/testing/naive/03_map/exercise.cc "$naive/03_map/"
cp exercises/testing/naive/b05_many_workers/engine.cc "$naive/b05_many_workers/"
speed_flags=$(PYTHONPATH=. python3 -c '
from coursetool import catalog
print(" ".join("--exercise " + e.id for e in catalog.discover(".")
               if e.performance and e.performance.scored))')
start=$SECONDS
set +e
# shellcheck disable=SC2086 # one flag and its value per word
grade solutions "$naive" $speed_flags --bench-rounds 5 \
  --json "$work/speed_track" --csv "$work/speed_track.csv" >"$work/speed_track.txt" 2>&1
set -e
echo "e2e: timed $(wc -w <<<"$speed_flags" | awk '{print $1 / 2}') exercises on two submissions in $((SECONDS - start)) s, load average $(cut -d' ' -f1-3 /proc/loadavg)"
sed -n 's/^course grade: /e2e:   /p' "$work/speed_track.txt" | grep -e "timed" -e "built in" || true
check speed "$work/speed_track" "$work/speed_track.csv" 03 b05 ||
  { cat "$work/speed_track.txt"; die "speed points on the track"; }

[[ $(fingerprint) == "$before" ]] || die "the checkout changed"
echo "e2e: all end-to-end checks passed"
