#!/usr/bin/env python3
"""Checks what can be checked in pool/README.md against the source tree.

  * Every file the README links to, or names in backticks as a path
    (`internal/process_engine.cc`, `pool.h`), exists.
  * Every `Class::Method` it names (the code that carries out a step) is
    defined in pool/ or pool/internal/ (`pool::Name`: a class or struct
    of that name is declared there).
  * Every test the fault table names in its "pinned by" column exists: a
    `Suite.Name` is a TEST, TEST_F, TEST_P or TYPED_TEST of that suite and
    name, `Suite.*` any test of that suite, a bare `Name` a test of that name
    in any suite, in the file the cell names (`protocol_test`: faults/,
    `//pool:pool_test`: pool/).

The Chinese twin, pool/README.zh-CN.md, is checked the same way (its fault
table's header is `| 类别 | 故障 |`; its test and file names are the
English page's).

Usage: readme_check.py [README...] (default pool/README.md and, if present,
pool/README.zh-CN.md, from the workspace root, which is where Bazel runs a
test). Prints one line per problem, naming the README's line and what is
missing, and exits 1 if there is any.
"""

import os
import re
import sys

# `//pkg:name_test` or `name_test` (then in faults/), and the test names
# after the colon.
TEST_FILE_RE = re.compile(r"`(?://([\w/]+):)?(\w+_test)`")
NAME_RE = re.compile(r"`([A-Za-z]\w*(?:\.(?:\w+|\*))?)`")
DEFINED_RE = re.compile(
    r"\b(?:TEST|TEST_F|TEST_P|TYPED_TEST|TYPED_TEST_P)\s*\(\s*(\w+)\s*,\s*(\w+)\s*\)"
)
LINK_RE = re.compile(r"\]\(([^)\s]+)\)")
QUALIFIED_RE = re.compile(r"`(\w+)::(\w+)(?:<[^`]*>)?`")
# The first cells of the fault table's header, in English and in Chinese.
FAULT_TABLE_HEADERS = ("| class | fault |", "| 类别 | 故障 |")
PATH_RE = re.compile(r"`((?:\.\./|[\w.-]+/)*[\w.-]+\.(?:h|cc|md|py|sh|bzl))`")


def defined_tests(path):
    with open(path, encoding="utf-8") as f:
        return set(DEFINED_RE.findall(f.read()))


def check_cell(cell, lineno, problems):
    """Checks one "pinned by" cell: groups `file`: `Name`, ... split by ';'."""
    for group in cell.split(";"):
        group = group.strip()
        if not group:
            continue
        target, _, names = group.partition(":")
        # `//pool:pool_test`: the colon inside the backticks is not the
        # separator.
        if target.count("`") == 1:
            more, _, names = names.partition(":")
            target = target + ":" + more
        m = TEST_FILE_RE.search(target)
        if not m:
            problems.append(
                f"line {lineno}: cannot read the test file of {group!r}; "
                "write it as `name_test` (faults/) or `//pkg:name_test`"
            )
            continue
        package = m.group(1) or "faults"
        path = os.path.join(package, m.group(2) + ".cc")
        if not os.path.isfile(path):
            problems.append(
                f"line {lineno}: names {m.group(2)}, but {path} does not exist"
            )
            continue
        tests = defined_tests(path)
        for name in NAME_RE.findall(names):
            suite, _, test = name.rpartition(".")
            if suite and test == "*":
                found = any(s == suite for s, _ in tests)
            elif suite:
                found = (suite, test) in tests
            else:
                found = any(t == test for _, t in tests)
            if not found:
                problems.append(
                    f"line {lineno}: the fault table names {name}, "
                    f"but {path} defines no such test"
                )


def check_paths(line, lineno, base, problems):
    targets = [t for t in LINK_RE.findall(line) if "://" not in t]
    targets += PATH_RE.findall(line)
    for target in targets:
        target = target.split("#")[0]
        if not target:
            continue
        # A path is relative to the README, or (`pool/pool.h`) to the root.
        candidates = [os.path.normpath(os.path.join(base, target)), target]
        if not any(os.path.exists(c) for c in candidates):
            problems.append(
                f"line {lineno}: names {target}, which does not exist "
                f"(looked for {candidates[0]})"
            )


def read_sources(base):
    text = []
    for folder in (base, os.path.join(base, "internal")):
        for name in sorted(os.listdir(folder)):
            if name.endswith((".h", ".cc")):
                with open(os.path.join(folder, name), encoding="utf-8") as f:
                    text.append(f.read())
    return "\n".join(text)


def check_names(line, lineno, sources, problems):
    for scope, name in QUALIFIED_RE.findall(line):
        if scope == "std":
            continue
        if scope == "pool":
            found = re.search(rf"\b(?:class|struct)\s+{name}\b", sources)
        else:
            found = f"{scope}::{name}(" in sources
        if not found:
            problems.append(
                f"line {lineno}: names {scope}::{name}, which is not defined "
                "in pool/ or pool/internal/"
            )


def main():
    readmes = sys.argv[1:] or [
        p for p in ("pool/README.md", "pool/README.zh-CN.md")
        if p == "pool/README.md" or os.path.isfile(p)
    ]
    return max(check_readme(readme) for readme in readmes)


def check_readme(readme):
    base = os.path.dirname(readme)
    problems = []
    sources = read_sources(base)
    in_fault_table = False
    rows = 0
    with open(readme, encoding="utf-8") as f:
        lines = f.read().splitlines()
    for lineno, line in enumerate(lines, 1):
        check_paths(line, lineno, base, problems)
        check_names(line, lineno, sources, problems)
        if line.startswith(FAULT_TABLE_HEADERS):
            in_fault_table = True
            continue
        if in_fault_table:
            if not line.startswith("|"):
                in_fault_table = False
                continue
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if set(cells[0]) <= set("-"):
                continue  # The |---| line.
            rows += 1
            check_cell(cells[-1], lineno, problems)
    if rows == 0:
        problems.append(
            "found no fault table (a table whose header starts with "
            "'| class | fault |', or '| 类别 | 故障 |' in Chinese)"
        )
    for p in problems:
        print(f"{readme}: {p}")
    if problems:
        return 1
    print(
        f"{readme}: every file and function named exists; "
        f"{rows} fault rows checked"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
