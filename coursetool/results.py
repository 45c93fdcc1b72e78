"""Reading what a test run recorded.

Verdicts come only from structured records: the JUnit XML each GoogleTest
process writes (one per test process), matched against a list of test
cases obtained from trusted code. A case with no record failed, and the
reason says why (the process exited, crashed or timed out first). The
test's printed log is never used to award anything; it only helps explain
a failure ("it was running X when it exited").
"""

import dataclasses
import re
import xml.etree.ElementTree as ET

from .lang import T

PASS, FAIL, NO_RESULT = "pass", "fail", "no result"


@dataclasses.dataclass
class CaseResult:
    name: str  # "Suite.Case"
    status: str  # PASS, FAIL or NO_RESULT
    message: str = ""  # what went wrong, for a learner to read
    timed_out: bool = False  # its test process ran past the time limit

    @property
    def passed(self):
        return self.status == PASS


def parse_test_list(text):
    """Test cases from `binary --gtest_list_tests`, as "Suite.Case".

    The format: a suite line "Suite." (maybe followed by "  # TypeParam =
    ..."), then its cases indented by two spaces. Other unindented lines
    (gtest_main's "Running main() from ...") are skipped.
    """
    cases, suite = [], None
    for line in text.splitlines():
        if not line.strip():
            continue
        if not line.startswith(" "):
            head = line.split("#")[0].strip()
            if not re.fullmatch(r"[A-Za-z_][\w/]*\.", head):
                suite = None
                continue
            suite = head[:-1]
        else:
            if suite is None:
                continue
            cases.append("%s.%s" % (suite, line.split("#")[0].strip()))
    return cases


def parse_junit_xml(data):
    """Maps "Suite.Case" to (status, message) from a gtest XML report.

    Only <testcase> elements that gtest wrote (with classname and name) are
    read. A case with <failure> or <error> children failed; one marked
    skipped or not run counts as failed (it earned nothing). Returns {} for
    a file that is not XML (for example one cut short).
    """
    try:
        root = ET.fromstring(data)
    except ET.ParseError:
        return {}
    out = {}
    for case in root.iter("testcase"):
        suite, name = case.get("classname"), case.get("name")
        if not suite or not name:
            continue
        key = "%s.%s" % (suite, name)
        problems = [c for c in case if c.tag in ("failure", "error")]
        if problems:
            texts = []
            for p in problems:
                body = (p.text or p.get("message") or "").strip()
                texts.append(tidy_failure(body))
            out[key] = (FAIL, "\n\n".join(t for t in texts if t))
        elif case.get("status", "run") != "run" or case.get(
                "result", "completed") != "completed":
            out[key] = (FAIL, T("the test case was {how}, not run",
                                "这个测试用例的状态是 {how}，没有运行",
                                how=case.get("result") or
                                case.get("status")))
        else:
            out[key] = (PASS, "")
    return out


_RUN_LINE = re.compile(r"^\[ RUN      \] (\S+)$", re.M)
_END_LINE = re.compile(r"^\[ +(OK|FAILED|SKIPPED) +\] (\S+)", re.M)


def started_case(line):
    """The case a gtest "[ RUN      ] Suite.Case" line starts, or None."""
    m = _RUN_LINE.match(line)
    return m.group(1) if m else None


def ended_case(line):
    """The case a gtest "[       OK ] ..." or "[  FAILED  ] ..." line
    ends, or None."""
    m = _END_LINE.match(line)
    return m.group(2) if m else None


def running_case(log):
    """The case that had started but not finished when the log ends, or
    None. (From the printed log, so it only explains, never awards.)"""
    started = _RUN_LINE.findall(log)
    ended = {m.group(2) for m in _END_LINE.finditer(log)}
    for name in reversed(started):
        if name not in ended:
            return name
    return None


def exit_code_from_xml(xml):
    """The exit status Bazel's generated XML reports for a test process
    that wrote no report of its own, or None."""
    m = re.search(r"exited with error code (\d+)", xml or "")
    return int(m.group(1)) if m else None


def log_verdicts(log):
    """What the printed log says of each case: {case: (status, printed)}
    for the cases that ended ([ OK ] is PASS, [ FAILED ] is FAIL), and for
    the one still running when the log ends (NO_RESULT); `printed` is what
    the case printed between its [ RUN ] line and its end (gtest's failure
    messages, and whatever the test wrote, a gate giving up for one).

    For the learner's loop only, to say which case a test process was in
    when it was stopped; the grader never awards from a log."""
    out, current, printed = {}, None, []
    for line in log.splitlines():
        m = _RUN_LINE.match(line)
        if m:
            if current:
                out[current] = (NO_RESULT, "\n".join(printed).strip())
            current, printed = m.group(1), []
            continue
        m = _END_LINE.match(line)
        if m and m.group(2) == current:
            status = PASS if m.group(1) == "OK" else FAIL
            out[current] = (status, "\n".join(printed).strip())
            current, printed = None, []
            continue
        if current and not line.startswith("-- Test timed out at "):
            printed.append(line)
    if current:
        out[current] = (NO_RESULT, "\n".join(printed).strip())
    return out


def describe_hang(limit):
    """Why a case that ./course stopped has no result."""
    return T("it did not finish within {limit} s, so ./course stopped it "
             "(a hang: something waits for a result that never comes, or a "
             "loop never ends)",
             "它在 {limit} 秒内没有结束，./course 停止了它（挂起：有什么在"
             "等一个永远不来的结果，或者有个循环永不结束）", limit=limit)


def blame(ending, printed, max_lines=6):
    """The reason given to the case that was running when its test process
    ended: the ending, and the last lines the case printed (a gate that
    gave up says what it was waiting for)."""
    lines = [l for l in printed.splitlines() if l.strip()]
    if not lines:
        return T("no result: {ending}", "没有结果：{ending}", ending=ending)
    return T("no result: {ending}\nBefore that, it printed:\n{printed}",
             "没有结果：{ending}\n在此之前，它打印了：\n{printed}",
             ending=ending,
             printed="\n".join("  " + l for l in lines[-max_lines:]))


def never_ran(running, ending, stopped=False):
    """The reason given to a case after the one that was running (stopped:
    ./course stopped the process)."""
    if running and stopped:
        return T("never ran: the test process was stopped in {running}, "
                 "before this case",
                 "没有运行：测试进程在 {running} 中被停止，还没到这个用例",
                 running=running)
    if running:
        return T("never ran: the test process ended in {running}, before "
                 "this case ({ending})",
                 "没有运行：测试进程在 {running} 中结束，还没到这个用例"
                 "（{ending}）", running=running, ending=ending)
    return T("never ran: the test process had ended before it ({ending})",
             "没有运行：测试进程在它之前就结束了（{ending}）", ending=ending)


def describe_ending(status, exit_code=None, timeout=None):
    """Why a test process recorded nothing, in plain words."""
    if status == "TIMEOUT":
        return T("it did not finish within the time limit{limit} and was "
                 "stopped (a hang: something waited for a result that never "
                 "came)",
                 "它没有在时间限制{limit}内结束，被停止了（挂起：有什么在等一个"
                 "永远不来的结果）",
                 limit=T(" of {n} s", "（{n} 秒）", n=timeout)
                 if timeout else "")
    if exit_code is None and status == "PASSED":
        exit_code = 0  # Bazel saw status 0, yet no result was recorded.
    if exit_code is None:
        return T("the test process ended before it recorded a result",
                 "测试进程在记录结果之前就结束了")
    if exit_code > 128:
        sig = exit_code - 128
        name = signal_name(sig)
        return T("the test process was killed by {signal} before it "
                 "recorded a result",
                 "测试进程在记录结果之前被 {signal} 杀死", signal=name)
    if exit_code == 0:
        return T("the test process exited with status 0 before it recorded "
                 "a result: something called exit(), _exit() or "
                 "quick_exit()",
                 "测试进程在记录结果之前以状态 0 退出：有代码调用了 exit()、_exit() 或 quick_exit()")
    return T("the test process exited (status {code}) before it recorded a "
             "result: something called exit() or crashed",
             "测试进程在记录结果之前退出了（状态 {code}）：有代码调用了 "
             "exit() 或者崩溃了", code=exit_code)


def signal_name(sig):
    """A signal's name, with what it usually means."""
    names = {
        6: lambda: T("SIGABRT (abort, e.g. a failed assert or "
                     "std::terminate)",
                     "SIGABRT（abort，例如 assert 失败或 std::terminate）"),
        11: lambda: T("SIGSEGV (a bad memory access)",
                      "SIGSEGV（非法内存访问）"),
        8: lambda: T("SIGFPE (e.g. a division by zero)",
                     "SIGFPE（例如除以零）"),
        9: lambda: "SIGKILL", 15: lambda: "SIGTERM", 7: lambda: "SIGBUS"}
    if sig in names:
        return names[sig]()
    return T("signal {n}", "信号 {n}", n=sig)


def match_cases(expected, recorded, missing_reason):
    """One CaseResult per expected case, in order.

    `recorded` is what parse_junit_xml returned for the runs that covered
    the cases; a case absent from it gets NO_RESULT with missing_reason
    (a string, or a function of the case name). Recorded cases that were
    not expected are ignored: they earn nothing.
    """
    out = []
    for name in expected:
        if name in recorded:
            status, message = recorded[name]
            out.append(CaseResult(name, status, message))
        else:
            reason = missing_reason(name) if callable(
                missing_reason) else missing_reason
            out.append(CaseResult(name, NO_RESULT, reason))
    return out


def tidy_failure(message):
    """A gtest failure message in the learner's terms: the test file's
    path shortened, and gtest's wrapping of an explained check ("Value of:
    ... Actual: false (why) Expected: true") reduced to the explanation."""
    text = message.strip()
    text = re.sub(r"(?m)^unknown file\n", "", text)
    text = re.sub(r'C\+\+ exception with description "(.*)" thrown in the '
                  r'test body\.', lambda m: T(
                      "your code threw an exception: {what}",
                      "你的代码抛出了异常：{what}", what=m.group(1)), text)
    text = re.sub(r"Value of: .*?\n  Actual: false \((.*?)\)\nExpected: true",
                  r"\1", text, flags=re.S)
    text = re.sub(r"(?m)^(?:\S*/)?(\w+_test\.cc):(\d+)(?:: Failure)?$",
                  lambda m: T("({file} line {line})", "({file} 第 {line} 行)",
                              file=m.group(1), line=m.group(2)), text)
    return text


# A compiler diagnostic: "path:line:col: error: text" (gcc and clang).
_DIAG = re.compile(r"^(?P<file>[^\s:][^:]*):(?P<line>\d+):(?:(?P<col>\d+):)? "
                   r"(?P<kind>fatal error|error): (?P<text>.*)$")
_ANY_DIAG = re.compile(r"^[^\s:][^:]*:\d+:(?:\d+:)? ")


def first_compiler_error(output, prefer=(), read_line=None):
    """The first error in a compiler's output, with the source lines and
    notes gcc prints after it (up to the next diagnostic), or "".

    `prefer`: paths (e.g. the learner's files); an error in one of them is
    chosen over an earlier error elsewhere, since that is what to fix. An
    error inside a library template (a static_assert of the pool) comes
    from a line of the learner's: that line, the innermost "required from"
    (gcc) or "requested here" (clang) in one of the `prefer` files, is
    shown first, with its source when read_line(path, number) gives it.
    Bazel's own lines ("ERROR: ...", "INFO: ...") are skipped.
    """
    lines = output.splitlines()
    starts = [i for i, line in enumerate(lines) if _DIAG.match(line)]
    if not starts:
        return ""
    chosen = starts[0]
    for i in starts:
        if _is_preferred(_DIAG.match(lines[i]).group("file"), prefer):
            chosen = i
            break
    block = [lines[chosen]]
    for line in lines[chosen + 1:chosen + 12]:
        if (_ANY_DIAG.match(line) or line.startswith(("ERROR:", "INFO:",
                                                      "Target ", "FAILED:",
                                                      "In file included"))
                or re.match(r"^\S+: In (member )?function", line)):
            break
        block.append(line)
    yours = _learners_line(lines, chosen, prefer)
    if yours:
        where = _relative(yours.group("file")), yours.group("line")
        head = ["%s:%s:%s: %s" % (where + (yours.group("col"), T(
            "this line of yours leads to the error below",
            "你的这一行导致了下面的错误")))]
        source = read_line(*where) if read_line else None
        if source is not None:
            head.append("%5s | %s" % (where[1], source.rstrip()))
        return "\n".join(head + block).rstrip()
    # Show where the file starts with "In function" context if gcc gave it.
    for j in range(chosen - 1, max(chosen - 3, -1), -1):
        if re.match(r"^\S+: In ", lines[j]):
            block.insert(0, lines[j])
            break
    return "\n".join(block).rstrip()


# The lines gcc prints before an error to say how the compiler got there,
# and the notes clang prints after it.
_CONTEXT = re.compile(r"^In file included from |^\s+from \S+[,:]$|"
                      r"^\S+: (In |At global scope)|"
                      r"^\S+:\d+:\d+:\s+(recursively )?required (from|by) ")
_INSTANTIATED_AT = re.compile(
    r"^(?P<file>[^\s:][^:]*):(?P<line>\d+):(?P<col>\d+):\s+"
    r"(?:(?:recursively )?required from |"
    r"note: in instantiation of .* requested here$)")


def _relative(path):
    return re.sub(r"^(\./)+", "", path)


def _is_preferred(path, prefer):
    return any(_relative(path).endswith(p) for p in prefer)


def _learners_line(lines, chosen, prefer):
    """The innermost instantiation line in the learner's files for the
    error at lines[chosen] (a match of _INSTANTIATED_AT), or None."""
    if not prefer:
        return None
    start = chosen
    while start > 0 and _CONTEXT.match(lines[start - 1]):
        start -= 1
    chain = lines[start:chosen]
    for line in lines[chosen + 1:chosen + 40]:  # clang: notes after
        if _DIAG.match(line):
            break
        chain.append(line)
    for line in chain:
        m = _INSTANTIATED_AT.match(line)
        if m and _is_preferred(m.group("file"), prefer):
            return m
    return None


def line_reader(read_file):
    """A read_line(path, number) for first_compiler_error from
    read_file(path) -> text or None."""
    def read_line(path, number):
        text = read_file(path)
        if text is None:
            return None
        lines = text.splitlines()
        n = int(number)
        return lines[n - 1] if 0 < n <= len(lines) else None
    return read_line
