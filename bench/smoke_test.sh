#!/bin/bash
# Keeps bench/ runnable: every benchmark runs for a moment (its figures are
# meaningless here, in a fastbuild and on a busy test machine), the Python
# scripts must start, and compare.py must still turn the checked-in results
# into its table. Fails only if something exits non-zero.
set -euo pipefail

bench=bench/pool_benchmark
# Every benchmark function runs; the two biggest payloads and the maps over
# 2^20 items are left out, as they take seconds in a fastbuild.
"$bench" --benchmark_min_time=0.001 \
  --benchmark_filter='-bytes:(2097152|16777216)|chunksize:(0|1024)/' >/dev/null

for script in bench/python_pool_bench.py bench/compare.py; do
  python3 "$script" --help >/dev/null
done
# compare.py must name only benchmarks that exist, and still turn the
# checked-in results into its table.
"$bench" --benchmark_list_tests >"$TEST_TMPDIR/names.txt"
python3 bench/compare.py --check-names "$TEST_TMPDIR/names.txt"
python3 bench/compare.py --from bench/results.json >/dev/null
echo "PASS"
