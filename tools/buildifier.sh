#!/usr/bin/env bash
# tools/buildifier.sh: lints and format-checks every Bazel file (BUILD,
# *.BUILD, .bzl, WORKSPACE, MODULE.bazel) with buildifier, at the version
# pinned in tools/buildifier/package.json (npm's @bazel/buildifier ships the
# binaries; npm comes with ./bazelw's packages).
#
#   tools/buildifier.sh          # check, as CI does: exit 1 on any warning
#                                # or unformatted file
#   tools/buildifier.sh --fix    # reformat in place and apply lint fixes
#
# The first run installs buildifier into tools/buildifier/node_modules
# (`npm ci`, checked against package-lock.json); later runs reuse it.
set -euo pipefail
cd "$(dirname "$0")/.."

readonly DIR=tools/buildifier
readonly BIN="${DIR}/node_modules/.bin/buildifier"

mode=check
case "${1:-}" in
  "") ;;
  --fix) mode=fix ;;
  *)
    echo "usage: tools/buildifier.sh [--fix]" >&2
    exit 2
    ;;
esac

want=$(sed -n 's/.*"@bazel\/buildifier": *"\([^"]*\)".*/\1/p' "${DIR}/package.json")
if ! "${BIN}" --version 2>/dev/null | grep -qx "buildifier version: ${want} *"; then
  if ! command -v npm >/dev/null; then
    echo "buildifier.sh: npm not found; ./bazelw installs it (package npm)" >&2
    exit 1
  fi
  log=$(mktemp)
  if ! npm ci --prefix "${DIR}" --no-audit --no-fund >"${log}" 2>&1; then
    echo "buildifier.sh: npm ci failed installing buildifier ${want}:" >&2
    tail -n 15 "${log}" >&2
    rm -f "${log}"
    exit 1
  fi
  rm -f "${log}"
fi

files=()
while IFS= read -r f; do files+=("${f}"); done < <(
  find . \( -path ./.git -o -path "./${DIR}/node_modules" \) -prune -o -type f \
    \( -name BUILD -o -name BUILD.bazel -o -name '*.BUILD' -o -name '*.bzl' \
    -o -name WORKSPACE -o -name WORKSPACE.bzlmod -o -name MODULE.bazel \) \
    -print | sort
)

if [[ "${mode}" == fix ]]; then
  exec "${BIN}" --mode=fix --lint=fix "${files[@]}"
fi
if "${BIN}" --mode=check --lint=warn "${files[@]}"; then
  echo "buildifier ${want}: ${#files[@]} files, no warnings, all formatted"
else
  echo "buildifier ${want}: the files above need work;" \
    "tools/buildifier.sh --fix fixes formatting and some warnings" >&2
  exit 1
fi
