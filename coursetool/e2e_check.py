#!/usr/bin/env python3
"""Checks the results.json files of e2e_test.sh's grading runs.

    e2e_check.py starter FILE         the starter tree: 0 points
    e2e_check.py solutions FILE       the reference: full marks
    e2e_check.py class DIR CSV        the hostile class: exact marks
    e2e_check.py one FILE SUBMISSION  one hostile submission, as in class
    e2e_check.py workflow YML FILE    the classroom workflow's max-score per
                                      exercise equals its points in FILE
                                      (the solutions' results.json)
    e2e_check.py speed DIR CSV ID...  the references (DIR/solutions.json)
                                      earn every point, speed included; the
                                      naive answers (DIR/naive.json) of the
                                      exercises ID... pass every case and
                                      earn no speed point

Each check names what it expected and what it found, and the script exits
1 on the first mismatch.
"""

import csv
import json
import os
import re
import sys

REQUIRED_TOP = {"score", "tests", "output", "visibility", "stdout_visibility",
                "execution_time"}
REQUIRED_TEST = {"name", "score", "max_score", "status", "output",
                 "visibility"}

# Per hostile submission: the exercise graded, the points it must get, the
# cases that must fail and a phrase each failure's output must contain.
CLASS = {
    "exit0": ("01 ", 3, {
        "ApplyTest.ApplyOneMatchesPlainCall": "exited with status 0",
        "ApplyTest.ApplyOneRunsInAWorker": "exited with status 0",
        "ApplyTest.ApplyOneLetsTaskErrorsThrough": "exited with status 0",
    }),
    "abort": ("03 ", 6, {  # 3 own cases and the hidden case (weight 3)
        "MapTest.MapInChunksMatchesAPlainLoop": "SIGABRT",
        "MapTest.MapInChunksPassesTheChunksize": "SIGABRT",
    }),
    "fake_output": ("07 ", 0, {
        "StarmapTest.StarmapPairsMatchesAPlainLoop": "exited with status 0",
        "StarmapTest.StarmapZipRunsInWorkers": "exited with status 0",
    }),
    "fake_xml": ("11 ", 0, {
        "ThreadsVsProcessesTest.BothMatchAPlainLoop": "exited with status 0",
    }),
    "hang": ("08 ", 2, {
        "CloseJoinTest.FinishAndShutDownLetsQueuedWorkFinish": "time limit",
        "CloseJoinTest.FinishAndShutDownLeavesThePoolShutDown": "time limit",
    }),
    "no_compile": ("10 ", 0, {
        "WithTest.MapInScopedPoolMatchesAPlainLoop":
            "'Pol' is not a member of 'pool'",
    }),
    "snoop": ("01 ", 6, {}),
    "victim": ("01 ", 6, {}),
}


def fail(msg):
    print("e2e check: FAILED: " + msg)
    sys.exit(1)


def load(path):
    with open(path, encoding="utf-8") as f:
        data = json.load(f)
    missing = REQUIRED_TOP - set(data)
    if missing:
        fail("%s lacks %s" % (path, sorted(missing)))
    for t in data["tests"]:
        if set(t) != REQUIRED_TEST:
            fail("%s: test %r has fields %s, not %s" % (
                path, t.get("name"), sorted(t), sorted(REQUIRED_TEST)))
        if t["status"] not in ("passed", "failed"):
            fail("%s: status %r" % (path, t["status"]))
        if not 0 <= t["score"] <= t["max_score"]:
            fail("%s: score %s of %s" % (path, t["score"], t["max_score"]))
        if (t["status"] == "passed") != (t["score"] == t["max_score"]):
            fail("%s: %r is %s with %s/%s" % (path, t["name"], t["status"],
                                             t["score"], t["max_score"]))
        if t["status"] == "failed" and not t["output"]:
            fail("%s: failed test %r gives no reason" % (path, t["name"]))
    total = sum(t["score"] for t in data["tests"])
    if abs(total - data["score"]) > 1e-6:
        fail("%s: score %s but tests add up to %s" % (path, data["score"],
                                                      total))
    return data


def max_score(data):
    return sum(t["max_score"] for t in data["tests"])


def check_one(data, name):
    prefix, points, failing = CLASS[name]
    tests = [t for t in data["tests"] if t["name"].startswith(prefix)]
    got = sum(t["score"] for t in tests)
    if got != points:
        fail("%s: exercise %s got %s points, expected %s:\n%s" % (
            name, prefix.strip(), got, points, "\n".join(
                "  %s %s: %s" % (t["status"], t["name"], t["output"][:100])
                for t in tests)))
    if data["score"] != points:
        fail("%s: total %s, expected %s (other exercises must be 0: not "
             "submitted)" % (name, data["score"], points))
    by_case = {t["name"].split(": ", 1)[1]: t for t in tests}
    for case, phrase in failing.items():
        t = by_case.get(case)
        if t is None or t["status"] != "failed" or phrase not in t["output"]:
            fail("%s: %s should fail with %r; got %r" % (
                name, case, phrase, t and (t["status"], t["output"])))
    others = [t for t in data["tests"] if not t["name"].startswith(prefix)]
    if not all("not submitted" in t["output"] for t in others):
        fail("%s: exercises it did not submit should say so" % name)
    print("e2e check: %-12s %s/%s, as expected" % (name, data["score"],
                                                   max_score(data)))


def uncapped(output):
    """The uncapped index in a speed entry's output (the table)."""
    m = re.search(r"uncapped (\d+\.\d+)", output)
    return m.group(1) if m else "?"


def speed_entries(data):
    return {t["name"].split(" ", 1)[0]: t for t in data["tests"]
            if t["name"].endswith(": speed")}


def check_speed(directory, csv_path, naive_ids):
    ref = load(os.path.join(directory, "solutions.json"))
    speed = speed_entries(ref)
    if not speed:
        fail("the solutions' results.json has no speed entry")
    for ex_id, t in sorted(speed.items()):
        if t["score"] != t["max_score"] or t["max_score"] <= 0:
            fail("the reference of %s earned %s of %s speed points "
                 "against itself:\n%s" % (ex_id, t["score"], t["max_score"],
                                          t["output"]))
    if ref["score"] != max_score(ref):
        bad = [t["name"] for t in ref["tests"] if t["status"] != "passed"]
        fail("the solutions scored %s/%s; failing: %s" % (
            ref["score"], max_score(ref), bad))
    print("e2e check: the references earn every speed point; their "
          "indices against themselves (uncapped): %s" % ", ".join(
              "%s %s" % (ex_id, uncapped(t["output"]))
              for ex_id, t in sorted(speed.items())))
    naive = load(os.path.join(directory, "naive.json"))
    naive_speed = speed_entries(naive)
    for ex_id in naive_ids:
        cases = [t for t in naive["tests"] if t["name"].startswith(ex_id +
                                                                   " ")
                 and not t["name"].endswith(": speed")]
        if not cases or any(t["status"] != "passed" for t in cases):
            fail("the naive %s should pass every case: %s" % (ex_id, [
                (t["name"], t["output"][:200]) for t in cases
                if t["status"] != "passed"] or "no case graded"))
        t = naive_speed.get(ex_id)
        if t is None or t["score"] != 0 or "index:" not in t["output"]:
            fail("the naive %s should be timed and earn no speed point: %r"
                 % (ex_id, t))
        print("e2e check: naive %s passes its %d cases, 0 of %s speed "
              "points (index %s)" % (ex_id, len(cases), t["max_score"],
                                     uncapped(t["output"])))
    with open(csv_path, encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    for row in rows:
        for column, value in row.items():
            if column.endswith(" speed index") and row["submission"] == \
                    "solutions" and not value:
                fail("the class CSV has no %s for the solutions" % column)
    print("e2e check: the class CSV gives each speed index")


def check_assignment(directory, csv_path, ids):
    """A class graded on an assignment of `ids`: its results.json hold
    those exercises only, the reference gets full marks, and the CSV
    tells timed out, did not build and not submitted apart."""
    tops = set()
    for name in ("ref", "hang", "no_compile"):
        data = load(os.path.join(directory, name + ".json"))
        seen = {t["name"].split(" ", 1)[0] for t in data["tests"]}
        if seen != set(ids):
            fail("%s.json grades %s, not the assignment %s" % (
                name, sorted(seen), ids))
        tops.add(max_score(data))
        if name == "ref" and data["score"] != max_score(data):
            fail("the reference scored %s/%s on the assignment" % (
                data["score"], max_score(data)))
    if len(tops) != 1:
        fail("the submissions are graded out of different totals: %s" % tops)
    with open(csv_path, encoding="utf-8") as f:
        rows = {r[0]: r for r in csv.reader(f)}
    header = rows["submission"]
    status = {h.split("_", 1)[0]: i for i, h in enumerate(header)
              if h.endswith(" status")}
    if sorted(status) != sorted(ids):
        fail("the CSV's status columns %s are not the assignment %s" % (
            header, ids))
    expected = {("ref", ids[0]): "passed", ("ref", ids[1]): "passed",
                ("ref", ids[2]): "passed",
                ("hang", ids[1]): "timed out",
                ("hang", ids[0]): "not submitted",
                ("no_compile", ids[2]): "did not build"}
    for (who, ex_id), want in expected.items():
        got = rows[who][status[ex_id]]
        if got != want:
            fail("CSV: %s's %s is %r, expected %r (row %s)" % (
                who, ex_id, got, want, rows[who]))
    print("e2e check: the assignment %s grades out of %s points; the CSV "
          "says timed out, did not build and not submitted" % (
              ",".join(ids), tops.pop()))


def main(argv):
    kind = argv[1]
    if kind == "starter":
        data = load(argv[2])
        if data["score"] != 0 or any(t["status"] == "passed"
                                     for t in data["tests"]):
            fail("the starter tree scored %s" % data["score"])
        print("e2e check: starter tree 0/%d" % max_score(data))
    elif kind == "solutions":
        data = load(argv[2])
        if data["score"] != max_score(data) or max_score(data) == 0:
            bad = [t["name"] for t in data["tests"] if t["status"] != "passed"]
            fail("the solutions scored %s/%s; failing: %s" % (
                data["score"], max_score(data), bad))
        print("e2e check: solutions %s/%s" % (data["score"], max_score(data)))
    elif kind == "one":
        check_one(load(argv[2]), argv[3])
    elif kind == "class":
        for name in sorted(CLASS):
            data = load(os.path.join(argv[2], name + ".json"))
            check_one(data, name)
            if name == "abort":
                hidden = [t for t in data["tests"] if "(hidden)" in t["name"]]
                if (len(hidden) != 1 or hidden[0]["visibility"] != "hidden"
                        or hidden[0]["max_score"] != 3):
                    fail("--hidden should add one hidden case worth 3: %r" %
                         hidden)
        with open(argv[3], encoding="utf-8") as f:
            rows = list(csv.reader(f))
        if len(rows) != len(CLASS) + 1 or rows[0][:3] != [
                "submission", "score", "max_score"]:
            fail("the class CSV has %d rows: %r" % (len(rows), rows[:2]))
        print("e2e check: class CSV has one row per submission")
    elif kind == "workflow":
        with open(argv[2], encoding="utf-8") as f:
            steps = re.findall(r"--exercise (\S+)\n\s+timeout: \d+\n\s+"
                               r"max-score: (\d+)", f.read())
        data = load(argv[3])
        points = {}
        for t in data["tests"]:
            ex_id = t["name"].split(" ", 1)[0]
            points[ex_id] = points.get(ex_id, 0) + t["max_score"]
        if not steps:
            fail("no ./course grade --exercise steps in %s" % argv[2])
        for ex_id, score in steps:
            if points.get(ex_id) != int(score):
                fail("%s gives exercise %s max-score %s; its test cases are "
                     "worth %s" % (argv[2], ex_id, score, points.get(ex_id)))
        print("e2e check: the workflow's %d steps give each exercise its "
              "points" % len(steps))
    elif kind == "one_cpu":
        data = load(argv[2])
        if speed_entries(data) or "speed not graded" not in data["output"]:
            fail("graded on one CPU, speed should be left out and the "
                 "output say so: %r" % data["output"])
        if data["score"] != max_score(data):
            fail("the reference on one CPU scored %s/%s" % (
                data["score"], max_score(data)))
        print("e2e check: on one CPU speed is not graded, and the results "
              "say so")
    elif kind == "assignment":
        check_assignment(argv[2], argv[3], argv[4].split(","))
    elif kind == "speed":
        check_speed(argv[2], argv[3], argv[4:])
    else:
        fail("unknown check %r" % kind)


if __name__ == "__main__":
    main(sys.argv)
