"""`./course trace ID`: your pool and the reference's, at work, side by side.

Builds the exercise's tests on your code and on the reference solution,
runs each once with POOL_TRACE set (pool/README.md, "Tracing"), and prints,
pool by pool, the two text timelines next to each other, with the SVG
pictures' paths for a closer look. The files stay under
.course/trace/ID/.
"""

import importlib.util
import os
import re
import subprocess
import tempfile

from . import bazel
from . import ui
from .lang import T
from .progress import STATE_DIR

# How many pools are shown side by side; the rest are listed by path.
DEFAULT_POOLS = 3
# How many tasks each timeline names below it; the pictures show them all.
LEGEND_LINES = 10



def build_your_own(ex):
    """What trace says of b01 to b09, whose pool is the learner's own."""
    return T("""\
Exercise {id} builds a pool of your own, so there is nothing to trace from
the inside: the recorder lives in pool::Pool (pool/README.md, "Tracing"),
which your code does not use, and a trace of the reference's code would
show its processes, not yours. What a trace would show, your tests check
directly: the processes your code forks and reaps, the frames it sends and
the answers it reads (./course run {id} lists every check). To watch the
processes your code makes, run its tests under strace:

  ./bazelw build //exercises/{dir}:test
  strace -f -e trace=process,pipe2 bazel-bin/exercises/{dir}/test

Every fork (clone), exec, exit and wait of your pool is one line there,
with the pid it made or reaped. Exercises 01 to 12 use pool::Pool:
./course trace 03, for instance, draws your pool beside the reference's.
""", """\
练习 {id} 构建的是你自己的进程池，所以没有什么可以从内部跟踪：记录器在
pool::Pool 里（pool/README.md，“Tracing”），而你的代码不用它；参考答案的
跟踪文件显示的是它的进程，不是你的。跟踪文件能显示的，你的测试直接检查：你
的代码派生和回收的进程、它发送的帧、它读到的回复（./course run {id} 列出每项
检查）。要观察你的代码创建的进程，在 strace 下运行它的测试：

  ./bazelw build //exercises/{dir}:test
  strace -f -e trace=process,pipe2 bazel-bin/exercises/{dir}/test

你的进程池的每一次 fork（clone）、exec、exit 和 wait 在那里都是一行，带着
它创建或回收的进程号。练习 01 到 12 使用 pool::Pool：例如 ./course trace 03
会把你的进程池画在参考答案的旁边。
""", id=ex.id, dir=ex.dir)


def load_trace_view(root):
    """tools/trace_view.py, imported from the source tree."""
    path = os.path.join(root, "tools", "trace_view.py")
    spec = importlib.util.spec_from_file_location("trace_view", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def trace_files(directory, stem):
    """STEM.json, STEM.2.json, ... in the order the pools were made."""
    pattern = re.compile(re.escape(stem) + r"(?:\.(\d+))?\.json$")
    found = []
    for name in os.listdir(directory):
        m = pattern.fullmatch(name)
        if m:
            found.append((int(m.group(1) or 1), os.path.join(directory, name)))
    return [path for _, path in sorted(found)]


def side_by_side(left, right, width, titles=None):
    """Two blocks of text in two columns of `width` columns each."""
    titles = titles or (T("yours", "你的"), T("reference", "参考答案"))
    a = [titles[0], "-" * ui.columns(titles[0])] + left.splitlines()
    b = [titles[1], "-" * ui.columns(titles[1])] + right.splitlines()
    rows = []
    for i in range(max(len(a), len(b))):
        la = a[i] if i < len(a) else ""
        lb = b[i] if i < len(b) else ""
        if ui.columns(la) > width:
            la = ui.cut(la, width - 1) + "…"
        if ui.columns(lb) > width:
            lb = ui.cut(lb, width - 1) + "…"
        rows.append((ui.pad(la, width) + "  " + lb).rstrip())
    return "\n".join(rows) + "\n"


def text_of(trace_view, path, columns):
    """A trace's text timeline (or why there is none), and its lane count."""
    if path is None:
        return T("(no pool: this run made fewer pools)\n",
                 "（没有进程池：这次运行创建的进程池更少）\n")
    try:
        lanes, marks, t0, t1 = trace_view.build(trace_view.load(path),
                                                timeline_words())
    except (OSError, ValueError) as e:
        return T("(cannot read {path}: {error})\n",
                 "（无法读取 {path}：{error}）\n", path=path, error=e)
    return trace_view.render_text(lanes, marks, t0, t1, columns,
                                  legend_limit=LEGEND_LINES,
                                  words=timeline_words())


def timeline_words():
    """The words of trace_view.py's text timeline (its WORDS), in the
    reader's language; T() leaves their {fields} to trace_view."""
    return {
        "task": T("{name}: task {task}, {ms} ms, {outcome}",
                  "{name}：任务 {task}，{ms} ms，{outcome}"),
        "while running": T("{text} while running {task}",
                           "{text}（当时正在执行 {task}）"),
        "replaces": T("replaces pid {pid}", "顶替进程号 {pid}"),
        "tasks": T("tasks (letter: what, how long, outcome):",
                   "任务（字母：是什么、用时多久、结局）："),
        "never ran": T("{text} (never ran)", "{text}（从未执行）"),
        "mark": T("{name} at {ms} ms", "{name} 在 {ms} ms 处"),
        "more": T("... and {n} more", "……还有 {n} 个"),
    }


def run_traced(binary, trace_stem, workdir, timeout):
    """Runs a test binary with POOL_TRACE=trace_stem.json; returns its exit
    status (None if it timed out)."""
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, POOL_TRACE=trace_stem + ".json",
                   TEST_TMPDIR=tmp)
        try:
            return subprocess.run(
                [binary], env=env, cwd=workdir, stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL, timeout=timeout,
                check=False).returncode
        except subprocess.TimeoutExpired:
            return None


def cmd_trace(root, exercise, style, out, pools=DEFAULT_POOLS, columns=None,
              err=None):
    """`./course trace ID`. Returns 0 when both runs left a trace."""
    ex = exercise
    if ex.id.startswith("b"):
        print(build_your_own(ex), file=out, end="")
        return 0
    err = err or out
    directory = os.path.join(root, STATE_DIR, "trace", ex.id)
    os.makedirs(directory, exist_ok=True)
    for name in os.listdir(directory):
        os.remove(os.path.join(directory, name))
    bep = os.path.join(directory, "build.bep")
    log = os.path.join(directory, "build.log")
    print(style.dim(T("building {tests} and {reference} ...",
                      "正在构建 {tests} 和 {reference} ……",
                      tests=ex.test_label, reference=ex.solution_label)),
          file=err, flush=True)
    code = bazel.run(os.path.join(root, "bazelw"), root, "build",
                     bazel.QUIET + ["--keep_going",
                                    "--build_event_json_file=" + bep,
                                    ex.test_label, ex.solution_label], log)
    events = bazel.parse_events(bep)

    def binary(label):
        pkg, name = label.lstrip("/").split(":")
        return events.files.get(pkg + "/" + name)
    yours_bin, ref_bin = binary(ex.test_label), binary(ex.solution_label)
    if code != 0 or not yours_bin or not ref_bin:
        print(T("The tests did not build; ./course run {id} shows why.",
                "测试无法构建；./course run {id} 会显示原因。", id=ex.id),
              file=out)
        return 1
    statuses = {}
    for stem, path in (("yours", yours_bin), ("reference", ref_bin)):
        print(style.dim(T("running your tests with POOL_TRACE ...",
                          "正在设置 POOL_TRACE 运行你的测试 ……")
                        if stem == "yours" else
                        T("running the reference's tests with POOL_TRACE "
                          "...", "正在设置 POOL_TRACE 运行参考答案的测试 ……")),
              file=err, flush=True)
        statuses[stem] = run_traced(os.path.join(root, path),
                                    os.path.join(directory, stem), root,
                                    timeout=max(60, 2 * ex.timeout))
    yours = trace_files(directory, "yours")
    ref = trace_files(directory, "reference")
    if statuses["yours"] != 0:
        print(style.bad + " " + T(
            "your tests {how}; the trace shows what ran until then "
            "(./course run {id} for the checks).",
            "你的测试{how}；跟踪文件显示到那时为止运行了什么（检查项见 "
            "./course run {id}）。",
            how=T("timed out", "超时了") if statuses["yours"] is None
            else T("failed", "失败了"), id=ex.id), file=out)
    if not yours:
        print(T("Your code made no pool::Pool, so there is nothing to draw. "
                "The exercise asks you to use one: see its README.",
                "你的代码没有创建 pool::Pool，所以没有什么可画。这个练习要求"
                "你使用它：见它的 README。"), file=out)
        return 1
    trace_view = load_trace_view(root)
    if columns:
        width = columns
    elif _isatty(out):
        width = os.get_terminal_size(out.fileno()).columns
    else:
        width = 160
    half = max(40, (width - 2) // 2)
    count = max(len(yours), len(ref))
    for i in range(min(count, pools)):
        y = yours[i] if i < len(yours) else None
        r = ref[i] if i < len(ref) else None
        print(style.bold(T("pool {n} of {count} (in the order the tests "
                           "made them)",
                           "进程池 {n}/{count}（按测试创建它们的顺序）",
                           n=i + 1, count=count)), file=out)
        print(side_by_side(text_of(trace_view, y, half),
                           text_of(trace_view, r, half), half), file=out)
    for path in yours + ref:
        svg = path[: -len(".json")] + ".svg"
        try:
            lanes, marks, t0, t1 = trace_view.build(trace_view.load(path))
        except (OSError, ValueError):
            continue
        with open(svg, "w", encoding="utf-8") as f:
            f.write(trace_view.render_svg(lanes, marks, t0, t1,
                                          os.path.basename(svg)))
    if count > pools:
        print(T("{n} more pools: ./course trace {id} --pools {count}, or "
                "the files below.",
                "还有 {n} 个进程池：./course trace {id} --pools {count}，"
                "或看下面的文件。", n=count - pools, id=ex.id, count=count),
              file=out)
    print(T("For a closer look, the pictures (open in a browser) and the "
            "traces (ui.perfetto.dev):\n  {dir}/{{yours,reference}}*.svg\n"
            "  {dir}/{{yours,reference}}*.json",
            "细看请打开图片（用浏览器）和跟踪文件（ui.perfetto.dev）：\n"
            "  {dir}/{{yours,reference}}*.svg\n"
            "  {dir}/{{yours,reference}}*.json",
            dir=os.path.relpath(directory, root)), file=out)
    return 0


def _isatty(out):
    try:
        return os.isatty(out.fileno())
    except (AttributeError, OSError, ValueError):
        return False
