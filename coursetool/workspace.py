"""Grading workspaces: where a submission is built and tested.

The grader never writes to the checkout it is run from. It grades in a
workspace of its own under a cache directory:

    <cache>/trees/N   a source tree: the checkout's committed files, the
                      submission's files on top, and a generated
                      course_grading/ package
    <cache>/bases/N   Bazel's output base for that tree (kept warm)
    <cache>/locks/N   claimed with flock() while a grader uses slot N
    <cache>/disk      Bazel's --disk_cache, shared by every slot

A grader claims the first free slot (a second grader running at the same
time gets another one) and, before every submission, rewrites the tree to
be exactly the committed files plus that submission: files that differ
are rewritten, extra files are removed. A grader that is killed leaves at
worst a stale tree, which the next one rewrites, and its lock dies with it.
"""

import fcntl
import io
import os
import stat
import subprocess
import tarfile

from . import errors
from .lang import T

MAX_SLOTS = 16


class Slot:
    def __init__(self, cache, index, lock_file):
        self.cache = cache
        self.index = index
        self._lock = lock_file
        self.tree = os.path.join(cache, "trees", str(index))
        self.base = os.path.join(cache, "bases", str(index))
        os.makedirs(self.tree, exist_ok=True)
        os.makedirs(self.base, exist_ok=True)

    def others(self):
        """Paths of the other slots' trees and output bases (to hide from
        the test sandbox)."""
        out = []
        for kind in ("trees", "bases"):
            d = os.path.join(self.cache, kind)
            for name in sorted(os.listdir(d)):
                if name != str(self.index):
                    out.append(os.path.join(d, name))
        return out

    def release(self):
        if self._lock is not None:
            self._lock.close()
            self._lock = None


def claim(cache):
    """The first free slot under `cache`, locked until release() or exit."""
    locks = os.path.join(cache, "locks")
    os.makedirs(locks, exist_ok=True)
    os.makedirs(os.path.join(cache, "disk"), exist_ok=True)
    for i in range(MAX_SLOTS):
        f = open(os.path.join(locks, str(i)), "a+")
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            f.close()
            continue
        return Slot(cache, i, f)
    raise errors.ToolError(T("all {n} grading workspaces under {cache} are "
                             "in use by other graders; wait for one to "
                             "finish",
                             "{cache} 下的 {n} 个评分工作区都被其他评分程序"
                             "占用；请等其中一个结束", n=MAX_SLOTS,
                             cache=cache))


def default_cache():
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(
        os.path.expanduser("~"), ".cache")
    return os.path.join(base, "course-grader")


# ------------------------------------------------------------ source trees


def first_commit(checkout):
    """The first commit of the checkout's history (where a GitHub
    Classroom repository's tests were handed out)."""
    roots = subprocess.run(["git", "-C", checkout, "rev-list",
                            "--max-parents=0", "HEAD"],
                           capture_output=True, text=True,
                           stdin=subprocess.DEVNULL)
    if roots.returncode != 0 or not roots.stdout.split():
        raise errors.UsageError(T(
            "--base first-commit: {checkout} has no git history (check it "
            "out with its full history)",
            "--base first-commit：{checkout} 没有 git 历史（请带完整历史"
            "检出）", checkout=checkout))
    return roots.stdout.split()[-1]


def committed_files(checkout, rev="HEAD"):
    """(files, revision): {relative path: (bytes, executable)} of the
    checkout's committed tree at `rev` (HEAD by default), read with `git
    archive`, which writes nothing to the checkout. A directory that is not a git checkout
    (e.g. an unpacked autograder bundle) is read as it is, less build
    outputs and local state."""
    wanted = rev
    rev = subprocess.run(["git", "-C", checkout, "rev-parse",
                          "--verify", wanted + "^{commit}"],
                         capture_output=True, text=True,
                         stdin=subprocess.DEVNULL,
                         env=dict(os.environ, GIT_OPTIONAL_LOCKS="0"))
    if rev.returncode == 0 and os.path.exists(os.path.join(checkout,
                                                           ".git")):
        data = subprocess.run(["git", "-C", checkout, "archive",
                               "--format=tar", rev.stdout.strip()],
                              capture_output=True, check=True,
                              stdin=subprocess.DEVNULL,
                              env=dict(os.environ, GIT_OPTIONAL_LOCKS="0"))
        files = {}
        with tarfile.open(fileobj=io.BytesIO(data.stdout)) as tar:
            for m in tar.getmembers():
                if m.isfile():
                    files[m.name] = (tar.extractfile(m).read(),
                                     bool(m.mode & 0o111))
                elif m.issym():
                    files[m.name] = (("SYMLINK:" + m.linkname).encode(),
                                     None)
        return files, rev.stdout.strip()
    if os.path.exists(os.path.join(checkout, ".git")):
        raise errors.ToolError(T("{checkout}: no commit {wanted!r}: {why}",
                                 "{checkout}：没有提交 {wanted!r}：{why}",
                                 checkout=checkout, wanted=wanted,
                                 why=rev.stderr.strip()))
    return _walk(checkout), "working tree"


_SKIP_TOP = {".git", ".course", "user.bazelrc"}


def _walk(root):
    files = {}
    for d, dirs, names in os.walk(root):
        rel = os.path.relpath(d, root)
        if rel == ".":
            dirs[:] = [x for x in dirs if x not in _SKIP_TOP and
                       not x.startswith("bazel-")]
            names = [n for n in names if n not in _SKIP_TOP and
                     not n.startswith("bazel-")]
        for n in names:
            p = os.path.join(d, n)
            r = os.path.normpath(os.path.join(rel, n))
            st = os.lstat(p)
            if stat.S_ISLNK(st.st_mode):
                files[r] = (("SYMLINK:" + os.readlink(p)).encode(), None)
            elif stat.S_ISREG(st.st_mode):
                with open(p, "rb") as f:
                    files[r] = (f.read(), bool(st.st_mode & 0o111))
    return files


def sync_tree(tree, files):
    """Makes directory `tree` hold exactly `files` ({path: (bytes,
    executable)}; executable None marks a symlink "SYMLINK:<target>").
    Unchanged files are left alone (so Bazel sees no change); others are
    rewritten; anything else in the tree is removed. Returns the number of
    files written."""
    written = 0
    present = set()
    for d, dirs, names in os.walk(tree, topdown=True):
        for n in names + [x for x in dirs if os.path.islink(
                os.path.join(d, x))]:
            present.add(os.path.relpath(os.path.join(d, n), tree))
    for rel in present - set(files):
        os.remove(os.path.join(tree, rel))
    for rel, (data, executable) in files.items():
        path = os.path.join(tree, rel)
        if executable is None:  # a symlink
            target = data.decode()[len("SYMLINK:"):]
            if os.path.islink(path) and os.readlink(path) == target:
                continue
            if os.path.lexists(path):
                os.remove(path)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            os.symlink(target, path)
            written += 1
            continue
        mode = 0o755 if executable else 0o644
        try:
            st = os.lstat(path)
            if (stat.S_ISREG(st.st_mode) and st.st_size == len(data) and
                    (st.st_mode & 0o777) == mode):
                with open(path, "rb") as f:
                    if f.read() == data:
                        continue
            if stat.S_ISDIR(st.st_mode):
                _rmtree(path)
            else:
                os.remove(path)
        except FileNotFoundError:
            pass
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(data)
        os.chmod(path, mode)
        written += 1
    # Empty directories left behind by removed files.
    for d, dirs, names in os.walk(tree, topdown=False):
        if d != tree and not os.listdir(d):
            os.rmdir(d)
    return written


def _rmtree(path):
    for d, dirs, names in os.walk(path, topdown=False):
        for n in names:
            os.remove(os.path.join(d, n))
        for n in dirs:
            p = os.path.join(d, n)
            if os.path.islink(p):
                os.remove(p)
            else:
                os.rmdir(p)
    os.rmdir(path)
