"""An instructor's hidden tests (`./course grade --hidden DIR`), read and
checked before any grading starts."""

import dataclasses
import os
import re

from . import catalog
from . import errors


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
        raise errors.UsageError("--hidden %s: no such directory" % path)
    files, weights = {}, {}
    known = {ex.dir for ex in exercises}
    for name in sorted(os.listdir(path)):
        d = os.path.join(path, name)
        if not os.path.isdir(d):
            continue
        if name not in known:
            raise errors.UsageError(
                "--hidden %s: %s is not an exercise directory (they are "
                "named like exercises/: %s)" % (path, name, ", ".join(
                    sorted(known)[:3]) + ", ..."))
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
            raise errors.UsageError(
                "--hidden %s/%s has no .cc test source" % (path, name))
    return Hidden(files, weights, path)
