#!/usr/bin/env python3
"""Compiles code against pool/'s headers with the compiler Bazel uses.

Two checks, one per subcommand (pool/BUILD runs each as a test):

  errors    Every snippet in pool/testdata/compile_errors/ is a classic
            mistake. Each must fail to compile; the first `error:` line must
            contain the text of the snippet's `// expect:` comment; and with
            GCC 12 the whole output must be at most MAX_LINES lines. The
            snippets in pool/testdata/compile_ok/ must compile without a
            single line of output under -Wall -Wextra. Every static_assert
            message of pool/'s headers is quoted, word for word, in
            pool/compile_errors.zh-CN.md, which explains each in Chinese
            (the messages stay English: they are part of the API).

  examples  Every code example in the comments of pool/'s headers compiles.
            An example is fenced in the comment:

                //   ```cpp
                //   pool::Pool pool(4);
                //   std::vector<int> v = pool.map(square, xs);
                //   ```

            A `cpp` block is statements, compiled in a function body; a
            `cpp file` block is declarations, compiled at namespace scope.
            Both see the header they are in, pool/pool.h and a small prelude
            (PRELUDE below: square, add, xs). An indented comment block
            outside a fence whose first line starts like C++ (`pool::`,
            `std::`, `auto `, `for (`, `struct `, `x.f(` ...) fails the
            check, so that a new example cannot escape it; indented tables
            and lists of prose do not.

The compiler is $CC (Bazel's C++ toolchain, given by the test rule), run
with -std=c++20 and the workspace root as the include path, as Bazel
compiles the project.
"""

import argparse
import os
import pathlib
import re
import subprocess
import sys
import tempfile

MAX_LINES = 10
# Where each static_assert message is explained to a Chinese reader.
CHINESE_PAGE = "pool/compile_errors.zh-CN.md"

PRELUDE = """\
#include <cstdio>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "pool/pool.h"

namespace {
[[maybe_unused]] int square(int x) { return x * x; }
[[maybe_unused]] int add(int a, int b) { return a + b; }
}  // namespace
"""

FENCE_OPEN = re.compile(r"^//(\s*)```(cpp(?: file)?)\s*$")
FENCE_CLOSE = re.compile(r"^//\s*```\s*$")
CODE_LIKE = re.compile(
    r"^//\s{2,}(pool::|std::|auto\s|int\s|for\s*\(|template\s*<|struct\s|"
    r"class\s|#include|return\s|\w+(\.|->)\w+\()")


def workspace_root():
    """The directory holding pool/, in runfiles or in a checkout."""
    srcdir = os.environ.get("TEST_SRCDIR")
    if srcdir:
        return pathlib.Path(srcdir) / os.environ.get("TEST_WORKSPACE", "_main")
    return pathlib.Path(__file__).resolve().parent.parent


def compiler():
    cc = os.environ.get("CC", "")
    if not cc:
        sys.exit("compile_check: $CC is not set; run it through Bazel "
                 "(./bazelw test //pool:compile_errors_test), which sets it "
                 "to the C++ toolchain's compiler.")
    return cc


def compile_source(cc, root, source, extra=()):
    """Compiles `source` (a path); returns (exit status, output lines)."""
    cmd = [cc, "-x", "c++", "-std=c++20", "-fsyntax-only", "-iquote",
           str(root), *extra, str(source)]
    run = subprocess.run(cmd, capture_output=True, text=True,
                         env={**os.environ, "LC_ALL": "C.UTF-8"})
    lines = [l for l in (run.stdout + run.stderr).splitlines() if l.strip()]
    return run.returncode, lines


def gcc_major(cc):
    out = subprocess.run([cc, "-dumpfullversion", "-dumpversion"],
                         capture_output=True, text=True).stdout.strip()
    probe = subprocess.run([cc, "--version"], capture_output=True,
                           text=True).stdout
    if "clang" in probe.lower() or not out:
        return None
    return int(out.split(".")[0])


def static_assert_messages(text):
    """The messages of the static_asserts in a header's text, their string
    literals joined."""
    messages = []
    for m in re.finditer(r"^\s*static_assert\s*\(", text, re.M):
        depth, i = 1, m.end()
        while depth:
            if text[i] == '"':
                i = re.compile(r'"(?:[^"\\]|\\.)*"').match(text, i).end()
                continue
            depth += {"(": 1, ")": -1}.get(text[i], 0)
            i += 1
        message = "".join(
            re.findall(r'"((?:[^"\\]|\\.)*)"', text[m.end():i - 1]))
        if message:
            messages.append(message.replace('\\"', '"'))
    return messages


def check_explained(root):
    """Every static_assert message of pool/ is explained in Chinese."""
    page = root / CHINESE_PAGE
    explained = page.read_text(encoding="utf-8") if page.exists() else ""
    failures = []
    headers = sorted((root / "pool").glob("*.h")) + sorted(
        (root / "pool/internal").glob("*.h"))
    for header in headers:
        for message in static_assert_messages(header.read_text()):
            if message not in explained:
                failures.append(
                    f"{header.relative_to(root)}: the message {message!r} "
                    f"is not quoted in {CHINESE_PAGE}: quote it there, word "
                    f"for word, and explain it in Chinese")
    return failures


def check_errors(root):
    failures = check_explained(root)
    cc = compiler()
    major = gcc_major(cc)
    count_lines = major == 12
    snippets = sorted((root / "pool/testdata/compile_errors").glob("*.cc"))
    if not snippets:
        failures.append("no snippet found in pool/testdata/compile_errors")
    for snippet in snippets:
        text = snippet.read_text()
        m = re.search(r"^// expect: (.+)$", text, re.M)
        if not m:
            failures.append(f"{snippet.name}: no `// expect:` line")
            continue
        expect = m.group(1).strip()
        status, lines = compile_source(cc, root, snippet)
        first_error = next((l for l in lines if "error:" in l), "")
        verdict = []
        if status == 0:
            verdict.append("compiled, but it is a mistake that must not")
        elif expect not in first_error:
            verdict.append(f"first error line does not say {expect!r}")
        if count_lines and len(lines) > MAX_LINES:
            verdict.append(f"{len(lines)} lines of output, more than "
                           f"{MAX_LINES}")
        print(f"{snippet.name}: {len(lines)} lines; first error: "
              f"{first_error[first_error.find('error:'):][:120]}")
        if verdict:
            failures.append(f"{snippet.name}: " + "; ".join(verdict) +
                            "\n  compiler said:\n    " +
                            "\n    ".join(lines[:40]))
    for good in sorted((root / "pool/testdata/compile_ok").glob("*.cc")):
        status, lines = compile_source(cc, root, good, ["-Wall", "-Wextra"])
        print(f"{good.name}: {'compiles' if status == 0 else 'FAILS'}, "
              f"{len(lines)} lines of output")
        if status != 0 or lines:
            failures.append(f"{good.name} must compile cleanly:\n    " +
                            "\n    ".join(lines[:40]))
    if not count_lines:
        print(f"(line counts not checked: $CC is not GCC 12 ({cc}); the "
              "messages still are)")
    return failures


def extract_examples(header_text):
    """Yields (line number, kind, code) per fenced example, and
    (line number, None, line) per unfenced indented comment block that
    starts like code."""
    # A comment inside a class is indented; its fences count all the same.
    lines = [line.lstrip() for line in header_text.splitlines()]
    i = 0
    while i < len(lines):
        starts_block = i > 0 and lines[i - 1].strip() == "//"
        m = FENCE_OPEN.match(lines[i])
        if m:
            indent, kind = len(m.group(1)), m.group(2)
            start = i + 1
            body = []
            i += 1
            while i < len(lines) and not FENCE_CLOSE.match(lines[i]):
                line = lines[i]
                if not line.startswith("//"):
                    break
                body.append(line[2 + indent:] if len(line) > 2 + indent
                            else "")
                i += 1
            yield start, kind, "\n".join(body)
        elif starts_block and CODE_LIKE.match(lines[i]):
            yield i + 1, None, lines[i]
        i += 1


def check_examples(root):
    cc = compiler()
    failures = []
    headers = sorted((root / "pool").glob("*.h")) + sorted(
        (root / "pool/internal").glob("*.h"))
    total = 0
    with tempfile.TemporaryDirectory() as tmp:
        for header in headers:
            rel = header.relative_to(root)
            for line, kind, code in extract_examples(header.read_text()):
                if kind is None:
                    failures.append(
                        f"{rel}:{line}: looks like code outside a ```cpp "
                        f"fence; fence it so that it is compiled:\n    {code}")
                    continue
                total += 1
                source = pathlib.Path(tmp) / f"example_{total}.cc"
                include = f'#include "{rel}"\n'
                if kind == "cpp file":
                    body = f"{code}\n"
                else:
                    body = ("[[maybe_unused]] void Example() {\n"
                            "  [[maybe_unused]] std::vector<int> xs{1, 2, 3};\n"
                            f"{code}\n}}\n")
                source.write_text(include + PRELUDE + f"#line {line + 1} "
                                  f'"{rel}"\n' + body)
                status, out = compile_source(cc, root, source,
                                             ["-Wall", "-Wextra"])
                print(f"{rel}:{line}: {kind} example "
                      f"{'compiles' if status == 0 and not out else 'FAILS'}")
                if status != 0 or out:
                    failures.append(f"{rel}:{line}: the example does not "
                                    "compile cleanly:\n    " +
                                    "\n    ".join(out[:40]))
    if total == 0:
        failures.append("no fenced example found in pool/'s headers")
    return failures


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("check", choices=["errors", "examples"])
    args = parser.parse_args()
    root = workspace_root()
    failures = (check_errors if args.check == "errors" else check_examples)(
        root)
    for failure in failures:
        print("FAIL " + failure)
    print(f"{'FAILED' if failures else 'PASSED'}: {len(failures)} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
