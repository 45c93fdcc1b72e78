"""Points: per test case, per exercise, and for speed.

Correctness: each test case is worth its weight (1 unless the exercise's
[weights] table says otherwise) and earns it only if it passed. Speed
([performance], see exercises/README.md): an index from Google Benchmark
runs of the learner's and the reference's benchmark binaries, turned into
points only when every correctness case passed.
"""

import dataclasses
import json
import math
import statistics


@dataclasses.dataclass
class ExerciseScore:
    exercise: object  # catalog.Exercise
    cases: list  # results.CaseResult, the exercise's own tests
    hidden: list = dataclasses.field(default_factory=list)
    note: str = ""  # e.g. "not submitted", the compiler's first error
    built: bool = True
    performance: object = None  # PerformanceResult or None
    hidden_weights: dict = dataclasses.field(default_factory=dict)
    speed_graded: bool = True  # False: [performance] left out of this run

    def case_points(self, case, hidden=False):
        w = (self.hidden_weights.get(case.name, 1) if hidden else
             self.exercise.weight(case.name))
        return (w if case.passed else 0), w

    @property
    def score(self):
        s = sum(self.case_points(c)[0] for c in self.cases)
        s += sum(self.case_points(c, True)[0] for c in self.hidden)
        if self.performance is not None:
            s += self.performance.points
        return s

    @property
    def correctness_score(self):
        return (sum(self.case_points(c)[0] for c in self.cases) +
                sum(self.case_points(c, True)[0] for c in self.hidden))

    @property
    def correctness_max(self):
        return (sum(self.case_points(c)[1] for c in self.cases) +
                sum(self.case_points(c, True)[1] for c in self.hidden))

    @property
    def graded_on_speed(self):
        return self.speed_graded and self.exercise.performance is not None

    @property
    def max_score(self):
        m = self.correctness_max
        if self.graded_on_speed:
            m += self.exercise.performance.points
        return m

    @property
    def all_passed(self):
        return self.built and all(c.passed for c in self.cases + self.hidden)


# ---------------------------------------------------------------- speed


@dataclasses.dataclass
class PerformanceResult:
    index: float | None  # geometric mean of reference/learner time; uncapped
    points: float
    max_points: float
    rows: list  # (name, learner_ns, reference_ns, ratio or None, scored)
    note: str = ""

    @property
    def shown_index(self):
        """The index as displayed: capped at 1.0 ("as fast as the
        reference")."""
        return None if self.index is None else min(self.index, 1.0)


def benchmark_times(json_text):
    """{benchmark name: real_time in ns} from one --benchmark_format=json
    run. Aggregate rows (mean, median, stddev of repetitions) and rows that
    report an error are left out."""
    data = json.loads(json_text)
    scale = {"ns": 1.0, "us": 1e3, "ms": 1e6, "s": 1e9}
    seen = {}
    for b in data.get("benchmarks", []):
        if b.get("run_type") == "aggregate" or b.get("error_occurred"):
            continue
        t = b.get("real_time")
        if not isinstance(t, (int, float)) or t <= 0:
            continue
        name = b.get("run_name") or b.get("name")
        seen.setdefault(name, []).append(
            float(t) * scale.get(b.get("time_unit", "ns"), 1.0))
    # Repetitions of one benchmark in one run: their median.
    return {name: statistics.median(ts) for name, ts in seen.items()}


def median_times(runs):
    """{name: median over runs} for names present in every run."""
    if not runs:
        return {}
    names = set(runs[0])
    for r in runs[1:]:
        names &= set(r)
    return {n: statistics.median(r[n] for r in runs) for n in names}


def performance_index(learner_runs, reference_runs):
    """(index, rows) from the JSON texts of interleaved runs.

    Per benchmark name, the median real_time over rounds; index = the
    geometric mean, over names present in both binaries, of reference time
    / learner time. Names starting "BM_Pool" are shown but not scored.
    index is None when no scored name is in both.
    """
    learner = median_times([benchmark_times(t) for t in learner_runs])
    reference = median_times([benchmark_times(t) for t in reference_runs])
    rows, logs = [], []
    for name in sorted(set(learner) | set(reference)):
        lt, rt = learner.get(name), reference.get(name)
        scored = not name.startswith("BM_Pool") and lt and rt
        ratio = rt / lt if lt and rt else None
        rows.append((name, lt, rt, ratio, bool(scored)))
        if scored:
            logs.append(math.log(ratio))
    index = math.exp(sum(logs) / len(logs)) if logs else None
    return index, rows


def performance_points(index, perf):
    """points x clamp((index - zero_at) / (full_at - zero_at), 0, 1)."""
    if index is None:
        return 0.0
    frac = (index - perf.zero_at) / (perf.full_at - perf.zero_at)
    return perf.points * min(max(frac, 0.0), 1.0)


def score_performance(perf, learner_runs, reference_runs, correct):
    """A PerformanceResult; no points unless `correct` (every correctness
    case passed)."""
    index, rows = performance_index(learner_runs, reference_runs)
    note = ""
    if index is None:
        note = "no benchmark ran in both the submission and the reference"
        points = 0.0
    elif not correct:
        note = ("speed is only scored once every test case passes "
                "(measured for information)")
        points = 0.0
    else:
        points = performance_points(index, perf)
    return PerformanceResult(index=index, points=round(points, 2),
                             max_points=perf.points, rows=rows, note=note)


def format_performance(result):
    """The table `./course bench` prints, and the grader's output."""
    lines = ["%-40s %12s %12s %8s" % ("benchmark", "yours", "reference",
                                      "ratio")]
    for name, lt, rt, ratio, scored in result.rows:
        lines.append("%-40s %12s %12s %8s%s" % (
            name[:40], _ns(lt), _ns(rt),
            "%.2f" % ratio if ratio else "-",
            "" if scored else "  (shown, not scored)"))
    if result.index is None:
        lines.append("index: -  (%s)" % result.note)
    else:
        lines.append("index: %.2f of 1.00 (reference time / your time; "
                     "uncapped %.2f)" % (result.shown_index, result.index))
        lines.append("speed points: %s of %s%s" % (
            _num(result.points), _num(result.max_points),
            "  (%s)" % result.note if result.note else ""))
    return "\n".join(lines)


def _ns(t):
    if t is None:
        return "-"
    for unit, scale in (("s", 1e9), ("ms", 1e6), ("us", 1e3)):
        if t >= scale:
            return "%.3g %s" % (t / scale, unit)
    return "%.3g ns" % t


def _num(x):
    return ("%d" % x) if float(x).is_integer() else ("%.2f" % x)
