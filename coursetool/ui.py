"""Terminal output: colour only on a terminal, plain text otherwise."""

import os
import re
import shutil
import sys

from .lang import T


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


def columns(text):
    """How many terminal columns text takes: wide and full-width
    characters (Chinese, East Asian width W or F) two, combining marks
    none, others one. Colour codes take none."""
    import unicodedata
    text = _ANSI.sub("", text)
    return sum(0 if unicodedata.combining(ch) else
               2 if unicodedata.east_asian_width(ch) in "WF" else 1
               for ch in text)


def pad(text, width):
    """text followed by spaces up to `width` columns (ljust by display
    width, so that Chinese columns line up)."""
    return text + " " * max(0, width - columns(text))


def cut(text, width):
    """The longest start of text that fits in `width` columns, never half
    a character."""
    out, used = [], 0
    for ch in text:
        w = columns(ch)
        if used + w > width:
            break
        out.append(ch)
        used += w
    return "".join(out)


def fill(text, width, initial="", subsequent="", cut_long=True):
    """One paragraph wrapped to `width` columns by display width: English
    breaks at spaces, Chinese between any two characters (but not before
    closing punctuation); a word longer than a line is cut between
    characters (left whole when not cut_long). Returns the lines."""
    tokens = _TOKEN.findall(" ".join(text.split()))
    lines, line, prefix = [], "", initial
    for tok in tokens:
        if tok == " ":
            if line:
                line += " "
            continue
        room = width - columns(prefix)
        if line and columns(line) + columns(tok) > room:
            lines.append(prefix + line.rstrip(" "))
            line, prefix = "", subsequent
            room = width - columns(prefix)
        while cut_long and columns(tok) > room and not line:
            head = cut(tok, room) or tok[0]
            lines.append(prefix + head)
            tok, prefix = tok[len(head):], subsequent
            room = width - columns(prefix)
        line += tok
    if line or not lines:
        lines.append(prefix + line.rstrip(" "))
    return lines


# A word (no spaces, no wide characters) or one wide character, with any
# opening punctuation before it and closing punctuation after it (neither
# is left alone at the end or the start of a line); or a space.
_WIDE = "\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf" \
    "\u4e00-\u9fff\ua000-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f" \
    "\uff00-\uff60\uffe0-\uffe6"
_OPEN = "（《「『【“‘"
_CLOSE = "，。、；：？！）》」』】”’"
_TOKEN = re.compile("[%s]*(?:[%s]|[^ %s]+)[%s]*| " % (_OPEN, _WIDE, _WIDE,
                                                     _CLOSE))
_ANSI = re.compile("\033\\[[0-9;]*m")


def wrap(text, prefix="  ", width=None):
    """Text wrapped to the terminal (at most 78 columns) by display
    width, indented; paragraphs are separated by a blank line."""
    cols = width or max(40, min(78, globals()["width"]()))
    return "\n".join("\n".join(fill(p, cols, prefix, prefix))
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
    return "\n".join(lines[:kept] + [T("... ({n} more lines)",
                                       "……（还有 {n} 行）",
                                       n=len(lines) - kept)])


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
            self.stream.write("\r\033[K" + cut(text, cols))
            self.stream.flush()
            self.width = columns(cut(text, cols))
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
