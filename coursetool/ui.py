"""Terminal output: colour only on a terminal, plain text otherwise."""

import os
import shutil
import sys


class Style:
    """Colours and symbols for one output stream."""

    def __init__(self, stream=None, color=None):
        stream = stream or sys.stdout
        if color is None:
            color = (hasattr(stream, "isatty") and stream.isatty() and
                     os.environ.get("NO_COLOR") is None and
                     os.environ.get("TERM") != "dumb")
        self.color = color
        enc = (getattr(stream, "encoding", None) or "").lower()
        self.unicode = enc.replace("-", "") in ("utf8",)
        self.ok = self._c("32", "✓" if self.unicode else "ok")
        self.bad = self._c("31", "✗" if self.unicode else "X")
        self.arrow = "→" if self.unicode else "->"

    def _c(self, code, text):
        return "\033[%sm%s\033[0m" % (code, text) if self.color else text

    def green(self, t):
        return self._c("32", t)

    def red(self, t):
        return self._c("31", t)

    def bold(self, t):
        return self._c("1", t)

    def dim(self, t):
        return self._c("2", t)

    def yellow(self, t):
        return self._c("33", t)


def num(x):
    """A score or point count as shown and as written to JSON: a whole
    number without decimals, else rounded to two places (2, 2.5, 1.33)."""
    x = round(float(x), 2)
    return int(x) if x.is_integer() else x


def progress_bar(done, total, width=30, unicode=True):
    """[#########.........] done/total, as a string."""
    filled = round(width * done / max(total, 1))
    full, empty = ("█", "░") if unicode else ("#", ".")
    return "[%s%s] %d/%d" % (full * filled, empty * (width - filled), done,
                             total)


def width():
    return shutil.get_terminal_size((100, 24)).columns


def wrap(text, prefix="  "):
    """Text wrapped to the terminal (at most 78 columns), indented."""
    import textwrap
    cols = max(40, min(78, width()) - len(prefix))
    return "\n".join(textwrap.fill(p, cols, initial_indent=prefix,
                                   subsequent_indent=prefix,
                                   break_on_hyphens=False)
                      for p in text.split("\n\n"))


def indent(text, prefix="    "):
    return "\n".join(prefix + line if line else line
                     for line in text.splitlines())


def shorten(text, max_lines=15):
    """At most max_lines lines of text, saying how many were left out."""
    lines = text.rstrip().splitlines()
    if len(lines) <= max_lines:
        return "\n".join(lines)
    return "\n".join(lines[:max_lines] +
                     ["... (%d more lines)" % (len(lines) - max_lines)])
