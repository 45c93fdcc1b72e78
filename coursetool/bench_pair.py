#!/usr/bin/env python3
"""Runs a learner's and the reference's benchmark binaries interleaved.

    bench_pair.py [--rounds N] [--min-time S] [--repetitions R]
                  [--skip PREFIX]
                  [--reference-canary K | --reference-only]
                  LEARNER_BINARY REFERENCE_BINARY

N rounds (default 3) of every benchmark the reference lists (but those
whose names start with a --skip prefix), each run alone in both binaries
one right after the other (see run_pair), with
--benchmark_format=json and, with --min-time S, --benchmark_min_time=S
(default: Google Benchmark's own, 0.5 s per benchmark) and, with
--repetitions R, --benchmark_repetitions=R. Each run is a
process group of its own, and whatever it leaves behind (in its group,
or orphaned: this process is their subreaper) is killed and reaped before
the next run starts, so a learner's binary cannot keep a process busy
while the reference is timed, and no run pays for the last one's exit.
With --reference-canary K the reference runs only the K-th benchmark
(modulo their number) beside the learner's (the grader compares it with
the reference's timings it keeps, to see whether the machine changed);
with --reference-only the learner's binary does not run at all.
The collected JSON texts go to $TEST_UNDECLARED_OUTPUTS_DIR/bench.json
(when the grader runs this as a Bazel test) or to stdout.

Standard library only: the grader copies this file into its workspace.
There it cannot import lang.py, so its notes (the errors it records, the
rounds it logs) are in Chinese when COURSE_LANG says so, which the grader
passes to it (--test_env); in ./course's own process they follow lang.py.
"""

import argparse
import json
import os
import re
import signal
import subprocess
import sys
import time
import zipfile

try:
    from .lang import T
except ImportError:  # alone, in the grader's workspace

    def T(en, zh, **fields):
        """lang.T, from COURSE_LANG alone."""
        text = zh if os.environ.get("COURSE_LANG", "").startswith("zh") \
            else en
        return text.format(**fields) if fields else text

ROUNDS = 3
RUN_TIMEOUT = 600


def _run_one(binary, extra_args=(), json_format=True):
    proc = subprocess.Popen([binary] + (["--benchmark_format=json"]
                                        if json_format else []) +
                            list(extra_args),
                            stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL,
                            stdin=subprocess.DEVNULL,
                            start_new_session=True)
    try:
        out, _ = proc.communicate(timeout=RUN_TIMEOUT)
        error = None if proc.returncode == 0 else describe_status(
            proc.returncode)
    except subprocess.TimeoutExpired:
        out, error = b"", T("timed out after {seconds} s",
                            "{seconds} 秒后仍未结束，已停止",
                            seconds=RUN_TIMEOUT)
    finally:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        proc.wait()
        _clear_leftovers(proc.pid)
    return out.decode("utf-8", "replace"), error


_SUBREAPER = None


def _become_subreaper():
    """Makes this process the one that inherits the orphans of the runs it
    starts (Linux's PR_SET_CHILD_SUBREAPER), so that it can see, kill and
    reap them; False where that is not possible."""
    global _SUBREAPER
    if _SUBREAPER is None:
        try:
            import ctypes
            libc = ctypes.CDLL(None, use_errno=True)
            _SUBREAPER = libc.prctl(36, 1, 0, 0, 0) == 0
        except (OSError, AttributeError):
            _SUBREAPER = False
    return _SUBREAPER


def _children():
    pid = os.getpid()
    out = []
    try:
        for tid in os.listdir("/proc/%d/task" % pid):
            with open("/proc/%d/task/%s/children" % (pid, tid)) as f:
                out += [int(c) for c in f.read().split()]
    except OSError:
        pass
    return out


def _clear_leftovers(pgid, timeout=5.0):
    """Kills and reaps whatever a run left behind: its process group and,
    as a subreaper, every orphan that came to this process, whatever its
    group (a process that called setsid() too). Returns when none is left,
    so the next run starts on a machine no run is still using (a pool's
    workers take a moment to die), or after `timeout` seconds."""
    if not _become_subreaper():
        return
    deadline = time.monotonic() + timeout
    while True:
        alive = False
        try:
            os.killpg(pgid, signal.SIGKILL)
            alive = True
        except (ProcessLookupError, PermissionError):
            pass
        for child in _children():
            alive = True
            try:
                os.kill(child, signal.SIGKILL)
            except ProcessLookupError:
                pass
        try:
            while os.waitpid(-1, os.WNOHANG)[0] > 0:
                pass
        except ChildProcessError:
            pass
        if not alive or time.monotonic() > deadline:
            return
        time.sleep(0.002)


def describe_status(returncode):
    """How a benchmark process ended, in words."""
    if returncode < 0:
        try:
            name = signal.Signals(-returncode).name
        except ValueError:
            name = T("signal {n}", "信号 {n}", n=-returncode)
        if name == "SIGABRT":
            return T("killed by SIGABRT (an uncaught exception, or an "
                     "assertion)", "被 SIGABRT 杀死（未捕获的异常，或断言"
                     "失败）")
        return T("killed by {signal}", "被 {signal} 杀死", signal=name)
    return T("exit status {code}", "退出状态 {code}", code=returncode)


def min_time_args(min_time, repetitions=None):
    """The benchmark flags for a minimum time per benchmark (None: the
    library's default) and a number of repetitions of it in one run (None:
    one). A plain number of seconds, which every Google Benchmark version
    reads."""
    return ([] if min_time is None else
            ["--benchmark_min_time=%g" % min_time]) + (
        [] if repetitions is None else
        ["--benchmark_repetitions=%d" % repetitions])


def benchmark_names(binary):
    """The benchmarks a binary runs (--benchmark_list_tests), or
    (None, why)."""
    text, error = _run_one(binary, ["--benchmark_list_tests"],
                           json_format=False)
    if error:
        return None, error
    names = [line.strip() for line in text.splitlines() if line.strip()]
    return names, None


def name_filter(name):
    """--benchmark_filter for exactly this benchmark: the regular
    expression's special characters escaped, nothing else (the library's
    regular expressions are POSIX ones, where other escapes are
    undefined)."""
    return "--benchmark_filter=^%s$" % re.sub(r"([.^$*+?()\[\]{}|\\])",
                                              r"\\\1", name)


def whose(name):
    """How an error run_pair records begins: which binary ("learner" or
    "reference") failed, in the reader's language."""
    return (T("your benchmark", "你的基准测试") if name == "learner" else
            T("the reference's benchmark", "参考答案的基准测试"))


def reason(error):
    """An error run_pair records without its beginning (whose binary,
    which round): what went wrong."""
    return re.split(r": |：", error, maxsplit=1)[-1]


def run_pair(learner, reference, rounds=ROUNDS, extra_args=(), log=None,
             skip=(), reference_canary=None):
    """{"learner": [json text], "reference": [json text], "errors": [..]}.

    skip: prefixes of benchmark names not to run. learner None: only the
    reference runs. reference_canary K: the reference runs only the K-th
    benchmark (modulo their number), the learner's binary all of them.

    Between runs it kills every child process this process has: call it
    from one that has no other children running.

    One JSON text per round and binary. Within a round, each benchmark
    (as the reference lists them) runs on its own in both binaries, one
    right after the other, so that its two timings are taken a fraction
    of a second apart, under the same load. Which binary goes first
    alternates from one benchmark to the next and from one round to the
    next (the first of two runs tends to be a little slower). A binary
    that fails in the first round is not run again: the rounds stop
    there."""
    data = {"learner": [], "reference": [], "errors": []}
    _become_subreaper()
    names, error = benchmark_names(reference)
    names = [n for n in names or [] if not n.startswith(tuple(skip))]
    if error or not names:
        data["errors"].append(T(
            "{who}: cannot list its benchmarks ({why})",
            "{who}：无法列出它的基准测试（{why}）", who=whose("reference"),
            why=error or T("it lists none", "它一个也没有列出")))
        return data
    binaries = {"learner": learner, "reference": reference}
    canary = (None if reference_canary is None else
              names[reference_canary % len(names)])
    for i in range(rounds):
        if i == 1 and data["errors"]:
            break
        if log:
            log(T("round {n} of {total}", "第 {n} 轮，共 {total} 轮",
                  n=i + 1, total=rounds))
        rows = {"learner": [], "reference": []}
        failed = set()
        for j, name in enumerate(names):
            order = ("learner", "reference") if (i + j) % 2 == 0 else (
                "reference", "learner")
            for who in order:
                if (who in failed or binaries[who] is None or
                        (who == "reference" and canary not in (None, name))):
                    continue
                text, error = _run_one(binaries[who],
                                       [name_filter(name), *extra_args])
                try:
                    rows[who] += json.loads(text)["benchmarks"] if not \
                        error else []
                except (ValueError, KeyError, TypeError):
                    error = T("its output is not benchmark JSON",
                              "它的输出不是基准测试的 JSON")
                if error:
                    failed.add(who)
                    data["errors"].append(T(
                        "{who}, round {n}: {why}", "{who}，第 {n} 轮：{why}",
                        who=whose(who), n=i + 1, why=error))
        for who in ("learner", "reference"):
            if who not in failed and binaries[who] is not None:
                data[who].append(json.dumps({"benchmarks": rows[who]}))
    return data


def read_outputs(xml_path):
    """The bench.json a graded run left in its undeclared outputs (next to
    its test.xml), or None."""
    if not xml_path:
        return None
    base = os.path.join(os.path.dirname(xml_path), "test.outputs")
    plain = os.path.join(base, "bench.json")
    if os.path.exists(plain):
        with open(plain, encoding="utf-8") as f:
            return json.load(f)
    zipped = os.path.join(base, "outputs.zip")
    if os.path.exists(zipped):
        with zipfile.ZipFile(zipped) as z:
            if "bench.json" in z.namelist():
                return json.loads(z.read("bench.json").decode("utf-8"))
    return None


def main(argv):
    parser = argparse.ArgumentParser(
        prog="bench_pair.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("learner")
    parser.add_argument("reference")
    parser.add_argument("--rounds", type=int, default=ROUNDS)
    parser.add_argument("--min-time", type=float)
    parser.add_argument("--repetitions", type=int)
    parser.add_argument("--skip", action="append", default=[])
    parser.add_argument("--reference-canary", type=int)
    parser.add_argument("--reference-only", action="store_true")
    args = parser.parse_args(argv[1:])
    if args.rounds < 1 or (args.min_time is not None and
                           args.min_time <= 0) or (
                               args.repetitions is not None and
                               args.repetitions < 1):
        parser.error("--rounds and --repetitions must be at least 1 and "
                     "--min-time positive")
    data = run_pair(None if args.reference_only else args.learner,
                    args.reference, rounds=args.rounds,
                    extra_args=min_time_args(args.min_time, args.repetitions),
                    skip=args.skip,
                    reference_canary=args.reference_canary)
    out_dir = os.environ.get("TEST_UNDECLARED_OUTPUTS_DIR")
    text = json.dumps(data)
    if out_dir:
        with open(os.path.join(out_dir, "bench.json"), "w",
                  encoding="utf-8") as f:
            f.write(text)
    else:
        print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
