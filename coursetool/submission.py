"""Reading a submission: which exercise files a student handed in.

A submission is a directory laid out like exercises/ (03_map/exercise.cc
and so on), or a whole copy of the repository (its exercises/ is used),
or, when one exercise is graded, that exercise's files at the top.
Only the files an exercise's course.toml lists under `files` are taken;
everything else in the submission is ignored. Symbolic links and files
over MAX_BYTES are refused, with a note, so a submission cannot point the
grader at some other file on the machine.
"""

import dataclasses
import os
import re
import stat

from . import errors

MAX_BYTES = 1 << 20


@dataclasses.dataclass
class Submission:
    name: str
    path: str
    files: dict  # exercise dir -> {file: bytes} (only files present)
    notes: dict  # exercise dir -> [text]
    warnings: list  # things an instructor may want to look at

    def has(self, exercise):
        return bool(self.files.get(exercise.dir))

    def missing(self, exercise):
        return [f for f in exercise.files
                if f not in self.files.get(exercise.dir, {})]


def exercises_root(path):
    inner = os.path.join(path, "exercises")
    if os.path.isdir(inner) and not os.path.islink(inner):
        return inner
    return path


def load_all(paths, exercises):
    """Every submission at `paths`, each with a name of its own (a second
    `ana` becomes `ana-2`)."""
    subs, names = [], set()
    for path in paths:
        if not os.path.isdir(path):
            raise errors.UsageError("no submission directory %s" % path)
        sub = load(path, exercises)
        base, n = sub.name, 2
        while sub.name in names:
            sub.name = "%s-%d" % (base, n)
            n += 1
        names.add(sub.name)
        subs.append(sub)
    return subs


def load(path, exercises, name=None):
    """Reads the submission at `path` for the given exercises."""
    path = os.path.abspath(path)
    if not os.path.isdir(path):
        raise FileNotFoundError("no submission directory %s" % path)
    root = exercises_root(path)
    files, notes = {}, {}
    # Grading one exercise, a submission may also hold its files at the
    # top (a Gradescope upload of exercise.cc alone).
    flat = (len(exercises) == 1 and
            not os.path.isdir(os.path.join(root, exercises[0].dir)))
    for ex in exercises:
        for f in ex.files:
            p = (os.path.join(root, f) if flat else
                 os.path.join(root, ex.dir, f))
            try:
                st = os.lstat(p)
            except FileNotFoundError:
                continue
            except OSError as e:
                notes.setdefault(ex.dir, []).append("%s/%s: %s" %
                                                    (ex.dir, f, e))
                continue
            if stat.S_ISLNK(st.st_mode):
                notes.setdefault(ex.dir, []).append(
                    "%s/%s is a symbolic link; submit the file itself "
                    "(ignored)" % (ex.dir, f))
                continue
            if not stat.S_ISREG(st.st_mode):
                notes.setdefault(ex.dir, []).append(
                    "%s/%s is not a regular file (ignored)" % (ex.dir, f))
                continue
            if st.st_size > MAX_BYTES:
                notes.setdefault(ex.dir, []).append(
                    "%s/%s is %d bytes, over the %d-byte limit (ignored)" %
                    (ex.dir, f, st.st_size, MAX_BYTES))
                continue
            with open(p, "rb") as fh:
                files.setdefault(ex.dir, {})[f] = fh.read()
    sub = Submission(name or os.path.basename(path.rstrip("/")) or path,
                     path, files, notes, [])
    sub.warnings = suspicious(sub)
    return sub


# Things a correct exercise has no reason to contain, and a submission
# that games the grader probably does. They change no score; they are
# listed for the instructor to read.
_SUSPICIOUS = [
    (r"XML_OUTPUT_FILE|GTEST_OUTPUT|TEST_PREMATURE|TEST_SHARD|"
     r"TEST_UNDECLARED|TEST_TMPDIR|TEST_SRCDIR|RUNFILES",
     "reads the test harness's environment"),
    (r"\bgetenv\s*\(|\benviron\b|secure_getenv", "reads the environment"),
    (r"\b_exit\s*\(|\b_Exit\s*\(|\bquick_exit\s*\(|\bexit\s*\(",
     "calls exit"),
    (r"\babort\s*\(|std::terminate\s*\(", "aborts"),
    (r"testing::|gtest|UnitTest::GetInstance|\bTEST(_F|_P)?\s*\(",
     "refers to the test framework"),
    (r"__attribute__\s*\(\(\s*constructor|\binit_priority\b",
     "runs code before main()"),
    (r"\basm\b|__asm__", "contains inline assembly"),
    (r"/proc/|/tmp/|/dev/shm|\bfopen\s*\(|\bopen\s*\(|ofstream|"
     r"ifstream|std::filesystem|\bopendir\s*\(",
     "opens files"),
    (r"\bdlopen\s*\(|\bdlsym\s*\(|\bptrace\s*\(", "loads or patches code"),
    (r"\bkill\s*\(|\bexecv|\bexecl|\bsystem\s*\(|\bpopen\s*\(",
     "starts or signals other programs"),
    (r"\bPASSED\b|\[\s*OK\s*\]|\[==========\]",
     "prints test-result lines"),
]


def suspicious(sub):
    out = []
    for ex_dir, files in sorted(sub.files.items()):
        for f, data in sorted(files.items()):
            text = _strip_comments(data.decode("utf-8", "replace"))
            found = [why for pattern, why in _SUSPICIOUS
                     if re.search(pattern, text)]
            if found:
                out.append("%s/%s %s" % (ex_dir, f, ", ".join(found)))
    return out


def _strip_comments(text):
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    return re.sub(r"//[^\n]*", " ", text)
