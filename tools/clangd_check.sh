#!/usr/bin/env bash
# tools/clangd_check.sh: checks that an editor understands the code. clangd
# (what VS Code's clangd extension, CLion and Neovim run) opens a pool
# source, a lesson, an exercise and the exercise's test with the commands in
# compile_commands.json, and must report no diagnostic at all.
#
#   ./bazelw run //tools:compile_commands && tools/clangd_check.sh
#
# Each file must have its own entry in compile_commands.json (clangd would
# otherwise infer a command from a neighbour's), or the check proves little. And the
# check must be able to fail: the exercise's starter comments out its
# parameter names because -Wextra -Werror would reject them unused, so the
# starter with the names put back must get one unused-parameter error per
# name. That shows the project's warning flags reach clangd.
#
# clangd's --check also tests editor features at every token; clangd 14
# crashes doing so inside googletest's TEST_F bodies, so that part is
# limited to the first line (--check-lines=1). Diagnostics cover the whole
# file either way.
set -euo pipefail
cd "$(dirname "$0")/.."

readonly FILES=(
  pool/internal/process_engine.cc
  lessons/03_map/main.cc
  exercises/03_map/exercise.cc
  exercises/03_map/exercise_test.cc
)
readonly STARTER=exercises/03_map/exercise.cc

clangd=${CLANGD:-clangd}
if ! command -v "${clangd}" >/dev/null; then
  echo "clangd_check: ${clangd} not found; ./bazelw installs it (package clangd)" >&2
  exit 1
fi
if [[ ! -f compile_commands.json ]]; then
  echo "clangd_check: no compile_commands.json; write it first with" \
    "./bazelw run //tools:compile_commands" >&2
  exit 1
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/clangd_check.XXXXXX")
trap 'rm -rf "${work}"' EXIT

# check FILE LOG: runs clangd on FILE, its output in LOG; the exit status
# is clangd's (non-zero when it reported errors).
check() {
  "${clangd}" --check="$1" --check-lines=1 --compile-commands-dir="${PWD}" \
    >"$2" 2>&1
}

failed=0
for file in "${FILES[@]}"; do
  log="${work}/$(echo "${file}" | tr / _).log"
  status=0
  check "${file}" "${log}" || status=$?
  problems=()
  # clangd would otherwise guess a command from a neighbour's entry.
  python3 - "${PWD}/${file}" <<'PY' ||
import json, sys
entries = json.load(open("compile_commands.json", encoding="utf-8"))
sys.exit(0 if any(e.get("file") == sys.argv[1] for e in entries) else 1)
PY
    problems+=("compile_commands.json has no entry for it")
  grep -qE 'All checks completed, 0 errors' "${log}" ||
    problems+=("clangd did not finish cleanly (exit ${status})")
  if grep -qE '^[EW]\[' "${log}"; then
    problems+=("clangd reported diagnostics")
  fi
  if ((${#problems[@]} > 0)); then
    failed=1
    echo "clangd_check: ${file}: FAIL: $(IFS=';'; echo "${problems[*]}")"
    grep -E '^[EW]\[|All checks' "${log}" | sed 's/^/  /' | head -20
  else
    echo "clangd_check: ${file}: no diagnostics"
  fi
done

# The negative control: the starter with its parameter names uncommented,
# outside the tree, gets its command inferred from the starter's neighbours.
names=$(grep -oE '/\*[a-z_]+\*/' "${STARTER}" | wc -l)
probe="${work}/$(dirname "${STARTER}")/probe.cc"
mkdir -p "$(dirname "${probe}")"
sed -E 's#/\*([a-z_]+)\*/#\1#g' "${STARTER}" >"${probe}"
check "${probe}" "${work}/probe.log" || true
unused=$(grep -cE '^E\[.*\[-Wunused-parameter\]' "${work}/probe.log" || true)
if ((names == 0 || unused != names)); then
  failed=1
  echo "clangd_check: negative control FAILED: the starter with its ${names}" \
    "parameter names restored got ${unused} unused-parameter errors"
  grep -E '^[EW]\[|ompile command|All checks' "${work}/probe.log" |
    cut -c1-200 | sed 's/^/  /' | head -20
else
  echo "clangd_check: negative control: ${unused} unused-parameter errors" \
    "in the starter with its names restored, as expected"
fi

if ((failed)); then
  echo "clangd_check: FAILED"
  exit 1
fi
echo "clangd_check: PASSED (${#FILES[@]} files clean)"
