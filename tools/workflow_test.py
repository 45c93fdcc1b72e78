#!/usr/bin/env python3
"""Checks that GitHub's CI runs what README.md's "Start here" tells a reader
to run: every `run:` command of .github/workflows/ci.yml appears, word for
word, in a code block of that section; the Bazel versions the workflow
builds with are the ones the README names; and .bazelversion holds one of
them in a form bazelisk resolves without listing releases (X.Y.Z)."""

import re
import sys
import unittest

README = "README.md"
WORKFLOW = ".github/workflows/ci.yml"
BAZELVERSION = ".bazelversion"


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def section(markdown, title):
    """The text of the `## title` section, up to the next `## ` heading."""
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", markdown,
                      re.M | re.S)
    if match is None:
        raise AssertionError(f'{README} has no "## {title}" section')
    return match.group(1)


def code_lines(markdown):
    """The lines of fenced code blocks, without comments or extra spaces."""
    lines, fenced = [], False
    for line in markdown.splitlines():
        if line.lstrip().startswith("```"):
            fenced = not fenced
        elif fenced:
            command = re.sub(r"\s+#.*$", "", line).strip()
            if command:
                lines.append(command)
    return lines


def run_commands(workflow):
    """The commands of every `run:` step, one per line of a block."""
    commands, lines = [], workflow.splitlines()
    for i, line in enumerate(lines):
        match = re.match(r"^(\s*)(?:-\s+)?run:\s*(.*)$", line)
        if not match:
            continue
        value = match.group(2).strip()
        if value in ("|", ">"):
            indent = len(match.group(1))
            for block in lines[i + 1:]:
                if block.strip() and len(block) - len(block.lstrip()) <= indent:
                    break
                if block.strip():
                    commands.append(block.strip())
        elif value:
            commands.append(value)
    return commands


def matrix_versions(workflow):
    """The Bazel versions of the workflow's matrix (`bazel: [...]`)."""
    match = re.search(r"^\s*bazel:\s*\[([^\]]*)\]", workflow, re.M)
    if match is None:
        raise AssertionError(f"{WORKFLOW} has no `bazel: [...]` matrix")
    return re.findall(r'"([^"]+)"', match.group(1))


class WorkflowMatchesReadmeTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.workflow = read(WORKFLOW)
        cls.start_here = section(read(README), "Start here")

    # Every command CI runs is one the README gives, so a reader who follows
    # the README runs what CI checks.
    def test_every_workflow_command_is_in_the_readme(self):
        commands = run_commands(self.workflow)
        self.assertGreaterEqual(len(commands), 4,
                                f"found too few run: steps in {WORKFLOW}")
        readme = code_lines(self.start_here)
        missing = [c for c in commands if c not in readme]
        self.assertEqual(missing, [], f"{WORKFLOW} runs commands that "
                         f'{README}\'s "Start here" code blocks do not give')

    # Both build paths are in CI: the offline one through .ci/run (which
    # runs ./bazelw), the MODULE.bazel one through bazelisk.
    def test_both_build_paths_run(self):
        commands = run_commands(self.workflow)
        self.assertIn("bash .ci/run", commands)
        self.assertIn("bazelisk test //...", commands)
        self.assertRegex(self.workflow, r"image:\s*debian:bookworm")
        self.assertRegex(read(".ci/run"), r"\./bazelw test //\.\.\.")

    # The versions CI builds with are the README's, and .bazelversion (what
    # bazelisk uses by default) is one of them, as X.Y.Z: bazelisk resolves
    # that form without asking for a list of releases.
    def test_bazel_versions(self):
        versions = matrix_versions(self.workflow)
        self.assertTrue(versions, f"{WORKFLOW}: empty Bazel matrix")
        pinned = read(BAZELVERSION).strip()
        self.assertRegex(pinned, r"^\d+\.\d+\.\d+$",
                         f"{BAZELVERSION} must be X.Y.Z for bazelisk")
        self.assertIn(pinned, versions)
        for version in versions:
            self.assertRegex(version, r"^\d+\.\d+\.\d+$")
            self.assertTrue(version in self.start_here,
                            f'{README}\'s "Start here" does not name Bazel '
                            f"{version}, which CI builds with")
            if version != pinned:
                self.assertIn(f"USE_BAZEL_VERSION={version} bazelisk test //...",
                              code_lines(self.start_here))


class ParserTest(unittest.TestCase):
    """The little parsers above, on inputs whose answers are known."""

    def test_run_commands(self):
        workflow = ("steps:\n"
                    "  - run: echo one\n"
                    "  - name: two\n"
                    "    run: |\n"
                    "      echo two\n"
                    "      echo three\n"
                    "  - uses: x\n")
        self.assertEqual(run_commands(workflow),
                         ["echo one", "echo two", "echo three"])

    def test_code_lines_drop_comments_and_prose(self):
        markdown = ("prose ./bazelw test //...\n"
                    "```sh\n"
                    "./bazelw run //lessons/03_map   # prints 1225\n"
                    "\n"
                    "```\n")
        self.assertEqual(code_lines(markdown), ["./bazelw run //lessons/03_map"])

    def test_section_stops_at_the_next_heading(self):
        markdown = "## Start here\nA\n## Layout\nB\n"
        self.assertEqual(section(markdown, "Start here"), "A\n")


if __name__ == "__main__":
    sys.exit(unittest.main())
