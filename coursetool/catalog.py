"""The exercises, as their course.toml files describe them.

An exercise is a directory exercises/<dir>/ holding course.toml; nothing
else is needed for the tool to find it (COURSE_SPEC in exercises/README.md
lists the fields). This module reads and checks those files and nothing
more: no Bazel, no state.
"""

import dataclasses
import os
import re
import tomllib

from . import errors, lang
from .lang import T

TRACKS = ("Using a pool", "Build your own pool", "Beyond one machine")

# What a submission may provide: source files, nothing Bazel reads as
# build configuration.
_ALLOWED_FILE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_./-]*\.(cc|h|cpp|hpp)$")


class ConfigError(errors.UsageError):
    """A course.toml is missing a field or holds a wrong value."""


@dataclasses.dataclass(frozen=True)
class Performance:
    benchmark: str
    reference: str
    points: float
    full_at: float
    zero_at: float
    # Benchmark name -> what most likely makes a learner's code slow on it
    # ([performance.causes], or [zh.causes] for a reader of Chinese), said
    # by ./course bench.
    causes: dict

    @property
    def scored(self):
        """Whether speed earns points. A [performance] table with
        `points = 0` gives an exercise a benchmark that `./course bench`
        shows and the grader leaves out."""
        return self.points > 0


@dataclasses.dataclass(frozen=True)
class Exercise:
    id: str
    dir: str  # the directory name under exercises/, e.g. "03_map"
    title: str  # in the reader's language ([zh] `title` for Chinese)
    title_en: str  # the English title, which results.json's names keep
    track: str
    order: int
    lesson: str
    files: tuple
    timeout: int
    hints: tuple
    weights: dict
    performance: Performance | None
    # Seconds one case may run in `./course run` and `watch` before it is
    # stopped as a hang (the grader uses `timeout`).
    loop_timeout: int

    @property
    def path(self):
        """The exercise's directory, relative to the repository root."""
        return "exercises/" + self.dir

    @property
    def test_label(self):
        return "//exercises/%s:test" % self.dir

    @property
    def solution_label(self):
        return "//solutions/%s:test" % self.dir

    def weight(self, case):
        """Points for one test case ("Suite.Case"); 1 unless [weights] says."""
        return self.weights.get(case, 1)


DEFAULT_TIMEOUT = 30
# Longer than the track's kCallGuard (15 s, exercises/testing/
# track_testing.h), so that a test that notices a blocked call itself says
# what it was waiting for before ./course stops it.
DEFAULT_LOOP_TIMEOUT = 20


def _is_sentence_map(value):
    """A [performance.causes]-like table: names to non-empty strings."""
    return isinstance(value, dict) and all(
        isinstance(v, str) and v.strip() for v in value.values())


def _require(data, key, kind, where):
    if key not in data:
        raise ConfigError(T("{where}: missing `{key}`",
                            "{where}：缺少 `{key}`", where=where, key=key))
    value = data[key]
    if not isinstance(value, kind) or isinstance(value, bool) and kind is not bool:
        raise ConfigError(T("{where}: `{key}` must be {kind}, not "
                            "{value!r}", "{where}：`{key}` 必须是 {kind}，"
                            "而不是 {value!r}", where=where, key=key,
                            kind=_kind_name(kind), value=value))
    return value


def _kind_name(kind):
    if isinstance(kind, tuple):
        return " or ".join(_kind_name(k) for k in kind)
    return {str: "a string", int: "an integer", float: "a number",
            list: "a list", dict: "a table"}.get(kind, kind.__name__)


def parse(text, dirname, where=None):
    """Reads one course.toml (its text) for exercises/<dirname>/."""
    where = where or "exercises/%s/course.toml" % dirname
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(T("{where}: not valid TOML: {error}",
                            "{where}：不是有效的 TOML：{error}", where=where,
                            error=e)) from None
    ex_id = _require(data, "id", str, where)
    if not re.fullmatch(r"[a-z0-9]+", ex_id):
        raise ConfigError(T("{where}: id {id!r} must be lower-case letters "
                            "and digits (what a learner types)",
                            "{where}：id {id!r} 只能由小写字母和数字组成"
                            "（学习者要输入它）", where=where, id=ex_id))
    title = _require(data, "title", str, where)
    track = _require(data, "track", str, where)
    if track not in TRACKS:
        raise ConfigError(T("{where}: track {track!r} is not one of "
                            "{tracks}", "{where}：track {track!r} 不是 "
                            "{tracks} 之一", where=where, track=track,
                            tracks=", ".join(TRACKS)))
    order = _require(data, "order", int, where)
    lesson = data.get("lesson", "")
    if not isinstance(lesson, str):
        raise ConfigError(T("{where}: `lesson` must be a string",
                            "{where}：`lesson` 必须是字符串", where=where))
    files = data.get("files", ["exercise.cc"])
    if (not isinstance(files, list) or not files or
            not all(isinstance(f, str) for f in files)):
        raise ConfigError(T("{where}: `files` must be a non-empty list of "
                            "paths", "{where}：`files` 必须是非空的路径列表",
                            where=where))
    for f in files:
        if (not _ALLOWED_FILE.match(f) or ".." in f.split("/") or
                f.startswith("/")):
            raise ConfigError(T(
                "{where}: file {file!r}: a submission may only provide C++ "
                "sources (.cc, .h) inside the exercise's directory",
                "{where}：文件 {file!r}：作业只能提供练习目录中的 C++ 源文件"
                "（.cc、.h）", where=where, file=f))
    timeout = data.get("timeout", DEFAULT_TIMEOUT)
    if not isinstance(timeout, int) or isinstance(timeout, bool) or timeout < 1:
        raise ConfigError(T("{where}: `timeout` must be a whole number of "
                            "seconds >= 1", "{where}：`timeout` 必须是 >= 1 "
                            "的整数秒", where=where))
    loop_timeout = data.get("loop_timeout", DEFAULT_LOOP_TIMEOUT)
    if (not isinstance(loop_timeout, int) or isinstance(loop_timeout, bool)
            or loop_timeout < 1):
        raise ConfigError(T("{where}: `loop_timeout` must be a whole "
                            "number of seconds >= 1", "{where}："
                            "`loop_timeout` 必须是 >= 1 的整数秒",
                            where=where))
    hints = _require(data, "hints", list, where)
    if len(hints) < 3 or not all(isinstance(h, str) and h.strip()
                                 for h in hints):
        raise ConfigError(T("{where}: `hints` needs at least three "
                            "non-empty strings, from nudge to near-answer",
                            "{where}：`hints` 至少要有三个非空字符串，从轻轻"
                            "一推到接近答案", where=where))
    weights = _check_weights(data.get("weights", {}), where)
    perf = None
    if "performance" in data:
        perf = _parse_performance(data["performance"], where)
    zh = _parse_zh(data, hints, perf.causes if perf else {}, where)
    title_en = title
    if zh is not None and lang.chinese_wanted():
        title, hints = zh["title"], zh["hints"]
        if perf is not None:
            perf = dataclasses.replace(perf, causes=zh["causes"])
    return Exercise(id=ex_id, dir=dirname, title=title, title_en=title_en,
                    track=track, order=order, lesson=lesson,
                    files=tuple(files), timeout=timeout,
                    hints=tuple(h.strip() for h in hints),
                    weights=dict(weights), performance=perf,
                    loop_timeout=loop_timeout)


def _parse_zh(data, hints, causes, where):
    """The [zh] table, checked, with its `causes` ({} when it has none);
    None when there is none. It translates the English `title`, `hints`
    and [performance.causes]: a title, as many hints, a sentence for each
    benchmark the English names (//i18n:sync_test checks that they
    translate the English as it is now). Checked whatever the reader's
    language, so that a mistake in it shows in English too."""
    if "zh" not in data:
        return None
    zh = data["zh"]
    where = where + " [zh]"
    if not isinstance(zh, dict):
        raise ConfigError(T("{where} must be a table", "{where} 必须是表",
                            where=where))
    title = _require(zh, "title", str, where)
    if not title.strip():
        raise ConfigError(T("{where}: `title` must not be empty",
                            "{where}：`title` 不能为空", where=where))
    zh_hints = zh.get("hints")
    if (not isinstance(zh_hints, list) or len(zh_hints) != len(hints) or
            not all(isinstance(h, str) and h.strip() for h in zh_hints)):
        raise ConfigError(T("{where}: `hints` must be as many non-empty "
                            "strings as the English `hints` ({n})",
                            "{where}：`hints` 必须是与英文 `hints` 同样多"
                            "（{n} 个）的非空字符串", where=where,
                            n=len(hints)))
    zh_causes = zh.get("causes", {})
    if not _is_sentence_map(zh_causes):
        raise ConfigError(T("{where}: [zh.causes] must map benchmark names "
                            "to non-empty sentences",
                            "{where}：[zh.causes] 必须把基准测试名映射到"
                            "非空的句子", where=where))
    if set(zh_causes) != set(causes):
        raise ConfigError(T(
            "{where}: [zh.causes] must name the benchmarks "
            "[performance.causes] names, no more and no fewer: it has "
            "{has}, the English has {wanted}",
            "{where}：[zh.causes] 必须恰好列出 [performance.causes] 列出的"
            "那些基准测试：它有 {has}，英文有 {wanted}", where=where,
            has=", ".join(sorted(zh_causes)) or "-",
            wanted=", ".join(sorted(causes)) or "-"))
    return {"title": title.strip(), "hints": zh_hints,
            "causes": {k: v.strip() for k, v in zh_causes.items()}}


def _check_weights(weights, where):
    """A [weights] table, checked: {"Suite.Case": number >= 0}."""
    if not isinstance(weights, dict):
        raise ConfigError(T("{where}: [weights] must be a table",
                            "{where}：[weights] 必须是表", where=where))
    for case, w in weights.items():
        if "." not in case:
            raise ConfigError(T("{where}: weight key {case!r} must be a "
                                "test case (\"Suite.Case\")",
                                "{where}：权重的键 {case!r} 必须是测试用例"
                                "（\"Suite.Case\"）", where=where,
                                case=case))
        if not isinstance(w, (int, float)) or isinstance(w, bool) or w < 0:
            raise ConfigError(T("{where}: weight of {case} must be a "
                                "number >= 0", "{where}：{case} 的权重必须是 "
                                ">= 0 的数", where=where, case=case))
    return weights


def parse_weights(text, where):
    """The [weights] of a hidden tests' course.toml (which holds nothing
    else), checked as an exercise's own are."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(T("{where}: not valid TOML: {error}",
                            "{where}：不是有效的 TOML：{error}", where=where,
                            error=e)) from None
    return dict(_check_weights(data.get("weights", {}), where))


def _parse_performance(table, where):
    where = where + " [performance]"
    if not isinstance(table, dict):
        raise ConfigError(T("{where} must be a table", "{where} 必须是表",
                            where=where))
    bench = _require(table, "benchmark", str, where)
    ref = _require(table, "reference", str, where)
    if not ref.startswith("//"):
        raise ConfigError(T("{where}: reference {ref!r} must be a label "
                            "like //solutions/<dir>:bench",
                            "{where}：reference {ref!r} 必须是形如 "
                            "//solutions/<dir>:bench 的标签", where=where,
                            ref=ref))
    points = _require(table, "points", (int, float), where)
    if points < 0:
        raise ConfigError(T("{where}: points must be >= 0",
                            "{where}：points 必须 >= 0", where=where))
    if points == 0 and "full_at" not in table and "zero_at" not in table:
        # Shown by ./course bench, not graded: no thresholds needed.
        full_at, zero_at = 1.0, 0.0
    else:
        full_at = _require(table, "full_at", (int, float), where)
        zero_at = _require(table, "zero_at", (int, float), where)
    if not zero_at < full_at:
        raise ConfigError(T("{where}: zero_at ({zero}) must be below "
                            "full_at ({full})", "{where}：zero_at（{zero}）"
                            "必须小于 full_at（{full}）", where=where,
                            zero=zero_at, full=full_at))
    causes = table.get("causes", {})
    if not _is_sentence_map(causes):
        raise ConfigError(T("{where}: [performance.causes] must map "
                            "benchmark names to sentences",
                            "{where}：[performance.causes] 必须把基准测试名"
                            "映射到句子", where=where))
    return Performance(benchmark=bench, reference=ref, points=float(points),
                       full_at=float(full_at), zero_at=float(zero_at),
                       causes=dict(causes))


def discover(root):
    """Every exercise under root/exercises, sorted by `order`.

    Raises ConfigError naming the first bad file, or two exercises that
    share an id or an order.
    """
    base = os.path.join(root, "exercises")
    found = []
    for name in sorted(os.listdir(base)) if os.path.isdir(base) else []:
        path = os.path.join(base, name, "course.toml")
        if os.path.isfile(path):
            with open(path, "rb") as f:
                text = f.read().decode("utf-8")
            found.append(parse(text, name))
    return check_unique(found)


def check_unique(exercises):
    by_id, by_order = {}, {}
    for ex in exercises:
        if ex.id in by_id:
            raise ConfigError(T("exercises {a} and {b} both have id "
                                "{id!r}", "练习 {a} 和 {b} 的 id 都是 {id!r}",
                                a=by_id[ex.id].dir, b=ex.dir, id=ex.id))
        if ex.order in by_order:
            raise ConfigError(T("exercises {a} and {b} both have order "
                                "{order}", "练习 {a} 和 {b} 的 order 都是 "
                                "{order}", a=by_order[ex.order].dir,
                                b=ex.dir, order=ex.order))
        by_id[ex.id] = ex
        by_order[ex.order] = ex
    return sorted(exercises, key=lambda e: e.order)


def find(exercises, wanted):
    """The exercise a learner means by `wanted`: its id ("03", "b01", "3")
    or its directory name ("03_map"). None if there is none."""
    wanted = wanted.strip().rstrip("/")
    wanted = wanted.removeprefix("exercises/")
    for ex in exercises:
        if wanted in (ex.id, ex.dir):
            return ex
    if wanted.isdigit():
        for ex in exercises:
            if ex.id.isdigit() and int(ex.id) == int(wanted):
                return ex
    return None
