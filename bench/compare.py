#!/usr/bin/env python3
"""Runs the C++ pool benchmark and the Python one, and prints them side by side.

  ./bazelw run -c opt //bench:compare                 # everything, ~3 minutes
  ./bazelw run -c opt //bench:compare -- --quick      # a rough pass, ~1 minute

Options after `--`:
  --repetitions N    runs per figure (the median is reported); default 3
  --quick            short runs: for checking the plumbing, not for figures
  --out FILE         where to save both results as JSON (default, under
                     `bazel run`: bench/results.json in the workspace)
  --from FILE        print the table of a saved FILE instead of measuring

Every row reads as ratios measured in the same run: "vs Python" is how many
times faster ours is than Python's multiprocessing.Pool (above 1: faster);
"x floor" is how many times the floor's cost ours pays per operation (1 is
the floor itself; lower is better). For the CPU-bound rows the floor is the
ideal speed-up, min(processes, cores), and "x floor" is the fraction of it
reached (1 is perfect).
"""

import argparse
import json
import os
import subprocess
import sys
import time

PROCESSES = 4

# What a row measures: "us" (time per call, lower is better), "rate" (items
# or tasks per second, higher is better) or "speedup" (over serial).
US, RATE, SPEEDUP = "us", "rate", "speedup"


def rows(cpus):
    """(label, kind, ours, python key, ThreadPool baseline, floor)."""
    p = f"processes:{PROCESSES}"
    out = [
        ("raw pipe round trip (the floor itself)", US,
         "BM_RawPipe_RoundTrip", "raw_pipe_roundtrip", None, None),
        ("fork + waitpid, 1 child", US, "BM_Fork_Waitpid/processes:1",
         "fork_waitpid/1", None, None),
        (f"apply round trip, Pool({PROCESSES})", US,
         f"BM_Apply_RoundTrip/{p}", "apply_roundtrip",
         f"BM_ThreadPool_Apply_RoundTrip/{p}", "BM_RawPipe_RoundTrip"),
        ("apply round trip, Pool(1)", US, "BM_Apply_RoundTrip/processes:1",
         None, "BM_ThreadPool_Apply_RoundTrip/processes:1",
         "BM_RawPipe_RoundTrip"),
        (f"apply_async, {1000} in flight", RATE,
         f"BM_ApplyAsync_Throughput/{p}", "apply_async",
         f"BM_ThreadPool_ApplyAsync_Throughput/{p}", None),
    ]
    for c in (1, 16, 0, 1024):
        name = "default" if c == 0 else str(c)
        out.append((f"map, chunksize {name}", RATE,
                    f"BM_Map_Throughput/{p}/chunksize:{c}", f"map/{c}",
                    f"BM_ThreadPool_Map_Throughput/{p}/chunksize:{c}",
                    "BM_Serial_Map"))
    for c in (1, 0):
        name = "default" if c == 0 else str(c)
        out.append((f"starmap, chunksize {name}", RATE,
                    f"BM_Starmap_Throughput/{p}/chunksize:{c}",
                    f"starmap/{c}", None, "BM_Serial_Map"))
    for method, bench in (("imap", "BM_IMap_Throughput"),
                          ("imap_unordered", "BM_IMapUnordered_Throughput")):
        for c in (1, 64):
            out.append((f"{method}, chunksize {c}", RATE,
                        f"{bench}/{p}/chunksize:{c}", f"{method}/{c}", None,
                        "BM_Serial_Map"))
    for size in [8 << (3 * i) for i in range(8)]:
        out.append((f"apply payload {HumanBytes(size)}, Pool(1)", US,
                    f"BM_Apply_Payload/bytes:{size}", f"payload/{size}", None,
                    f"BM_RawPipe_Echo/bytes:{size}"))
    for n in (1, 2, 4, 8):
        out.append((f"Pool({n}) start + close + join", US,
                    f"BM_Pool_StartCloseJoin/processes:{n}",
                    f"start_close_join/{n}",
                    f"BM_ThreadPool_StartCloseJoin/processes:{n}",
                    f"BM_Fork_Waitpid/processes:{n}"))
        # What any pool that forks its workers from a fork server pays.
        children = "child" if n == 1 else "children"
        out.append((f"fork server skeleton, {n} {children}", US,
                    f"BM_ForkServer_Skeleton/processes:{n}", None, None,
                    f"BM_Fork_Waitpid/processes:{n}"))
    n = 1
    counts = []
    while n <= max(cpus, PROCESSES):
        counts.append(n)
        n *= 2
    if cpus & (cpus - 1):
        counts.append(cpus)
    for n in sorted(counts):
        out.append((f"CPU-bound map speed-up, Pool({n})", SPEEDUP,
                    f"BM_CpuBoundMap/processes:{n}", f"cpu_speedup/{n}",
                    f"BM_ThreadPool_CpuBoundMap/processes:{n}",
                    f"ideal:{min(n, cpus)}"))
    return out


def HumanBytes(n):
    for unit in ("B", "KiB", "MiB"):
        if n < 1024:
            return f"{n} {unit}"
        n //= 1024
    return f"{n} GiB"


# --- Running -------------------------------------------------------------------


def RunCpp(binary, repetitions, min_time):
    cmd = [binary, "--benchmark_format=json",
           f"--benchmark_repetitions={repetitions}",
           "--benchmark_report_aggregates_only=true"]
    if min_time is not None:
        cmd.append(f"--benchmark_min_time={min_time}")
    print("running:", " ".join(cmd), file=sys.stderr)
    out = subprocess.run(cmd, check=True, stdout=subprocess.PIPE).stdout
    return json.loads(out)


def RunPython(script, repetitions, min_time):
    cmd = [sys.executable, script, "--json", f"--repetitions={repetitions}"]
    if min_time is not None:
        cmd.append(f"--min-time={min_time}")
    print("running:", " ".join(cmd), file=sys.stderr)
    out = subprocess.run(cmd, check=True, stdout=subprocess.PIPE).stdout
    return json.loads(out)


def CppFigures(report):
    """Benchmark name (without /real_time) -> its median's fields."""
    figures = {}
    for b in report["benchmarks"]:
        if b.get("run_type") == "aggregate" and b["aggregate_name"] != "median":
            continue
        name = b["run_name"] if "run_name" in b else b["name"]
        name = name.removesuffix("/real_time")
        figures[name] = b
    return figures


def CppValue(fig, kind):
    if fig is None:
        return None
    if kind == SPEEDUP:
        return fig.get("speedup")  # CpuSpeedup() prefers medians.
    if kind == RATE:
        return fig.get("items_per_second")
    if "us_per_call" in fig:
        return fig["us_per_call"]
    scale = {"ns": 1e-3, "us": 1.0, "ms": 1e3, "s": 1e6}[fig["time_unit"]]
    return fig["real_time"] * scale


# --- The table -----------------------------------------------------------------


def Cost(kind, value):
    """Time per operation (lower is better), for ratios."""
    if value is None or value <= 0:
        return None
    return value if kind == US else 1.0 / value


def CpuSpeedup(cpp, name):
    """Serial time over pool time, both medians of this run."""
    serial, fig = cpp.get("BM_Serial_CpuBound"), cpp.get(name)
    if serial and fig and fig.get("items_per_second"):
        return fig["items_per_second"] / serial["items_per_second"]
    return CppValue(fig, SPEEDUP)


def Table(data):
    cpp = CppFigures(data["cpp"])
    py = data["python"]["results"]
    cpus = data["cpus"]
    table = []
    for label, kind, ours_name, py_key, tp_name, floor_name in rows(cpus):
        if kind == SPEEDUP:
            ours = CpuSpeedup(cpp, ours_name)
            tp = CpuSpeedup(cpp, tp_name)
        else:
            ours = CppValue(cpp.get(ours_name), kind)
            tp = CppValue(cpp.get(tp_name), kind) if tp_name else None
        theirs = py[py_key]["value"] if py_key in py else None
        if floor_name and floor_name.startswith("ideal:"):
            floor = float(floor_name.split(":")[1])
            floor_label = "ideal"
        elif floor_name:
            fig = cpp.get(floor_name)
            floor = CppValue(fig, kind)
            floor_label = floor_name.removeprefix("BM_")
        else:
            floor, floor_label = None, ""
        vs_py = vs_floor = None
        if kind == SPEEDUP:
            if ours and theirs:
                vs_py = ours / theirs
            if ours and floor:
                vs_floor = ours / floor
        else:
            if Cost(kind, ours) and Cost(kind, theirs):
                vs_py = Cost(kind, theirs) / Cost(kind, ours)
            if Cost(kind, ours) and Cost(kind, floor):
                vs_floor = Cost(kind, ours) / Cost(kind, floor)
        table.append({"label": label, "kind": kind, "ours": ours,
                      "python": theirs, "threadpool": tp, "floor": floor,
                      "floor_name": floor_label, "vs_python": vs_py,
                      "vs_floor": vs_floor})
    return table


def Fmt(kind, v):
    if v is None:
        return "—"
    if kind == SPEEDUP:
        return f"{v:.2f}×"
    if kind == RATE:
        for div, unit in ((1e9, "G/s"), (1e6, "M/s"), (1e3, "k/s")):
            if v >= div:
                return f"{v / div:.3g} {unit}"
        return f"{v:.3g} /s"
    if v >= 1e6:
        return f"{v / 1e6:.3g} s"
    if v >= 1e3:
        return f"{v / 1e3:.3g} ms"
    return f"{v:.3g} µs"


def Ratio(v):
    return "—" if v is None else f"{v:.3g}×"


def PrintTable(data, table):
    load = data.get("loadavg")
    load = (f"; load average {load[0]:.1f} before, {load[1]:.1f} after"
            if load else "")
    commit = f"; commit {data['commit']}" if data.get("commit") else ""
    print(f"Machine: {data['cpus']} cores; {data['date']}{commit}; "
          f"Python {data['python']['python']}; medians of "
          f"{data['repetitions']} runs{load}.\n")
    print("| workload | ours | Python | vs Python | ThreadPool | floor | "
          "x floor |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for r in table:
        floor = Fmt(r["kind"], r["floor"])
        if r["floor_name"]:
            floor += f" ({r['floor_name']})"
        print(f"| {r['label']} | {Fmt(r['kind'], r['ours'])} | "
              f"{Fmt(r['kind'], r['python'])} | {Ratio(r['vs_python'])} | "
              f"{Fmt(r['kind'], r['threadpool'])} | {floor} | "
              f"{Ratio(r['vs_floor'])} |")


def _ThreadPoolAsync(row):
    """(ThreadPool's rate, its ratio to Pool's) for a row, or None."""
    if row["threadpool"] is None or not row["ours"]:
        return None
    return (row["threadpool"], row["threadpool"] / row["ours"])


def PrintGoals(data, table):
    by = {r["label"]: r for r in table}
    cpus = data["cpus"]
    apply = by[f"apply round trip, Pool({PROCESSES})"]
    goals = [
        ("apply round trip ≤ 1.2× raw pipe round trip", apply["vs_floor"],
         lambda v: v <= 1.2, Ratio),
        ("apply ≥ 15× faster than Python's Pool.apply", apply["vs_python"],
         lambda v: v >= 15, Ratio),
        ("apply_async ≥ 1 M tasks/s",
         by[f"apply_async, 1000 in flight"]["ours"], lambda v: v >= 1e6,
         lambda v: Fmt(RATE, v)),
        ("ThreadPool apply_async ≥ 2 M tasks/s and ≥ 2× Pool's",
         _ThreadPoolAsync(by[f"apply_async, 1000 in flight"]),
         lambda v: v[0] >= 2e6 and v[1] >= 2,
         lambda v: f"{Fmt(RATE, v[0])}, {v[1]:.3g}×"),
        ("imap chunksize 1 ≥ 300 k tasks/s", by["imap, chunksize 1"]["ours"],
         lambda v: v >= 3e5, lambda v: Fmt(RATE, v)),
        ("map of ints, default chunksize ≥ 50 M items/s",
         by["map, chunksize default"]["ours"], lambda v: v >= 5e7,
         lambda v: Fmt(RATE, v)),
        (f"Pool({PROCESSES}) start + close + join ≤ 2× {PROCESSES} fork + "
         "waitpid",
         by[f"Pool({PROCESSES}) start + close + join"]["vs_floor"],
         lambda v: v <= 2, Ratio),
        (f"CPU-bound map on {cpus} cores ≥ {0.9 * cpus:.2g}× serial",
         by[f"CPU-bound map speed-up, Pool({cpus})"]["ours"],
         lambda v: v >= 0.9 * cpus, lambda v: Fmt(SPEEDUP, v)),
    ]
    print("\n| goal | measured | met? |")
    print("|---|---:|---|")
    for text, value, ok, fmt in goals:
        met = "—" if value is None else ("met" if ok(value) else "missed")
        print(f"| {text} | {fmt(value) if value is not None else '—'} | "
              f"{met} |")


def CheckNames(path):
    """1 (with the list) if the table refers to benchmarks that do not exist."""
    with open(path) as f:
        known = {line.strip().removesuffix("/real_time") for line in f}
    missing = set()
    for _, _, ours, _, tp, floor in rows(os.cpu_count() or 1):
        for name in (ours, tp, floor):
            if name and not name.startswith("ideal:") and name not in known:
                missing.add(name)
    # A ThreadPool baseline is optional for some rows (no such benchmark).
    missing = {m for m in missing if not m.startswith("BM_ThreadPool_")
               or m.split("/")[0] not in {k.split("/")[0] for k in known}}
    for name in sorted(missing):
        print(f"compare.py refers to a missing benchmark: {name}",
              file=sys.stderr)
    return 1 if missing else 0


def main():
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--benchmark", default="bench/pool_benchmark",
                        help="the C++ benchmark binary")
    parser.add_argument("--python-bench", default="bench/python_pool_bench.py")
    parser.add_argument("--repetitions", type=int, default=3)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--out", default=None)
    parser.add_argument("--from", dest="from_file", default=None)
    parser.add_argument("--check-names", default=None,
                        help="a file of --benchmark_list_tests output: fail "
                        "if a row names a benchmark that is not in it")
    args = parser.parse_args()

    if args.check_names:
        sys.exit(CheckNames(args.check_names))

    workspace = os.environ.get("BUILD_WORKSPACE_DIRECTORY")
    if args.from_file:
        path = args.from_file
        if workspace and not os.path.isabs(path):
            path = os.path.join(workspace, path)
        with open(path) as f:
            data = json.load(f)
    else:
        reps = 1 if args.quick else args.repetitions
        cpp_min = 0.01 if args.quick else None
        py_min = 0.05 if args.quick else None
        load_before = os.getloadavg()[0]
        data = {
            "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
            "cpus": os.cpu_count() or 1,
            "repetitions": reps,
            "cpp": RunCpp(args.benchmark, reps, cpp_min),
            "python": RunPython(args.python_bench, reps, py_min),
        }
        # Other work on the machine skews everything, the CPU-bound speed-ups
        # most: record how busy it was.
        data["loadavg"] = [load_before, os.getloadavg()[0]]
        if workspace:
            git = ["git", "-C", workspace]
            data["commit"] = subprocess.run(
                git + ["rev-parse", "--short", "HEAD"],
                stdout=subprocess.PIPE, text=True).stdout.strip()
            # Whether what was measured had uncommitted changes.
            measured = ["pool", "bench/pool_benchmark.cc",
                        "bench/python_pool_bench.py", "bench/compare.py"]
            if subprocess.run(git + ["status", "--porcelain"] + measured,
                              stdout=subprocess.PIPE, text=True).stdout:
                data["commit"] += " + uncommitted changes to what is measured"
        out = args.out
        if out is None and workspace:
            out = os.path.join(workspace, "bench", "results.json")
        if out:
            with open(out, "w") as f:
                json.dump(data, f, indent=1)
            print(f"saved: {out}", file=sys.stderr)
    table = Table(data)
    PrintTable(data, table)
    PrintGoals(data, table)


if __name__ == "__main__":
    main()
