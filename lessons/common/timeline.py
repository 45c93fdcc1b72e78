#!/usr/bin/env python3
"""Runs a lesson with tracing on and draws what its pools did.

  ./bazelw run //lessons/NN_name:timeline

(the lesson() macro's :timeline target) runs the lesson with
POOL_TRACE set, prints the text timeline, and writes the picture to
lessons/NN_name/timeline.svg in the source tree, the one its README shows.
Arguments: TRACE_VIEW LESSON_BINARY SVG_PATH TITLE [LESSON_ARGS...].
"""

import os
import subprocess
import sys
import tempfile


def main(argv):
    if len(argv) < 4:
        print(__doc__, file=sys.stderr)
        return 2
    trace_view, binary, svg, title, *lesson_args = argv
    root = os.environ.get("BUILD_WORKSPACE_DIRECTORY", os.getcwd())
    out = os.path.join(root, svg)
    with tempfile.TemporaryDirectory() as tmp:
        trace = os.path.join(tmp, "trace.json")
        env = dict(os.environ, POOL_TRACE=trace)
        run = subprocess.run(
            [binary, *lesson_args],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            check=False,
        )
        lines = run.stdout.decode("utf-8", "replace").splitlines()
        print(f"ran {svg.rsplit('/', 1)[0]} ({len(lines)} lines of output, "
              f"not shown; exit status {run.returncode})")
        if not os.path.exists(trace):
            print("the lesson wrote no trace: did it create a pool?",
                  file=sys.stderr)
            return 1
        return subprocess.run(
            [sys.executable, trace_view, trace, "--svg", out, "--title", title],
            check=False,
        ).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
