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

from . import ui


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
        perf = self.exercise.performance
        return self.speed_graded and perf is not None and perf.scored

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
    rounds: int = 0  # interleaved rounds each binary ran

    @property
    def shown_index(self):
        """The index as displayed: capped at 1.0 ("as fast as the
        reference")."""
        return None if self.index is None else min(self.index, 1.0)


def benchmark_times(json_text):
    """{benchmark name: real_time in ns} from one --benchmark_format=json
    run, the fastest of its repetitions. Aggregate rows (mean, median,
    stddev of repetitions) and rows that report an error are left out."""
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
    # Repetitions of one benchmark in one run: the fastest. On a shared
    # machine noise only ever adds time (a worker woken late, a CPU taken
    # by other work), so a latency benchmark's median of five short
    # repetitions moved by 2.5x between runs where its minimum moved by
    # under 10%.
    return {name: min(ts) for name, ts in seen.items()}


def median_times(runs):
    """{name: median over runs} for names present in every run."""
    if not runs:
        return {}
    names = set(runs[0])
    for r in runs[1:]:
        names &= set(r)
    return {n: statistics.median(r[n] for r in runs) for n in names}


# Benchmarks whose names start so time pool::Pool on the same workload:
# shown for comparison, never scored (and not run by the grader).
UNSCORED_PREFIX = "BM_Pool"


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
        scored = not name.startswith(UNSCORED_PREFIX) and lt and rt
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
    elif not perf.scored:
        note = "shown, not scored"
        points = 0.0
    elif not correct:
        note = ("speed is only scored once every test case passes "
                "(measured for information)")
        points = 0.0
    else:
        points = performance_points(index, perf)
    return PerformanceResult(index=index, points=round(points, 2),
                             max_points=perf.points, rows=rows, note=note,
                             rounds=min(len(learner_runs),
                                        len(reference_runs)))


# How many times the first batch of rounds an index between the thresholds
# may take in all.
MORE_ROUNDS_UP_TO = 3

# After a probe (fewer rounds than asked for), an index this many times
# past a threshold (above full_at, or below zero_at) is taken as it is:
# the reference timed against itself moves its index by far less than
# this from one round to the next (scoring_test's recorded rounds), so
# more rounds could not change the points.
CLEAR_FACTOR = 1.5


def clearly_outside(index, perf):
    """Whether an index is so far outside the scoring band that one more
    round cannot bring it in."""
    return (index >= perf.full_at * CLEAR_FACTOR or
            index <= perf.zero_at / CLEAR_FACTOR)


def rounds_needed(perf, correct, data, result, rounds, probe=None):
    """How many more interleaved rounds a benchmark pair needs, 0 when its
    result stands (see measure)."""
    if (not correct or not perf.scored or data["errors"] or
            result.index is None):
        return 0
    if probe and result.rounds < rounds:
        return (0 if clearly_outside(result.index, perf) else
                rounds - result.rounds)
    if (perf.zero_at < result.index < perf.full_at and
            result.rounds < MORE_ROUNDS_UP_TO * rounds):
        return rounds
    return 0


def merge_rounds(data, more):
    """bench_pair data with the rounds of `more` added."""
    return {k: data.get(k, []) + more.get(k, [])
            for k in ("learner", "reference", "errors")}


def measure(perf, correct, run_rounds, rounds=3, first=None, probe=None):
    """Times a benchmark pair and scores it: (PerformanceResult, data).

    run_rounds(n) runs n interleaved rounds and returns bench_pair's
    {"learner": [json], "reference": [json], "errors": [...]}; `first` is
    the first batch when it has run already. The first batch is `probe`
    rounds when given, else `rounds`. After a probe, an index clearly
    outside the band (clearly_outside) stands; any other is topped up to
    `rounds`. Then, while the index lies strictly between zero_at and
    full_at (where noise on a loaded machine moves points) and fewer than
    three times `rounds` have run, `rounds` more run, and the medians are
    taken over all of them. An index clear of both thresholds costs
    nothing more; one between them is measured up to three times as
    long."""
    data = first if first is not None else run_rounds(probe or rounds)
    while True:
        result = score_performance(perf, data["learner"], data["reference"],
                                   correct)
        n = rounds_needed(perf, correct, data, result, rounds, probe)
        if not n:
            return result, data
        data = merge_rounds(data, run_rounds(n))


def format_performance(result):
    """The table `./course bench` prints, and the grader's output."""
    width = max([len("benchmark")] + [len(r[0]) for r in result.rows])
    lines = ["%-*s %10s %10s %6s" % (width, "benchmark", "yours",
                                     "reference", "ratio")]
    for name, lt, rt, ratio, scored in result.rows:
        why = ("" if scored else
               "  (pool::Pool: shown, not scored)" if name.startswith(
                   "BM_Pool") else
               "  (not in yours)" if lt is None else
               "  (not in the reference)")
        lines.append("%-*s %10s %10s %6s%s" % (
            width, name, _ns(lt), _ns(rt),
            "%.2f" % ratio if ratio else "-", why))
    if result.index is None:
        lines.append("index: -  (%s)" % result.note)
    else:
        lines.append("index: %.2f of 1.00 (reference time / your time; "
                     "uncapped %s; medians of %d interleaved rounds)" % (
                         result.shown_index, _index(result.index),
                         result.rounds))
        if result.max_points:
            lines.append("speed points: %s of %s%s" % (
                ui.num(result.points), ui.num(result.max_points),
                "  (%s)" % result.note if result.note else ""))
        else:
            lines.append("speed points: none, this benchmark is shown, "
                         "not scored")
    return "\n".join(lines)


def slowest(result, perf):
    """Which scored benchmark pulls the index down most, with both times
    and, from [performance.causes], the likely reason; "" when none is
    slower than full_at (then there is nothing to point at)."""
    rows = [r for r in result.rows if r[4] and r[3] is not None]
    if not rows:
        return ""
    name, lt, rt, ratio, _ = min(rows, key=lambda r: r[3])
    if ratio >= perf.full_at:
        return ""
    times = 1 / ratio
    text = ("%s pulls the index down most: yours takes %s, the reference "
            "%s, %s times as long." % (name, _ns(lt), _ns(rt), "%.0f" % times
                                       if times >= 10 else "%.1f" % times))
    # Google Benchmark adds arguments to the name: BM_Map/chunksize:250.
    cause = perf.causes.get(name.split("/")[0])
    if cause:
        text += " Likely cause: " + cause
    return text


def _index(x):
    """Two decimals, or two significant digits for an index under 0.1."""
    return "%.2f" % x if x >= 0.095 else "%.2g" % x


def _ns(t):
    if t is None:
        return "-"
    for unit, scale in (("s", 1e9), ("ms", 1e6), ("us", 1e3)):
        if t >= scale:
            return "%.3g %s" % (t / scale, unit)
    return "%.3g ns" % t
