"""Writing a file so that a reader sees the old or the new content, never
half of either (an interrupted ./course leaves the old file)."""

import os


def write_atomically(path, text):
    """Writes `text` to `path` through a temporary file beside it."""
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, path)
