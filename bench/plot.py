#!/usr/bin/env python3
"""Draws bench/comparison.png from the results bench/compare.py saved.

  python3 bench/plot.py [bench/results.json] [bench/comparison.png]

Needs gnuplot (Debian: sudo apt-get install gnuplot-nox). For each workload
it draws the cost of one operation (one call, one item, one pool start) for
our Pool, Python's Pool, our ThreadPool and the floor, on a log scale: lower
is better, and the gap between two bars is their ratio.
"""

import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import compare  # noqa: E402  (the same rows and figures as the table)

# The rows drawn (labels as in compare.py), with short names for the axis.
CHART = [
    ("apply round trip, Pool(4)", "apply"),
    ("apply_async, 1000 in flight", "apply\\\\_async"),
    ("map, chunksize 1", "map cs=1"),
    ("map, chunksize 16", "map cs=16"),
    ("map, chunksize default", "map cs=default"),
    ("map, chunksize 1024", "map cs=1024"),
    ("starmap, chunksize default", "starmap"),
    ("imap, chunksize 1", "imap cs=1"),
    ("imap, chunksize 64", "imap cs=64"),
    ("imap_unordered, chunksize 1", "imap\\\\_unord. cs=1"),
    ("apply payload 4 KiB, Pool(1)", "apply 4 KiB"),
    ("apply payload 256 KiB, Pool(1)", "apply 256 KiB"),
    ("apply payload 16 MiB, Pool(1)", "apply 16 MiB"),
    ("Pool(4) start + close + join", "Pool(4) start+join"),
]


def Micros(kind, value):
    """Microseconds per operation, or '?' (gnuplot's missing value)."""
    cost = compare.Cost(kind, value)
    if cost is None:
        return "?"
    return f"{cost if kind == compare.US else cost * 1e6:.6g}"


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    src = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here,
                                                             "results.json")
    png = sys.argv[2] if len(sys.argv) > 2 else os.path.join(here,
                                                             "comparison.png")
    if shutil.which("gnuplot") is None:
        sys.exit("plot.py needs gnuplot: sudo apt-get install -y gnuplot-nox")
    import json
    with open(src) as f:
        data = json.load(f)
    table = {r["label"]: r for r in compare.Table(data)}

    with tempfile.TemporaryDirectory() as tmp:
        dat = os.path.join(tmp, "chart.dat")
        with open(dat, "w") as f:
            for label, short in CHART:
                r = table[label]
                k = r["kind"]
                f.write(f'"{short}" {Micros(k, r["ours"])} '
                        f'{Micros(k, r["python"])} '
                        f'{Micros(k, r["threadpool"])} '
                        f'{Micros(k, r["floor"])}\n')
        title = (f"Cost per operation, log scale (lower is better) - "
                 f"{data['cpus']} cores, shared machine, {data['date']}, "
                 f"medians of {data['repetitions']} runs")
        script = f"""
set terminal pngcairo size 1500,720 font "DejaVu Sans,11"
set output "{png}"
set title "{title}"
set datafile missing "?"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.9 border -1
set boxwidth 0.9
set logscale y
set format y "10^{{%T}}"
set ylabel "microseconds per call / item / start"
set yrange [0.0001:*]
set grid ytics
set xtics rotate by 30 right nomirror
set key top left
set bmargin 7
plot "{dat}" using 2:xtic(1) title "ours: pool::Pool" lc rgb "#1f77b4", \\
     "" using 3 title "Python multiprocessing.Pool" lc rgb "#ff7f0e", \\
     "" using 4 title "ours: pool::ThreadPool" lc rgb "#2ca02c", \\
     "" using 5 title "floor (raw pipe / fork / serial loop)" lc rgb "#7f7f7f"
"""
        subprocess.run(["gnuplot"], input=script.encode(), check=True)
    print(f"wrote {png}")


if __name__ == "__main__":
    main()
