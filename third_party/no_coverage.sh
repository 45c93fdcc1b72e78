#!/bin/sh
echo "bazel coverage is not supported in this offline workspace (see README.md)" >&2
exit 1
