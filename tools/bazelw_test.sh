#!/usr/bin/env bash
# ./bazelw always runs Debian's Bazel 4.2.3 (/usr/bin/bazel-4), whatever
# comes first on PATH: here a fake `bazel` and `bazelisk` come first, and
# USE_BAZEL_VERSION and .bazelversion ask for Bazel 9, as they would on a
# machine set up for the MODULE.bazel build. Fake apt-get and sudo fail
# loudly, so a package list that bazelw misreads cannot install anything.
set -euo pipefail

readonly DEBIAN_BAZEL=/usr/bin/bazel-4
if [[ ! -x "${DEBIAN_BAZEL}" ]]; then
  # Not the offline path (bazelisk on a non-Debian machine): bazelw is not
  # what builds here, and running it would install packages.
  echo "SKIPPED: ${DEBIAN_BAZEL} is not installed; ./bazelw is tested on the offline path"
  exit 0
fi

bazelw="${PWD}/bazelw"
fake="${TEST_TMPDIR}/fake-bin"
marker="${TEST_TMPDIR}/fakes-called"
mkdir -p "${fake}"
for tool in bazel bazelisk apt-get sudo; do
  printf '#!/bin/sh\necho "%s $*" >>"%s"\necho "fake %s called" >&2\nexit 97\n' \
    "${tool}" "${marker}" "${tool}" >"${fake}/${tool}"
  chmod +x "${fake}/${tool}"
done

expected=$("${DEBIAN_BAZEL}" --version)

# From another directory, with every fake first on PATH.
cd "${TEST_TMPDIR}"
echo 9.2.0 >.bazelversion
status=0
got=$(PATH="${fake}:${PATH}" USE_BAZEL_VERSION=9.2.0 "${bazelw}" --version \
  2>"${TEST_TMPDIR}/stderr") || status=$?

if [[ -e "${marker}" ]]; then
  echo "FAIL: bazelw ran a program from PATH instead of ${DEBIAN_BAZEL}:"
  cat "${marker}"
  exit 1
fi
if ((status != 0)) || [[ "${got}" != "${expected}" ]]; then
  echo "FAIL: ./bazelw --version exited ${status} and printed:"
  echo "${got}"
  cat "${TEST_TMPDIR}/stderr"
  echo "expected what ${DEBIAN_BAZEL} --version prints:"
  echo "${expected}"
  exit 1
fi
echo "ok: bazelw ran ${DEBIAN_BAZEL} (${got}) with fake bazel and bazelisk first on PATH"

# Without its package list, bazelw stops and says where the list should be.
lonely="${TEST_TMPDIR}/lonely"
mkdir -p "${lonely}"
cp "${bazelw}" "${lonely}/bazelw"
status=0
got=$("${lonely}/bazelw" --version 2>&1) || status=$?
if ((status != 1)) || [[ "${got}" != *"third_party/debian-packages.txt is missing"* ]]; then
  echo "FAIL: bazelw without its package list exited ${status} and printed:"
  echo "${got}"
  exit 1
fi
echo "ok: without the package list: ${got}"
echo PASS
