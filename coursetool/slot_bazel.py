"""Bazel in one claimed grading workspace (workspace.Slot): its startup
and common flags, the linux-sandbox that hides what a test must not see,
and telling the grader's own failures from a submission's."""

import itertools
import os
import pathlib
import subprocess

from . import bazel
from . import errors
from .lang import T
from .package import PACKAGE


class SlotBazel:
    """Runs Bazel in `slot`'s tree, with its own output base, the shared
    disk cache under `cache`, and logs and event files in `logs`."""

    def __init__(self, slot, cache, logs, options):
        self.slot = slot
        self.cache = cache
        self.logs = logs
        self.options = options
        os.makedirs(logs, exist_ok=True)

    def _startup(self):
        return ["--output_base=" + self.slot.base, "--max_idle_secs=900"]

    def _bazelw(self):
        return os.path.join(self.slot.tree, "bazelw")

    def events_file(self, name):
        """A fresh path for a build event file (none left from before)."""
        path = os.path.join(self.logs, name + ".bep")
        if os.path.exists(path):
            os.remove(path)
        return path

    def common_flags(self, bep):
        flags = bazel.QUIET + [
            "--keep_going",
            "--build_event_json_file=" + bep,
            "--disk_cache=" + os.path.join(self.cache, "disk"),
            "--symlink_prefix=/",
            "--nocheck_visibility",
        ]
        if self.options.jobs:
            flags.append("--jobs=%d" % self.options.jobs)
        return flags

    def sandbox_flags(self, submissions, hidden, hide_hidden_copy):
        """Bazel flags that run actions in linux-sandbox with a private /tmp
        and /dev/shm and with these directories hidden (an empty tmpfs
        over each): the other slots, the shared disk cache, the hidden
        tests' directory, every submission's directory, and, for the test
        step, this slot's copy of the hidden tests. (The compile step needs
        that copy; see "What the grader trusts" in exercises/README.md.)"""
        if self.options.sandbox == "off":
            return []
        hide = list(PRIVATE_DIRS) + [os.path.join(self.cache, "disk")]
        hide += self.slot.others()
        if hidden:
            hide.append(hidden.path)
            if hide_hidden_copy:
                hide.append(os.path.join(self.slot.tree, PACKAGE, "hidden"))
        hide += [s.path for s in submissions]
        return ["--spawn_strategy=linux-sandbox",
                "--nosandbox_default_allow_network"] + [
            "--sandbox_tmpfs_path=" + h
            for h in tmpfs_paths(hide, [self.slot.base, self.slot.tree])]

    def run(self, command, args, name):
        """(exit status, log path) of one Bazel command."""
        log = os.path.join(self.logs, name + ".log")
        code = bazel.run(self._bazelw(), self.slot.tree, command, args, log,
                         startup=self._startup())
        return code, log

    def run_checked(self, command, args, name):
        """(events, log path) of one Bazel command that reads its events
        from args' --build_event_json_file; raises ToolError when Bazel
        itself failed rather than the submission."""
        bep = next(a.split("=", 1)[1] for a in args
                   if a.startswith("--build_event_json_file="))
        code, log = self.run(command, args, name)
        events = bazel.parse_events(bep)
        check_infrastructure(code, events, log, self.slot.tree)
        return events, log

    def query_deps(self, labels):
        """{label: [its deps' labels]}."""
        out = {}
        for label in labels:
            q = subprocess.run(
                [self._bazelw(), *self._startup(), "query",
                 "labels(deps, %s)" % label, "--output=label"],
                cwd=self.slot.tree, capture_output=True, text=True,
                stdin=subprocess.DEVNULL)
            if q.returncode != 0:
                raise errors.ToolError(T("bazel query of {label} failed:\n"
                                         "{stderr}", "对 {label} 的 bazel "
                                         "query 失败了：\n{stderr}",
                                         label=label,
                                         stderr=q.stderr[-2000:]))
            out[label] = [d for d in q.stdout.split() if d]
        return out


def check_infrastructure(code, events, log, tree):
    """Raises ToolError when Bazel failed for a reason that is not the
    submission's: no sandbox, or an exit status that no build or test
    failure explains."""
    text = bazel.read_text(log)
    if sandbox_unavailable(text):
        # grader.py recognises this error by "linux-sandbox" in it.
        raise errors.ToolError(T(
            "Bazel's linux-sandbox cannot run on this machine, so the "
            "tests could not get a private /tmp. Grade with "
            "--sandbox=off only where each submission is graded on a "
            "machine of its own (a Gradescope container, a CI job).",
            "Bazel 的 linux-sandbox 无法在这台机器上运行，所以测试得不到"
            "私有的 /tmp。只有在每份作业都在单独的机器上评分时（Gradescope "
            "容器、CI 任务），才用 --sandbox=off 评分。"))
    if code not in (0, 1, 3, 4) or (code != 0 and not events.tests and
                                    not events.failed_actions and
                                    not any(v is False for v in
                                            events.built.values())):
        raise errors.ToolError(T(
            "Bazel failed (exit status {code}) in {tree}; the end of its "
            "output:\n{lines}",
            "Bazel 在 {tree} 中失败了（退出状态 {code}）；它输出的最后几行："
            "\n{lines}", code=code, tree=tree,
            lines="\n".join(text.splitlines()[-25:])))


# What the sandbox gives each test an empty tmpfs of (besides the other
# submissions and the cache's own disk cache).
PRIVATE_DIRS = ("/tmp", "/dev/shm")


def tmpfs_paths(paths, keep):
    """The directories to cover with an empty tmpfs: existing ones, none
    inside another (it is hidden already, and the mount would fail), and
    none that holds a path in `keep` (the slot's own tree and output base,
    which the sandbox needs)."""
    paths = sorted({os.path.abspath(p) for p in paths if os.path.isdir(p)})
    out = []
    for p in paths:
        if any(is_within(k, p) for k in keep):
            continue
        if any(is_within(p, q) for q in out):
            continue
        out.append(p)
    return out


def is_within(path, parent):
    """Whether `path` is `parent` or below it (both made absolute)."""
    return pathlib.PurePath(os.path.abspath(path)).is_relative_to(
        os.path.abspath(parent))


def sandbox_unavailable(bazel_output):
    """Whether Bazel said it cannot use linux-sandbox. Only Bazel's own
    "ERROR:" lines are read: a compiler's message quoting a submission's
    source never starts that way, so a submission cannot fake this and
    turn the sandbox off."""
    for line in bazel_output.splitlines():
        if not line.startswith("ERROR: ") or "linux-sandbox" not in line:
            continue
        if any(p in line for p in (
                "no strategy with that identifier was registered",
                "not available", "is not supported",
                "No usable spawn strategy")):
            return True
    return False


_profile_numbers = itertools.count(1)  # The runs of this process, in order.


def profile(step):
    """--profile for a step when $COURSE_PROFILE_DIR names a directory
    (to see where grading time goes: `bazel analyze-profile FILE`). The
    files are numbered in the order of the runs (001-build.profile,
    002-test.profile, ...), so a class's runs are all kept."""
    d = os.environ.get("COURSE_PROFILE_DIR")
    if not d:
        return []
    return ["--profile=" + os.path.join(
        d, "%03d-%s.profile" % (next(_profile_numbers), step))]
