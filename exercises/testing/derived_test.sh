#!/bin/sh
# Usage: derived_test.sh REFERENCE DERIVED PATCH
#
# Passes if DERIVED is exactly REFERENCE with PATCH applied. A naive or
# wrong solution kept this way is the reference solution plus one small
# change, so a fix to the reference reaches it and the two cannot drift
# apart unnoticed. The paths are the workspace's ($(rootpath ...)), so the
# commands printed on failure run from the workspace root.
set -eu
reference=$1
derived=$2
patch_file=$3
work=$(mktemp -d "${TEST_TMPDIR:-/tmp}/derive.XXXXXX")
# A plain copy: under Bazel the inputs are symlinks, which patch refuses.
cp -L "$reference" "$work/reference"
rederive="patch -o $derived $reference $patch_file"
rewrite="diff -u $reference $derived > $patch_file"
if ! patch --quiet --force -o "$work/derived" "$work/reference" "$patch_file"; then
  echo "The reference solution changed where $patch_file applies: make"
  echo "the same change to $derived, then rewrite the patch (from the"
  echo "workspace root):"
  echo "  $rewrite"
  exit 1
fi
if ! cmp -s "$work/derived" "$derived"; then
  echo "$derived is not $reference plus $patch_file."
  echo "Derive it again from the reference (from the workspace root):"
  echo "  $rederive"
  echo "or, if the planted change itself changed, rewrite the patch:"
  echo "  $rewrite"
  echo "What differs (- $derived, + the reference with the patch):"
  diff -u "$derived" "$work/derived" || true
  exit 1
fi
echo "$derived = $reference + $patch_file"
