"""What the tool remembers about the learner between runs, in .course/:
hints seen and speeds measured."""

import hashlib
import json
import os

from . import files


STATE_DIR = ".course"  # gitignored; progress, logs, backups

class State:
    """What the tool remembers between runs (.course/state.json)."""

    def __init__(self, root):
        self.root = root
        self.path = os.path.join(root, STATE_DIR, "state.json")
        try:
            with open(self.path, encoding="utf-8") as f:
                self.data = json.load(f)
            if not isinstance(self.data, dict):
                self.data = {}
        except (OSError, ValueError):
            self.data = {}

    def hints_shown(self, ex_id):
        return int(self.data.get("hints", {}).get(ex_id, 0))

    def set_hints_shown(self, ex_id, n):
        self.data.setdefault("hints", {})[ex_id] = n
        self.save()

    def speed(self, ex_id):
        """What `./course bench` last measured, or None."""
        record = self.data.get("speed", {}).get(ex_id)
        return record if isinstance(record, dict) else None

    def set_speed(self, ex_id, record):
        self.data.setdefault("speed", {})[ex_id] = record
        self.save()

    def save(self):
        os.makedirs(os.path.dirname(self.path), exist_ok=True)
        files.write_atomically(self.path, json.dumps(
            self.data, indent=1, sort_keys=True))


def files_digest(root, exercise):
    """A digest of the learner's files of one exercise, to tell whether a
    speed measured earlier is still theirs."""
    h = hashlib.sha256()
    for f in exercise.files:
        h.update(f.encode() + b"\0")
        try:
            with open(os.path.join(root, exercise.path, f), "rb") as fh:
                h.update(fh.read())
        except OSError:
            h.update(b"(missing)")
        h.update(b"\0")
    return h.hexdigest()


def speed_records(exercises, state):
    """{exercise id: speed record} for the exercises whose files have not
    changed since `./course bench` measured them."""
    out = {}
    for ex in exercises:
        record = state.speed(ex.id) if ex.performance else None
        if record and record.get("digest") == files_digest(state.root, ex):
            out[ex.id] = record
    return out

