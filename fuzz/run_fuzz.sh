#!/usr/bin/env bash
# fuzz/run_fuzz.sh: builds the libFuzzer target for the parent's wire
# decoders (fuzz/wire_fuzz.h) and runs it.
#
#   fuzz/run_fuzz.sh                      # 60 s, as CI does
#   fuzz/run_fuzz.sh -max_total_time=600  # any libFuzzer flags
#
# Needs: clang++ (Debian's clang, 14 here) and its fuzzer runtime
# (libclang-rt-14-dev); ./bazelw installs both. Bazel is not used: it builds
# with gcc, which has no libFuzzer.
#
# The fuzzer starts from a copy of fuzz/corpus and writes what it finds to a
# temporary directory, so a run never changes the checked-in corpus. The
# directory is removed after a clean run unless FUZZ_KEEP_WORK=1 (then its
# path is printed: merge new inputs with the binary's -merge=1). A crash fails the script; its input is kept
# and printed, to be added to fuzz/regressions once understood.
#
# Checks, besides the ones in wire_fuzz.cc: AddressSanitizer and
# UndefinedBehaviorSanitizer; -malloc_limit_mb makes any single allocation
# above 4 MiB a crash, 64 times the largest input (-max_len=65536), so a
# length field read from the bytes cannot turn into a huge allocation;
# -rss_limit_mb bounds the total.
set -euo pipefail
cd "$(dirname "$0")/.."

cxx=${CXX_FUZZ:-clang++}
if ! command -v "$cxx" >/dev/null; then
  echo "run_fuzz.sh: $cxx not found; install clang and libclang-rt-14-dev" >&2
  exit 1
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/wire_fuzz.XXXXXX")
bin="$work/wire_fuzzer"
echo "run_fuzz.sh: building $bin"
"$cxx" -std=c++20 -g -O1 -I. \
  -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
  fuzz/wire_fuzz.cc fuzz/fuzz_main.cc pool/internal/job.cc pool/errors.cc \
  pool/internal/trace.cc \
  -o "$bin"

mkdir -p "$work/corpus" "$work/artifacts"
cp fuzz/corpus/* "$work/corpus/"
[ -d fuzz/regressions ] && cp fuzz/regressions/* "$work/corpus/" 2>/dev/null || true

export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
export ASAN_OPTIONS="detect_leaks=1:allocator_may_return_null=0"

status=0
"$bin" -max_total_time=60 -max_len=65536 -malloc_limit_mb=4 \
  -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
  -artifact_prefix="$work/artifacts/" "$@" "$work/corpus" \
  > "$work/fuzz.log" 2>&1 || status=$?

grep -E '^stat::number_of_executed_units|^stat::peak_rss_mb|^#[0-9]+.*DONE' \
  "$work/fuzz.log" || true
if [ "$status" -ne 0 ] || [ -n "$(ls -A "$work/artifacts")" ]; then
  tail -n 60 "$work/fuzz.log" >&2
  echo "run_fuzz.sh: FAILED (status $status); inputs in $work/artifacts:" >&2
  ls -l "$work/artifacts" >&2
  exit 1
fi
echo "run_fuzz.sh: no crash; corpus grew to $(ls "$work/corpus" | wc -l) inputs"
if [ "${FUZZ_KEEP_WORK:-0}" = 1 ]; then
  echo "run_fuzz.sh: kept $work"
else
  rm -rf "$work"
fi
