#!/bin/bash
# Keeps bench/ runnable: every benchmark runs for a moment (its figures are
# meaningless here, in a fastbuild and on a busy test machine), and the
# Python scripts must at least compile and print their help. Fails only if
# something exits non-zero.
set -euo pipefail

bench=bench/pool_benchmark
"$bench" --benchmark_min_time=0.001 --benchmark_format=json \
  --benchmark_out=/dev/null --benchmark_out_format=json >/dev/null

for script in bench/python_pool_bench.py bench/compare.py; do
  python3 "$script" --help >/dev/null
done
echo "PASS"
