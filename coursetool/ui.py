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
    kept = max(max_lines - 1, 1)
    return "\n".join(lines[:kept] +
                     ["... (%d more lines)" % (len(lines) - kept)])


class LiveLine:
    """One line that follows something as it happens: on a terminal it is
    rewritten in place; elsewhere (a log, a pipe) a plain line is printed
    when the text's subject changes and then every `every` seconds, so a
    log shows the progress without a line per update.

    show(text, key): key names the subject (a test case); "" clears."""

    def __init__(self, stream, every=5.0, now=None):
        import time
        self.stream = stream
        self.tty = hasattr(stream, "isatty") and stream.isatty()
        self.every = every
        self.now = now or time.monotonic
        self.key = None
        self.last = None
        self.width = 0

    def show(self, text, key=None):
        if self.tty:
            cols = max(20, width() - 1)
            self.stream.write("\r\033[K" + text[:cols])
            self.stream.flush()
            self.width = len(text[:cols])
            return
        if not text:
            self.key = None
            return
        t = self.now()
        if key != self.key or t - self.last >= self.every:
            self.stream.write(text + "\n")
            self.stream.flush()
            self.key, self.last = key, t

    def clear(self):
        if self.tty and self.width:
            self.stream.write("\r\033[K")
            self.stream.flush()
            self.width = 0
        self.key = None
