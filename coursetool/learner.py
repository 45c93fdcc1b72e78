"""The learner's commands: status, run, verify, bench, hint, reset
(watch is in watch.py).

They run the exercise tests in the checkout itself (the learner's own
files), through ./bazelw with Bazel's output kept in .course/ and out of
sight, and show each result in the learner's terms: which check failed and
what it said, or the compiler's first error."""

import datetime
import os
import shutil
import subprocess
import sys

from . import bazel
from . import results
from . import ui
from .lang import T
from .progress import STATE_DIR, State, files_digest, speed_records
from .screens import (exercise_row, render_list, render_run, render_status,
                      speed_note)


def cmd_status(root, exercises, runner, style, out, everything=False):
    runs = runner.run(exercises)
    render = render_list if everything else render_status
    print(render(exercises, runs, State(root), style), file=out)
    return 0


def cmd_run(exercise, runner, style, out, fresh=False, show=None):
    run = runner.run([exercise], fresh=fresh, show=show)[exercise.dir]
    print(render_run(run, style), file=out)
    if run.solved:
        print("\n" + style.green(T("{id} passes.", "{id} 通过了。",
                                    id=exercise.id)), file=out)
        note = speed_note(exercise)
        if note:
            print(note, file=out)
        return 0
    print("\n" + T("Hint: ./course hint {id}", "提示：./course hint {id}",
                   id=exercise.id), file=out)
    return 1


def cmd_verify(root, exercises, runner, style, out):
    runs = runner.run(exercises)
    speeds = speed_records(exercises, State(root))
    bad = 0
    for ex in exercises:
        r = runs[ex.dir]
        bad += not r.solved
        print(exercise_row(ex, r, speeds.get(ex.id), style)[2:], file=out)
    print("\n" + T("{passed} of {total} exercises pass.",
                   "{total} 个练习通过了 {passed} 个。",
                   passed=len(exercises) - bad, total=len(exercises)),
          file=out)
    if any(ex.performance for ex in exercises):
        print(T("(speed: the index ./course bench ID last measured on your "
                "current files; it never changes whether an exercise "
                "passes)",
                "（速度：./course bench ID 上次在你当前的文件上测得的性能指数；"
                "它从不影响练习是否通过）"), file=out)
    return 0 if bad == 0 else 1


def cmd_bench(root, exercise, runner, style, out, rounds=3, min_time=None,
              err=sys.stderr):
    """`./course bench ID`: the exercise's benchmark on the learner's code
    and on the reference, built with -c opt and run interleaved, scored as
    the grader scores it. Returns 0 when an index was measured."""
    from . import bench_pair
    from . import scoring
    ex, perf = exercise, exercise.performance
    correct = True
    if perf.scored:
        run = runner.run([ex])[ex.dir]
        correct = run.solved
        if not correct:
            print(T("{bad} {id} {title}: {where}; speed points only count "
                    "once every check passes (./course run {id}). Timing "
                    "it anyway.",
                    "{bad} {id} {title}：{where}；所有检查都通过后速度分才"
                    "计入（./course run {id}）。仍然计时。",
                    bad=style.bad, id=ex.id, title=ex.title,
                    where=T("it does not compile", "无法编译")
                    if not run.built else T(
                        "{passed} of {total} checks pass",
                        "{total} 项检查通过了 {passed} 项",
                        passed=run.passed, total=run.total)), file=out,
                  flush=True)
    learner_label = "//%s:%s" % (ex.path, perf.benchmark)
    state_dir = os.path.join(root, STATE_DIR)
    os.makedirs(state_dir, exist_ok=True)
    bep = os.path.join(state_dir, "bench.bep")
    log = os.path.join(state_dir, "bench.log")
    if os.path.exists(bep):
        os.remove(bep)
    print(style.dim(T("building {mine} and {reference} with -c opt ...",
                      "正在用 -c opt 构建 {mine} 和 {reference} ……",
                      mine=learner_label, reference=perf.reference)),
          file=err, flush=True)
    code = bazel.run(os.path.join(root, "bazelw"), root, "build",
                     bazel.QUIET + ["-c", "opt", "--keep_going",
                                    "--build_event_json_file=" + bep,
                                    learner_label, perf.reference], log)
    events = bazel.parse_events(bep)

    def binary(label):
        pkg, name = label.lstrip("/").split(":")
        return events.files.get(pkg + "/" + name)
    lb, rb = binary(learner_label), binary(perf.reference)
    if code != 0 or not lb or not rb:
        error = results.first_compiler_error(
            bazel.read_text(log), prefer=[ex.path + "/" + f
                                          for f in ex.files])
        print(T("The benchmark did not build:\n{error}",
                "基准测试无法构建：\n{error}", error=ui.indent(
                    error or "\n".join(
                        bazel.read_text(log).splitlines()[-15:]))),
              file=out)
        return 1
    batches = []

    def run_rounds(n):
        if batches:
            print(style.dim(T("the index is between {zero:g} and "
                              "{full:g}, where noise moves points: {n} "
                              "more rounds",
                              "指数在 {zero:g} 与 {full:g} 之间，噪声会"
                              "影响得分：再跑 {n} 轮",
                              zero=perf.zero_at, full=perf.full_at, n=n)),
                  file=err, flush=True)
        batches.append(n)
        return bench_pair.run_pair(
            lb, rb, rounds=n, extra_args=bench_pair.min_time_args(min_time),
            log=lambda m: print(style.dim(m), file=err, flush=True))
    result, data = scoring.measure(perf, correct, run_rounds, rounds)
    for e in data["errors"]:
        if e.startswith(bench_pair.whose("learner")):
            print(T("Your code's benchmark failed ({why}): ./course run "
                    "{id} shows which check fails; to run the benchmark "
                    "itself:\n  ./bazelw run -c opt {label}",
                    "你的代码的基准测试失败了（{why}）：./course run {id} "
                    "显示哪项检查失败；单独运行基准测试：\n"
                    "  ./bazelw run -c opt {label}",
                    why=bench_pair.reason(e), id=ex.id,
                    label=learner_label), file=out)
        else:
            print(T("The reference's benchmark failed ({why}): ./bazelw "
                    "run -c opt {label}",
                    "参考答案的基准测试失败了（{why}）：./bazelw run -c opt "
                    "{label}", why=bench_pair.reason(e),
                    label=perf.reference), file=out)
    print(scoring.format_performance(result), file=out)
    weakest = scoring.slowest(result, perf)
    if weakest:
        print(ui.wrap(weakest, ""), file=out)
    if result.index is None:
        return 1
    State(root).set_speed(ex.id, {
        "index": round(result.index, 4), "points": result.points,
        "digest": files_digest(root, ex), "rounds": rounds,
        "when": datetime.datetime.now().isoformat(timespec="seconds")})
    return 0


def cmd_hint(exercise, state, style, out):
    shown = state.hints_shown(exercise.id)
    total = len(exercise.hints)
    if shown < total:
        shown += 1
        state.set_hints_shown(exercise.id, shown)
    print(style.bold(T("Hint {n} of {total} for {id} {title}:",
                       "{id} {title} 的提示（第 {n} 条，共 {total} 条）：",
                       n=shown, total=total, id=exercise.id,
                       title=exercise.title)), file=out)
    print(ui.wrap(exercise.hints[shown - 1], "  "), file=out)
    if shown < total:
        print("\n" + T("(./course hint {id} again for the next one)",
                       "（再运行 ./course hint {id} 看下一条）",
                       id=exercise.id), file=out)
    else:
        print("\n" + T("That was the last hint. Earlier ones: ./course hint "
                       "{id} --all",
                       "这是最后一条提示。之前的提示：./course hint {id} "
                       "--all", id=exercise.id), file=out)
    return 0


def cmd_hint_all(exercise, state, style, out):
    shown = state.hints_shown(exercise.id)
    if shown == 0:
        print(T("No hint shown yet for {id}: ./course hint {id}",
                "{id} 还没有看过提示：./course hint {id}", id=exercise.id),
              file=out)
    for i in range(shown):
        print(style.bold(T("Hint {n} of {total}:",
                           "提示（第 {n} 条，共 {total} 条）：", n=i + 1,
                           total=len(exercise.hints))), file=out)
        print(ui.wrap(exercise.hints[i], "  "), file=out)
    return 0


def _git(root, *args):
    return subprocess.run(["git", "-C", root, *args], capture_output=True,
                          text=True, stdin=subprocess.DEVNULL)


def starter_revision(root):
    """(revision, description) of the commit whose files are the starters:
    the merge base with the upstream branch when there is one (the course
    as cloned), else HEAD."""
    up = _git(root, "rev-parse", "--abbrev-ref", "--symbolic-full-name",
              "@{upstream}")
    if up.returncode == 0 and up.stdout.strip():
        base = _git(root, "merge-base", "HEAD", "@{upstream}")
        if base.returncode == 0:
            return base.stdout.strip(), T(
                "the course as cloned ({upstream})",
                "克隆下来时的课程（{upstream}）",
                upstream=up.stdout.strip())
    head = _git(root, "rev-parse", "HEAD")
    if head.returncode != 0:
        return None, None
    return head.stdout.strip(), T("the last commit (HEAD)",
                                  "最近一次提交（HEAD）")


def cmd_reset(root, exercise, style, out, yes=False, stdin=None):
    stdin = stdin or sys.stdin
    rev, what = starter_revision(root)
    if rev is None:
        print(T("course: {root} is not a git checkout, so the starter "
                "cannot be restored; download the course again and copy "
                "{path} from it.",
                "course：{root} 不是 git 检出，无法恢复起始代码；请重新下载"
                "课程，从中复制 {path}。", root=root, path=exercise.path),
              file=sys.stderr)
        return 2
    starters = {}
    for f in exercise.files:
        path = exercise.path + "/" + f
        shown = _git(root, "show", "%s:%s" % (rev, path))
        if shown.returncode != 0:
            print(T("course: {path} is not in {what}; nothing to restore "
                    "it from.", "course：{what}中没有 {path}，无从恢复。",
                    path=path, what=what), file=sys.stderr)
            return 2
        starters[path] = shown.stdout
    changed = [p for p, text in starters.items()
               if bazel.read_text(os.path.join(root, p)) != text]
    if not changed:
        print(T("{files} is already the starter.",
                "{files} 已经是起始代码。", files=", ".join(starters)),
              file=out)
        return 0
    if not yes:
        if not (hasattr(stdin, "isatty") and stdin.isatty()):
            print(T("course: reset replaces {files}; run it in a terminal "
                    "to be asked, or pass --yes.",
                    "course：reset 会替换 {files}；请在终端中运行以便确认，"
                    "或加上 --yes。", files=", ".join(changed)),
                  file=sys.stderr)
            return 2
        print(T("Replace {files} with the starter from {what}? Your "
                "version is kept in {state}/backup/. [y/N] ",
                "用{what}的起始代码替换 {files} 吗？你的版本会保存在 "
                "{state}/backup/。[y/N] ", files=", ".join(changed),
                what=what, state=STATE_DIR), end="", file=out, flush=True)
        answer = stdin.readline().strip().lower()
        if answer not in ("y", "yes", "是"):
            print(T("Nothing changed.", "没有改动。"), file=out)
            return 1
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    for path in changed:
        full = os.path.join(root, path)
        if os.path.exists(full):
            backup = os.path.join(root, STATE_DIR, "backup", stamp, path)
            os.makedirs(os.path.dirname(backup), exist_ok=True)
            shutil.copy2(full, backup)
            print(T("saved your {path} as {backup}",
                    "你的 {path} 已保存为 {backup}", path=path,
                    backup=os.path.relpath(backup, root)), file=out)
        with open(full, "w", encoding="utf-8") as f:
            f.write(starters[path])
        print(T("restored {path}", "已恢复 {path}", path=path), file=out)
    return 0

