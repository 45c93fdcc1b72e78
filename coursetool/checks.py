"""`./course check`: the repository agrees with its course.toml files.

Checks that each exercise has its BUILD, its files and a solution, and
that the GitHub Classroom workflow (.github/workflows/classroom.yml) names
only exercises that exist and grades each one at most once.
"""

import os
import re

WORKFLOW = ".github/workflows/classroom.yml"


def check_repo(root, exercises):
    problems = []
    for ex in exercises:
        base = os.path.join(root, ex.path)
        if not os.path.exists(os.path.join(base, "BUILD")):
            problems.append("%s has no BUILD (it needs a :test target)" %
                            ex.path)
        for f in ex.files:
            if not os.path.exists(os.path.join(base, f)):
                problems.append("%s lists %s, which is not there" %
                                (ex.path + "/course.toml", f))
        if ex.performance and ex.performance.causes:
            bench = os.path.join(base, "bench.cc")
            text = ""
            if os.path.exists(bench):
                with open(bench, encoding="utf-8") as f:
                    text = f.read()
            for name in ex.performance.causes:
                if not re.search(r"\bBENCHMARK\(%s\)" % re.escape(name),
                                 text):
                    problems.append(
                        "%s/course.toml: [performance.causes] names %s, "
                        "which %s/bench.cc does not define" % (
                            ex.path, name, ex.path))
        if not os.path.exists(os.path.join(root, "solutions", ex.dir,
                                           "BUILD")):
            problems.append("solutions/%s/BUILD is missing (the reference "
                            "the grader lists test cases from)" % ex.dir)
    path = os.path.join(root, WORKFLOW)
    if os.path.exists(path):
        with open(path, encoding="utf-8") as f:
            problems += check_workflow(f.read(), exercises)
    else:
        problems.append("%s is missing" % WORKFLOW)
    return problems


def workflow_exercise_ids(text):
    """The exercise ids a workflow grades: every `--exercise ID` (or
    `--exercise=ID`) on a line that runs ./course grade."""
    ids = []
    for line in text.splitlines():
        if "./course grade" in line:
            ids += re.findall(r"--exercise[ =](\S+)", line)
    return ids


def check_workflow(text, exercises):
    problems = []
    if "./course grade" not in text:
        problems.append("%s does not run ./course grade" % WORKFLOW)
    ids = {e.id for e in exercises} | {e.dir for e in exercises}
    seen = set()
    for raw in workflow_exercise_ids(text):
        ex_id = raw.strip("'\"")
        if ex_id not in ids:
            problems.append("%s grades exercise %r, which does not exist "
                            "(ids: %s)" % (WORKFLOW, ex_id, ", ".join(
                                e.id for e in exercises)))
        elif ex_id in seen:
            problems.append("%s grades exercise %s twice" % (WORKFLOW,
                                                             ex_id))
        seen.add(ex_id)
    return problems


def workflow_notes(text, exercises):
    """Exercises the workflow does not grade (a note, not a problem: a
    course may leave some out)."""
    graded = set(workflow_exercise_ids(text))
    return [e.id for e in exercises if e.id not in graded and
            e.dir not in graded]
