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
from .lang import T

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
            raise errors.UsageError(T("no submission directory {path}",
                                      "没有作业目录 {path}", path=path))
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
                notes.setdefault(ex.dir, []).append(T(
                    "{file} is a symbolic link; submit the file itself "
                    "(ignored)", "{file} 是符号链接；请提交文件本身（已忽略）",
                    file="%s/%s" % (ex.dir, f)))
                continue
            if not stat.S_ISREG(st.st_mode):
                notes.setdefault(ex.dir, []).append(T(
                    "{file} is not a regular file (ignored)",
                    "{file} 不是普通文件（已忽略）",
                    file="%s/%s" % (ex.dir, f)))
                continue
            if st.st_size > MAX_BYTES:
                notes.setdefault(ex.dir, []).append(T(
                    "{file} is {size} bytes, over the {limit}-byte limit "
                    "(ignored)", "{file} 有 {size} 字节，超过了 {limit} 字节"
                    "的上限（已忽略）", file="%s/%s" % (ex.dir, f),
                    size=st.st_size, limit=MAX_BYTES))
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
     lambda: T("reads the test harness's environment", "读取测试框架的环境变量")),
    (r"\bgetenv\s*\(|\benviron\b|secure_getenv", lambda: T("reads the environment", "读取环境变量")),
    (r"\b_exit\s*\(|\b_Exit\s*\(|\bquick_exit\s*\(|\bexit\s*\(",
     lambda: T("calls exit", "调用 exit")),
    (r"\babort\s*\(|std::terminate\s*\(", lambda: T("aborts", "调用 abort")),
    (r"testing::|gtest|UnitTest::GetInstance|\bTEST(_F|_P)?\s*\(",
     lambda: T("refers to the test framework", "引用测试框架")),
    (r"__attribute__\s*\(\(\s*constructor|\binit_priority\b",
     lambda: T("runs code before main()", "在 main() 之前运行代码")),
    (r"\basm\b|__asm__", lambda: T("contains inline assembly", "含有内联汇编")),
    (r"/proc/|/tmp/|/dev/shm|\bfopen\s*\(|\bopen\s*\(|ofstream|"
     r"ifstream|std::filesystem|\bopendir\s*\(",
     lambda: T("opens files", "打开文件")),
    (r"\bdlopen\s*\(|\bdlsym\s*\(|\bptrace\s*\(", lambda: T("loads or patches code", "加载或修补代码")),
    (r"\bkill\s*\(|\bexecv|\bexecl|\bsystem\s*\(|\bpopen\s*\(",
     lambda: T("starts or signals other programs", "启动其他程序或向它们发信号")),
    (r"\bPASSED\b|\[\s*OK\s*\]|\[==========\]",
     lambda: T("prints test-result lines", "打印测试结果行")),
]


def suspicious(sub):
    out = []
    for ex_dir, files in sorted(sub.files.items()):
        for f, data in sorted(files.items()):
            text = _strip_comments(data.decode("utf-8", "replace"))
            found = [why() for pattern, why in _SUSPICIOUS
                     if re.search(pattern, text)]
            if found:
                out.append("%s/%s %s" % (ex_dir, f, T(", ", "、").join(
                    found)))
    return out


def _strip_comments(text):
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    return re.sub(r"//[^\n]*", " ", text)
