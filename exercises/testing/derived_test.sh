#!/bin/sh
# Usage: b05_naive_is_derived_test.sh REFERENCE NAIVE PATCH
#
# Passes if NAIVE is exactly REFERENCE with PATCH applied: the naive b05 is
# derived from the reference solution, so a fix to the reference reaches it
# and the two cannot drift apart unnoticed.
set -eu
reference=$1
naive=$2
patch_file=$3
work=$(mktemp -d "${TEST_TMPDIR:-/tmp}/derive.XXXXXX")
derived="$work/derived_engine.cc"
# A plain copy: under Bazel the inputs are symlinks, which patch refuses.
cp -L "$reference" "$work/reference.cc"
rederive="patch -o exercises/testing/naive/b05_many_workers/engine.cc \
solutions/b05_many_workers/engine.cc \
exercises/testing/naive/b05_many_workers/engine.cc.patch"
rewrite="diff -u solutions/b05_many_workers/engine.cc \
exercises/testing/naive/b05_many_workers/engine.cc \
> exercises/testing/naive/b05_many_workers/engine.cc.patch"
if ! patch --quiet --force -o "$derived" "$work/reference.cc" "$patch_file"; then
  echo "The reference solution changed where the naive patch applies: make"
  echo "the same change to the naive engine.cc, then rewrite the patch (from"
  echo "the workspace root):"
  echo "  $rewrite"
  exit 1
fi
if ! cmp -s "$derived" "$naive"; then
  echo "The naive engine.cc is not the reference plus engine.cc.patch."
  echo "Derive it again from the reference (from the workspace root):"
  echo "  $rederive"
  echo "or, if the naive part itself changed, rewrite the patch:"
  echo "  $rewrite"
  echo "What differs (- naive file, + reference with the patch):"
  diff -u "$naive" "$derived" || true
  exit 1
fi
echo "naive b05 = reference + engine.cc.patch"
