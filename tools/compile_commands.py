#!/usr/bin/env python3
"""Writes compile_commands.json, so clangd (VS Code, CLion, Neovim, ...)
compiles each file exactly as Bazel does.

  ./bazelw run //tools:compile_commands     # the offline path
  bazel run //tools:compile_commands        # bazelisk

It asks Bazel for the compile actions of every C++ target in the workspace
(`bazel aquery --output=jsonproto 'mnemonic("CppCompile", //...)'`; nothing
is built) and writes one entry per source file to compile_commands.json in
the workspace root. Run it again after adding a file or a target.

Bazel's command lines use paths relative to its execution root (external/...,
bazel-out/...); each entry runs in the workspace root instead, with those
paths made absolute, so the editor opens the real source files.

Options (after `--` under `bazel run`):
  --output FILE    where to write (default: compile_commands.json in the
                   workspace root)
  TARGETS          a query expression instead of //...
"""

import argparse
import json
import os
import subprocess
import sys

# The prefixes of paths that only exist under Bazel's execution root.
EXECROOT_PREFIXES = ("external/", "bazel-out/")
# Flags that may carry a path glued to them (-Iexternal/foo).
PATH_FLAGS = ("-iquote", "-isystem", "-idirafter", "-I", "-F")


def absolute_arg(arg, execroot):
    """Returns `arg` with an execution-root-relative path made absolute."""
    if arg.startswith(EXECROOT_PREFIXES):
        return os.path.join(execroot, arg)
    for flag in PATH_FLAGS:
        rest = arg[len(flag):]
        if arg.startswith(flag) and rest.startswith(EXECROOT_PREFIXES):
            return flag + os.path.join(execroot, rest)
    return arg


def source_of(arguments):
    """The file a compile command compiles: the argument after -c."""
    try:
        return arguments[arguments.index("-c") + 1]
    except (ValueError, IndexError):
        return None


def compile_commands(aquery, workspace, execroot):
    """Turns `bazel aquery --output=jsonproto` output into compile commands.

    One entry per source file (a file compiled by several targets, such as an
    exercise's test, keeps its first command), sorted by file.
    """
    entries = {}
    for action in aquery.get("actions", []):
        arguments = action.get("arguments", [])
        source = source_of(arguments)
        if source is None or source in entries:
            continue
        if source.startswith(EXECROOT_PREFIXES):
            path = os.path.join(execroot, source)
        else:
            path = os.path.join(workspace, source)
        entries[source] = {
            "directory": workspace,
            "file": path,
            "arguments": [absolute_arg(a, execroot) for a in arguments],
        }
    return [entries[k] for k in sorted(entries)]


def bazel_binary():
    """The Bazel that runs this: ./bazelw sets BAZEL_REAL to Debian's
    binary; bazelisk puts the real binary's directory first on PATH."""
    return os.environ.get("BAZEL_REAL") or "bazel"


def run_bazel(workspace, args):
    """Runs Bazel in `workspace` and returns its stdout; exits on failure."""
    command = [bazel_binary()] + args
    result = subprocess.run(command, cwd=workspace, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, check=False)
    if result.returncode != 0:
        sys.stderr.write(result.stderr)
        sys.exit(f"compile_commands: `{' '.join(command)}` failed "
                 f"(exit {result.returncode}); see the error above")
    return result.stdout


def main(argv):
    parser = argparse.ArgumentParser(
        description="Writes compile_commands.json from bazel aquery.")
    parser.add_argument("--output", help="where to write the file")
    parser.add_argument("targets", nargs="?", default="//...",
                        help="query expression (default //...)")
    args = parser.parse_args(argv)

    workspace = os.environ.get("BUILD_WORKSPACE_DIRECTORY")
    if not workspace:
        sys.exit("compile_commands: run me with `./bazelw run "
                 "//tools:compile_commands` (or `bazel run ...`)")
    quiet = ["--noshow_progress", "--ui_event_filters=-info"]
    execroot = run_bazel(workspace,
                         ["info", "execution_root"] + quiet).strip()
    aquery = json.loads(run_bazel(workspace, [
        "aquery", "--output=jsonproto",
        f'mnemonic("CppCompile", {args.targets})'] + quiet) or "{}")
    entries = compile_commands(aquery, workspace, execroot)
    if not entries:
        sys.exit(f"compile_commands: no C++ compile actions in {args.targets}")

    output = args.output or os.path.join(workspace, "compile_commands.json")
    output = os.path.join(os.environ.get("BUILD_WORKING_DIRECTORY", ""),
                          output)
    partial = output + ".tmp"
    with open(partial, "w", encoding="utf-8") as f:
        json.dump(entries, f, indent=1)
        f.write("\n")
    os.replace(partial, output)
    print(f"compile_commands: wrote {len(entries)} files to {output}")


if __name__ == "__main__":
    main(sys.argv[1:])
