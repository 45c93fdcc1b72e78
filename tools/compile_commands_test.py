#!/usr/bin/env python3
"""Tests the conversion in compile_commands.py: aquery output in, compile
commands out. The Bazel call itself is checked by tools/clangd_check.sh."""

import os
import sys
import unittest

# Import the module beside this file, without leaving __pycache__ there.
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import compile_commands  # noqa: E402

WS = "/home/ana/pypool"
EXECROOT = "/cache/bazel/execroot/pypool_cpp"


def action(source, *extra):
    """A compile action as `bazel aquery --output=jsonproto` describes it."""
    return {
        "mnemonic": "CppCompile",
        "arguments": ["/usr/bin/gcc", "-std=c++20", *extra, "-c", source,
                      "-o", "bazel-out/k8-fastbuild/bin/x.o"],
    }


def convert(*actions):
    return compile_commands.compile_commands({"actions": list(actions)}, WS,
                                             EXECROOT)


class CompileCommandsTest(unittest.TestCase):

    # A workspace file runs in the workspace root, under its real path, so
    # the editor's file and the entry match.
    def test_workspace_source_is_the_real_file(self):
        [entry] = convert(action("pool/pool.cc"))
        self.assertEqual(entry["directory"], WS)
        self.assertEqual(entry["file"], WS + "/pool/pool.cc")
        self.assertIn("pool/pool.cc", entry["arguments"])

    # Paths under Bazel's execution root become absolute, both as separate
    # arguments and glued to a flag; workspace-relative ones stay.
    def test_execroot_paths_become_absolute(self):
        [entry] = convert(action(
            "lessons/03_map/main.cc", "-iquote", ".", "-isystem",
            "external/googletest/include", "-Ibazel-out/k8-fastbuild/bin",
            "-iquoteexternal/rules_cc", "-MF", "bazel-out/k8/x.d"))
        args = entry["arguments"]
        self.assertIn(EXECROOT + "/external/googletest/include", args)
        self.assertIn("-I" + EXECROOT + "/bazel-out/k8-fastbuild/bin", args)
        self.assertIn("-iquote" + EXECROOT + "/external/rules_cc", args)
        self.assertIn(EXECROOT + "/bazel-out/k8/x.d", args)
        self.assertEqual(args[args.index("-iquote") + 1], ".")
        self.assertNotIn("external/googletest/include", args)

    # A source compiled by several targets (an exercise's test, built for the
    # learner's code and for the solution) gets one entry, the first.
    def test_one_entry_per_file(self):
        entries = convert(action("exercises/03_map/exercise_test.cc", "-DA"),
                          action("exercises/03_map/exercise_test.cc", "-DB"),
                          action("bench/a.cc"))
        self.assertEqual([e["file"] for e in entries],
                         [WS + "/bench/a.cc",
                          WS + "/exercises/03_map/exercise_test.cc"])
        self.assertIn("-DA", entries[1]["arguments"])
        self.assertNotIn("-DB", entries[1]["arguments"])

    # A source in an external repository is found under the execution root.
    def test_external_source_is_under_the_execroot(self):
        [entry] = convert(action("external/googletest+/src/gtest.cc"))
        self.assertEqual(entry["file"],
                         EXECROOT + "/external/googletest+/src/gtest.cc")

    # An action without "-c FILE" (a module map, say) is not a compile.
    def test_actions_without_a_source_are_skipped(self):
        self.assertEqual(convert({"arguments": ["/usr/bin/gcc", "-c"]},
                                 {"arguments": []}), [])
        self.assertEqual(compile_commands.compile_commands({}, WS, EXECROOT),
                         [])


if __name__ == "__main__":
    unittest.main()
