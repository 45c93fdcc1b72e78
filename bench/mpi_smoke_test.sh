#!/bin/bash
# Keeps bench/mpi_benchmark runnable (see bench/BUILD). Its figures are
# meaningless here: a fastbuild on a busy test machine.
set -euo pipefail

out="$TEST_TMPDIR/mpi_benchmark.json"
bench/mpi_benchmark --benchmark_format=json --benchmark_out="$out" \
  --benchmark_out_format=json >/dev/null

python3 - "$out" <<'PY'
import json, sys
rows = json.load(open(sys.argv[1]))["benchmarks"]
names = {r["name"].split("/")[0] for r in rows}
expected = {"BM_Pool_StartUp", "BM_Mpi_StartUp", "BM_Pool_PerItem",
            "BM_Mpi_PerItem", "BM_Serial_CpuBound", "BM_Pool_CpuBound",
            "BM_Mpi_CpuBound"}
errors = [f'{r["name"]}: {r["error_message"]}' for r in rows
          if r.get("error_occurred")]
missing = expected - names
if errors or missing:
    sys.exit(f"errors: {errors}; missing rows: {sorted(missing)}")
print(f"PASS: {len(rows)} rows")
PY
