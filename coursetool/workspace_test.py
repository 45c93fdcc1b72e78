"""Tests of grading workspaces (workspace.py): claiming and rewriting."""

import os
import subprocess
import tempfile
import unittest

from coursetool import errors
from coursetool import workspace


class SyncTest(unittest.TestCase):

    def test_tree_ends_up_exactly_as_wanted(self):
        with tempfile.TemporaryDirectory() as tree:
            files = {"a/x.cc": (b"x", False), "run.sh": (b"#!", True),
                     "link": (b"SYMLINK:a/x.cc", None)}
            self.assertEqual(workspace.sync_tree(tree, files), 3)
            # A stale file from an earlier submission, and a changed one.
            with open(os.path.join(tree, "a", "stale.cc"), "w") as f:
                f.write("old")
            os.makedirs(os.path.join(tree, "old_dir"))
            with open(os.path.join(tree, "old_dir", "f"), "w") as f:
                f.write("old")
            with open(os.path.join(tree, "a", "x.cc"), "w") as f:
                f.write("edited")
            before = os.stat(os.path.join(tree, "run.sh")).st_mtime_ns
            self.assertEqual(workspace.sync_tree(tree, files), 1)
            self.assertEqual(sorted(_walk(tree)), ["a/x.cc", "link",
                                                   "run.sh"])
            with open(os.path.join(tree, "a", "x.cc")) as f:
                self.assertEqual(f.read(), "x")
            self.assertTrue(os.access(os.path.join(tree, "run.sh"),
                                      os.X_OK))
            self.assertEqual(os.readlink(os.path.join(tree, "link")),
                             "a/x.cc")
            # Unchanged files keep their mtime, so Bazel sees no change.
            self.assertEqual(os.stat(os.path.join(tree, "run.sh")).st_mtime_ns,
                             before)


def _walk(root):
    out = []
    for d, dirs, names in os.walk(root):
        for n in names + [x for x in dirs if os.path.islink(
                os.path.join(d, x))]:
            out.append(os.path.relpath(os.path.join(d, n), root))
    return out


class ClaimTest(unittest.TestCase):

    def test_two_graders_get_two_slots_and_a_freed_slot_is_reused(self):
        with tempfile.TemporaryDirectory() as cache:
            a = workspace.claim(cache)
            b = workspace.claim(cache)
            self.assertEqual((a.index, b.index), (0, 1))
            self.assertIn(b.tree, a.others())
            self.assertNotIn(a.tree, a.others())
            a.release()
            c = workspace.claim(cache)
            self.assertEqual(c.index, 0)
            b.release()
            c.release()

    def test_a_killed_grader_frees_its_slot(self):
        with tempfile.TemporaryDirectory() as cache:
            # Another process claims slot 0 and is killed while holding it.
            child = subprocess.Popen(
                ["python3", "-c", "import sys, time; sys.path.insert(0, %r);"
                 "from coursetool import workspace; s = workspace.claim(%r);"
                 "print('held', flush=True); time.sleep(60)" % (
                     os.path.dirname(os.path.dirname(
                         os.path.abspath(__file__))), cache)],
                stdout=subprocess.PIPE, text=True)
            self.assertEqual(child.stdout.readline().strip(), "held")
            other = workspace.claim(cache)
            self.assertEqual(other.index, 1)
            child.kill()
            child.wait()
            child.stdout.close()
            again = workspace.claim(cache)
            self.assertEqual(again.index, 0)
            other.release()
            again.release()


class CommittedFilesTest(unittest.TestCase):

    def test_reads_head_without_writing_to_the_checkout(self):
        with tempfile.TemporaryDirectory() as repo:
            def git(*args):
                subprocess.run(["git", "-C", repo, *args], check=True,
                               capture_output=True)
            git("init", "-q")
            git("config", "user.email", "t@example.com")
            git("config", "user.name", "t")
            with open(os.path.join(repo, "a.cc"), "w") as f:
                f.write("committed")
            git("add", "a.cc")
            git("commit", "-qm", "one")
            with open(os.path.join(repo, "a.cc"), "w") as f:
                f.write("edited, not committed")
            with open(os.path.join(repo, "new.cc"), "w") as f:
                f.write("untracked")
            files, rev = workspace.committed_files(repo)
            self.assertEqual(files, {"a.cc": (b"committed", False)})
            self.assertEqual(len(rev), 40)
            with self.assertRaises(errors.ToolError):
                workspace.committed_files(repo, "no-such-rev")


if __name__ == "__main__":
    unittest.main()
