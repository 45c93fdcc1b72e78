"""`./course check`: the repository agrees with its course.toml files.

Checks that each exercise has its BUILD, its files and a solution, and
that the GitHub Classroom workflow (.github/workflows/classroom.yml) names
only exercises that exist and grades each one at most once.
"""

import os
import re

from .lang import T

WORKFLOW = ".github/workflows/classroom.yml"


def check_repo(root, exercises):
    problems = []
    for ex in exercises:
        base = os.path.join(root, ex.path)
        if not os.path.exists(os.path.join(base, "BUILD")):
            problems.append(T("{path} has no BUILD (it needs a :test "
                              "target)", "{path} 没有 BUILD（它需要一个 "
                              ":test 目标）", path=ex.path))
        for f in ex.files:
            if not os.path.exists(os.path.join(base, f)):
                problems.append(T("{toml} lists {file}, which is not "
                                  "there", "{toml} 列出了 {file}，但它不存在",
                                  toml=ex.path + "/course.toml", file=f))
        if ex.performance and ex.performance.causes:
            bench = os.path.join(base, "bench.cc")
            text = ""
            if os.path.exists(bench):
                with open(bench, encoding="utf-8") as f:
                    text = f.read()
            for name in ex.performance.causes:
                if not re.search(r"\bBENCHMARK\(%s\)" % re.escape(name),
                                 text):
                    problems.append(T(
                        "{path}/course.toml: [performance.causes] names "
                        "{name}, which {path}/bench.cc does not define",
                        "{path}/course.toml：[performance.causes] 提到了 "
                        "{name}，但 {path}/bench.cc 没有定义它",
                        path=ex.path, name=name))
        if not os.path.exists(os.path.join(root, "solutions", ex.dir,
                                           "BUILD")):
            problems.append(T("solutions/{dir}/BUILD is missing (the "
                              "reference the grader lists test cases from)",
                              "缺少 solutions/{dir}/BUILD（评分程序从这个"
                              "参考答案列出测试用例）", dir=ex.dir))
    path = os.path.join(root, WORKFLOW)
    if os.path.exists(path):
        with open(path, encoding="utf-8") as f:
            problems += check_workflow(f.read(), exercises)
    else:
        problems.append(T("{workflow} is missing", "缺少 {workflow}",
                          workflow=WORKFLOW))
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
        problems.append(T("{workflow} does not run ./course grade",
                          "{workflow} 没有运行 ./course grade",
                          workflow=WORKFLOW))
    ids = {e.id for e in exercises} | {e.dir for e in exercises}
    seen = set()
    for raw in workflow_exercise_ids(text):
        ex_id = raw.strip("'\"")
        if ex_id not in ids:
            problems.append(T("{workflow} grades exercise {id!r}, which "
                              "does not exist (ids: {ids})",
                              "{workflow} 给练习 {id!r} 评分，但它不存在"
                              "（编号：{ids}）", workflow=WORKFLOW, id=ex_id,
                              ids=", ".join(e.id for e in exercises)))
        elif ex_id in seen:
            problems.append(T("{workflow} grades exercise {id} twice",
                              "{workflow} 给练习 {id} 评了两次分",
                              workflow=WORKFLOW, id=ex_id))
        seen.add(ex_id)
    return problems


def workflow_notes(text, exercises):
    """Exercises the workflow does not grade (a note, not a problem: a
    course may leave some out)."""
    graded = set(workflow_exercise_ids(text))
    return [e.id for e in exercises if e.id not in graded and
            e.dir not in graded]
