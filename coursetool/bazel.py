"""Running Bazel quietly and reading what it recorded.

Everything here is thin on purpose: build a command line, run it with its
output sent to a log file, and read the Build Event Protocol file Bazel
writes (--build_event_json_file), which says per target whether it built
and per test run (per shard) its status and where its test.xml and test.log
are. No progress output reaches the learner.
"""

import dataclasses
import json
import os
import re
import signal
import subprocess
import urllib.parse
import urllib.request

from . import errors
from .lang import T

# Flags that keep Bazel silent: no progress, no INFO lines, no result
# listing, no colour; what is left (errors) goes to the log file anyway.
QUIET = [
    "--noshow_progress",
    "--noshow_loading_progress",
    "--ui_event_filters=-info,-warning,-stdout,-stderr,-debug,-progress",
    "--show_result=0",
    "--color=no",
    "--curses=no",
    "--test_output=summary",
    "--test_summary=terse",
]


@dataclasses.dataclass
class TestRun:
    label: str
    shard: int  # 1-based, as in BEP
    status: str  # PASSED, FAILED, TIMEOUT, FLAKY, INCOMPLETE, ...
    xml: str  # path or ""
    log: str  # path or ""
    cached: bool


@dataclasses.dataclass
class BuildEvents:
    tests: dict  # label -> [TestRun]
    built: dict  # label -> bool (targetCompleted success)
    failed_actions: list  # (label, stderr path, primary output)
    aborted: dict  # label -> reason
    exit_code: str  # e.g. "SUCCESS", "BUILD_FAILURE", "TESTS_FAILED"
    files: dict = dataclasses.field(default_factory=dict)  # output name -> path


def _path(uri):
    if not uri or not uri.startswith("file://"):
        return ""
    return urllib.request.url2pathname(urllib.parse.urlparse(uri).path)


def parse_events(path):
    """Reads a --build_event_json_file into BuildEvents."""
    tests, built, failed, aborted, exit_code = {}, {}, [], {}, ""
    files = {}
    try:
        f = open(path, encoding="utf-8")
    except FileNotFoundError:
        return BuildEvents({}, {}, [], {}, "")
    with f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            try:
                e = json.loads(line)
            except json.JSONDecodeError:
                continue  # a last line cut short by an interrupted build
            eid = e.get("id", {})
            if "testResult" in eid and "testResult" in e:
                i, r = eid["testResult"], e["testResult"]
                outs = {o.get("name"): _path(o.get("uri"))
                        for o in r.get("testActionOutput", [])}
                tests.setdefault(i["label"], []).append(TestRun(
                    label=i["label"], shard=int(i.get("shard", 1)),
                    status=r.get("status", "NO_STATUS"),
                    xml=outs.get("test.xml", ""), log=outs.get("test.log", ""),
                    cached=bool(r.get("cachedLocally") or
                                r.get("executionInfo", {}).get(
                                    "cachedRemotely"))))
            elif "targetCompleted" in eid:
                label = eid["targetCompleted"]["label"]
                ok = e.get("completed", {}).get("success", False)
                if "aborted" in e:
                    ok = False
                    aborted[label] = e["aborted"].get("description", "")
                built[label] = built.get(label, True) and bool(ok)
            elif "actionCompleted" in eid and "action" in e:
                a = e["action"]
                if a.get("exitCode", 0) != 0 or not a.get("success", True):
                    failed.append((a.get("label", ""),
                                   _path(a.get("stderr", {}).get("uri")),
                                   eid["actionCompleted"].get(
                                       "primaryOutput", "")))
            elif "targetConfigured" in eid and "aborted" in e:
                label = eid["targetConfigured"]["label"]
                built[label] = False
                aborted[label] = e["aborted"].get("description", "")
            elif "namedSet" in eid:
                for fi in e.get("namedSetOfFiles", {}).get("files", []):
                    files[fi.get("name", "")] = _path(fi.get("uri"))
            elif "buildFinished" in eid:
                exit_code = e.get("finished", {}).get("exitCode", {}).get(
                    "name", "")
    for runs in tests.values():
        runs.sort(key=lambda r: r.shard)
    return BuildEvents(tests, built, failed, aborted, exit_code, files)


def read_text(path, limit=1 << 20):
    """A file's text (at most `limit` bytes), or "" if it is not there."""
    try:
        with open(path, "rb") as f:
            return f.read(limit).decode("utf-8", "replace")
    except OSError:
        return ""


def run(bazelw, workdir, command, args, log_path, startup=(), env=None,
        watch=None):
    """Runs `bazelw [startup] command args` in workdir with all output in
    log_path. Returns the exit status. Ctrl-C reaches Bazel too (same
    process group), which cancels the command; KeyboardInterrupt then
    propagates to the caller.

    watch: called about four times a second while Bazel runs; when it
    returns True, the command is interrupted as Ctrl-C would (Bazel stops
    its running tests) and the exit status is INTERRUPTED."""
    with open(log_path, "wb") as log:
        proc = subprocess.Popen([bazelw, *startup, command, *args],
                                cwd=workdir, stdout=log,
                                stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, env=env)
        try:
            while True:
                try:
                    return proc.wait(timeout=0.25 if watch else None)
                except subprocess.TimeoutExpired:
                    if watch():
                        _stop(proc, signal.SIGINT)
                        return INTERRUPTED
        except BaseException:
            # Interrupted (Ctrl-C, or the caller is going away): make sure
            # the client is gone before we return, so nothing keeps writing.
            _stop(proc, signal.SIGTERM)
            raise


# Bazel's exit status when a command was interrupted.
INTERRUPTED = 8


def _stop(proc, sig):
    """Asks the Bazel client to stop (it cancels the command on the
    server), and waits for it; kills it if it does not stop in 20 s."""
    try:
        proc.send_signal(sig)
        proc.wait(timeout=20)
    except (subprocess.TimeoutExpired, OSError):
        proc.kill()
        proc.wait()


# Lines Bazel adds to a streamed test's output (--test_output=streamed):
# its own messages and the summary, none of them the test's.
_BAZEL_LINE = re.compile(
    r"^(INFO|ERROR|WARNING|FAILED|DEBUG): |^Target |^Executed \d|"
    r"^(TIMEOUT|FAILED|PASSED|NO STATUS|FLAKY): //|^//\S+ +[A-Z]|"
    r"^ +/\S+/test\.log$|^Bazel caught |^-- Test timed out at |^Use --")


def is_bazel_line(line):
    """Whether a line of a streamed test's output is Bazel's, not the
    test's."""
    return bool(_BAZEL_LINE.match(line))


# QUIET, with the test's output streamed into the log as it runs (one
# test at a time): for following a single exercise's test while it runs.
STREAMED = [f for f in QUIET if not f.startswith(
    ("--ui_event_filters", "--test_output"))] + [
    "--ui_event_filters=-info,-warning,-debug,-progress",
    "--test_output=streamed"]


def info(bazelw, workdir, key, startup=()):
    out = subprocess.run([bazelw, *startup, "info", key], cwd=workdir,
                         capture_output=True, text=True,
                         stdin=subprocess.DEVNULL)
    if out.returncode != 0:
        raise errors.ToolError(T("bazel info {key} failed:\n{stderr}",
                                 "bazel info {key} 失败了：\n{stderr}",
                                 key=key, stderr=out.stderr))
    return out.stdout.strip()


def failed_build_output(events, console_log, packages):
    """The compiler output of the failed actions in `packages` (e.g.
    {"exercises/03_map"}), falling back to the console log."""
    texts = []
    for label, stderr, _ in events.failed_actions:
        pkg = label.lstrip("@").split("//", 1)[-1].split(":", 1)[0]
        if pkg in packages and stderr and os.path.exists(stderr):
            texts.append(read_text(stderr))
    if texts:
        return "\n".join(texts)
    return read_text(console_log)
