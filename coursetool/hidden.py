"""An instructor's hidden tests (`./course grade --hidden DIR`), read and
checked before any grading starts."""

import dataclasses
import os
import re

from . import catalog
from . import errors
from .lang import T


@dataclasses.dataclass
class Hidden:
    files: dict  # exercise dir -> {name: bytes}
    weights: dict  # exercise dir -> {case: weight}
    path: str


def load_hidden(path, exercises):
    """Instructor tests: DIR/<exercise dir>/*.cc and *.h, compiled into one
    extra test binary per exercise against the submission. An optional
    DIR/<exercise dir>/course.toml may give [weights] for them."""
    path = os.path.abspath(path)
    if not os.path.isdir(path):
        raise errors.UsageError(T("--hidden {path}: no such directory",
                                  "--hidden {path}：没有这个目录", path=path))
    files, weights = {}, {}
    known = {ex.dir for ex in exercises}
    for name in sorted(os.listdir(path)):
        d = os.path.join(path, name)
        if not os.path.isdir(d):
            continue
        if name not in known:
            raise errors.UsageError(T(
                "--hidden {path}: {name} is not an exercise directory (they "
                "are named like exercises/: {some})",
                "--hidden {path}：{name} 不是练习目录（练习目录的名字与 "
                "exercises/ 下的相同：{some}）", path=path, name=name,
                some=", ".join(sorted(known)[:3]) + ", ..."))
        for f in sorted(os.listdir(d)):
            if re.fullmatch(r"[A-Za-z0-9_.-]+\.(cc|h)", f):
                with open(os.path.join(d, f), "rb") as fh:
                    files.setdefault(name, {})[f] = fh.read()
        toml = os.path.join(d, "course.toml")
        if os.path.exists(toml):
            with open(toml, encoding="utf-8") as fh:
                weights[name] = catalog.parse_weights(fh.read(), toml)
        if name in files and not any(f.endswith(".cc")
                                     for f in files[name]):
            raise errors.UsageError(T(
                "--hidden {dir} has no .cc test source",
                "--hidden {dir} 里没有 .cc 测试源文件",
                dir="%s/%s" % (path, name)))
    return Hidden(files, weights, path)
