#!/usr/bin/env python3
"""Scaling study for Benchmarks/RESULTS.md: runs/s against points and assets, --jobs 1 against 2, peak RSS against
panel size, database bytes per point with and without daily equity, and shard-merge throughput.

Standard library only. Needs the release binary (`make build`) and ../shared/data/goog-2004-2013.csv.
Rewrites the part of Benchmarks/RESULTS.md after the `<!-- scaling -->` marker.
Usage: Benchmarks/peers/scaling.py [--max-points 1000000] [--max-assets 5000] [--results Benchmarks/RESULTS.md]
"""
import argparse, json, os, shutil, subprocess, sys, tempfile, time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import sweepfiles  # noqa: E402
ROOT = os.path.dirname(os.path.dirname(HERE))
GOOG = os.path.join(os.path.dirname(ROOT), "shared", "data", "goog-2004-2013.csv")
# (fast range, slow range) with every fast below every slow, so the point count is exactly the product.
POINT_GRIDS = {100: ((1, 10), (11, 20)), 1_000: ((1, 10), (11, 110)), 10_000: ((1, 100), (101, 200)),
               100_000: ((1, 100), (101, 1100)), 1_000_000: ((1, 1000), (1001, 2000))}


def run(cmd):
    """Runs a command; returns (wall seconds, peak RSS bytes of that process, stdout)."""
    t = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    out, err = p.communicate()
    wall = time.perf_counter() - t
    if p.returncode != 0:
        sys.exit(f"command failed ({p.returncode}): {' '.join(cmd)}\n{out[-2000:]}\n{err[-2000:]}")
    return wall, out


def measured(cmd):
    """Runs a command; returns (wall seconds, CPU seconds of all its threads, peak RSS bytes)."""
    with tempfile.TemporaryFile() as err:
        t = time.perf_counter()
        p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(p.pid, 0)
        wall = time.perf_counter() - t
        if status != 0:
            err.seek(0)
            sys.exit(f"command failed: {' '.join(cmd)}\n{err.read().decode(errors='replace')[-2000:]}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss * 1024


def size(path):
    return sum(os.path.getsize(path + s) for s in ("", "-wal") if os.path.exists(path + s))


def remove_db(path):
    for s in ("", "-wal", "-shm"):
        if os.path.exists(path + s):
            os.remove(path + s)


def sma_sweep(path, db, points, equity):
    with open(path, "w") as fh:
        fh.write(sweepfiles.sma_goog(f"sma-scale-{points}", f"{{db: {db}}}", *POINT_GRIDS[points], equity=equity, trades="{top: 20}"))


def momentum_sweep(path, assets):
    with open(path, "w") as fh:
        fh.write(sweepfiles.momentum(f"momentum-scale-{assets}", f"{{synthetic: {{assets: {assets}, start: 2008-01-02, end: 2017-12-29, seed: 11}}}}",
                                     "{all: true}", "2008-01-02", "2017-12-29", trades="{top: 5}"))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--max-points", type=int, default=1_000_000)
    ap.add_argument("--max-assets", type=int, default=5000)
    ap.add_argument("--bin", default=os.path.join(ROOT, ".build", "release", "hindsight"))
    ap.add_argument("--results", default=os.path.join(ROOT, "Benchmarks", "RESULTS.md"))
    a = ap.parse_args()
    if not os.path.exists(a.bin):
        sys.exit(f"{a.bin} not found: run `make build` first")
    if not os.path.exists(GOOG):
        sys.exit(f"{GOOG} not found: the scaling study needs ../shared/data")
    work = tempfile.mkdtemp(prefix="hindsight-scaling-")
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    goog = os.path.join(work, "goog.sqlite")
    run([a.bin, "data", "import", "prices", GOOG, "--ticker", "GOOG", "--db", goog])
    out = ["<!-- scaling -->", "", "## Scaling study", "",
           f"Measured {started} by `python3 Benchmarks/peers/scaling.py` on the machine above (release build).", ""]

    # Points.
    out += ["### Runs/s against points (SMA crossover on GOOG, 2,148 bars, `--jobs 2`)", "",
            "| points | sweep run (s) | runs/s end to end | simulation alone (s) | runs/s simulating | DB bytes/point (no equity) | peak RSS (MB) |",
            "|---|---|---|---|---|---|---|"]
    per_point = {}
    for points in sorted(p for p in POINT_GRIDS if p <= a.max_points):
        db, yaml = os.path.join(work, f"sma-{points}.sqlite"), os.path.join(work, f"sma-{points}.yaml")
        shutil.copy(goog, db)
        sma_sweep(yaml, db, points, equity=False)
        before = size(db)
        force = ["--force"] if points >= 1_000_000 else []
        wall, _, rss = measured([a.bin, "sweep", "run", yaml, "--db", db, "--report-dir", os.path.join(work, "reports"), "--quiet", "--jobs", "2"] + force)
        _, js = run([a.bin, "sweep", "time", yaml, "--jobs", "2", "--repeat", "3", "--json"] + force)
        sim = json.loads(js)["simulate_s_min"]
        per_point[points] = (size(db) - before) / points
        out.append(f"| {points:,} | {wall:.2f} | {points / wall:,.0f} | {sim:.3f} | {points / sim:,.0f} | {per_point[points]:,.0f} | {rss / 1e6:.0f} |")
        if points != 10_000:
            remove_db(db)
    # Storage with daily equity.
    eq_points = 1_000
    db, yaml = os.path.join(work, "sma-eq.sqlite"), os.path.join(work, "sma-eq.yaml")
    shutil.copy(goog, db)
    sma_sweep(yaml, db, eq_points, equity=True)
    before = size(db)
    run([a.bin, "sweep", "run", yaml, "--db", db, "--no-report", "--quiet"])
    with_equity = (size(db) - before) / eq_points
    out += ["", f"Storage: {per_point.get(eq_points, float('nan')):,.0f} bytes per point without daily equity (run row, metrics, "
            f"sweep row); {with_equity:,.0f} bytes per point with `store: {{equity: all}}` (2,148 daily rows each, "
            f"{with_equity / 2148:.0f} bytes per daily row).", ""]
    remove_db(db)

    # Jobs.
    jobs_points = 100_000 if a.max_points >= 100_000 else max(p for p in POINT_GRIDS if p <= a.max_points)
    db, yaml = os.path.join(work, "sma-jobs.sqlite"), os.path.join(work, "sma-jobs.yaml")
    sma_sweep(yaml, db, jobs_points, equity=False)

    def fresh_db():
        shutil.copy(goog, db)
        for s in ("-wal", "-shm"):
            if os.path.exists(db + s):
                os.remove(db + s)

    store = [a.bin, "sweep", "run", yaml, "--db", db, "--no-report", "--quiet", "--jobs"]
    walls = {}
    for label, prefix, jobs in (("1", [], 1), ("2", [], 2), ("1core", ["taskset", "-c", "0"], 1)):
        fresh_db()
        walls[label] = measured(prefix + store + [str(jobs)])
    sims = {j: json.loads(run([a.bin, "sweep", "time", yaml, "--jobs", str(j), "--repeat", "3", "--json"])[1])["simulate_s_min"] for j in (1, 2)}
    m_assets = min(1000, a.max_assets)
    myaml, mdb = os.path.join(work, "momentum-jobs.yaml"), os.path.join(work, "momentum-jobs.sqlite")
    momentum_sweep(myaml, m_assets)
    mwalls = {}
    for jobs in (1, 2):
        remove_db(mdb)
        mwalls[jobs] = measured([a.bin, "sweep", "run", myaml, "--db", mdb, "--no-report", "--quiet", "--jobs", str(jobs)])
    remove_db(mdb)
    msim = {j: json.loads(run([a.bin, "sweep", "time", myaml, "--jobs", str(j), "--repeat", "3", "--json"])[1])["simulate_s_min"] for j in (1, 2)}

    def row(name, one, two):
        return (f"| {name} | {one[0]:.2f} ({one[1] / one[0]:.2f}) | {two[0]:.2f} ({two[1] / two[0]:.2f}) | "
                f"{one[0] / two[0]:.2f}× |")

    out += ["### Cores: `--jobs 1` against `--jobs 2`", "",
            "Wall seconds, with the cores the process kept busy in brackets (CPU seconds ÷ wall seconds). A sweep that "
            "stores results has one SQLite writer thread besides its `--jobs` workers, so `--jobs 1` already uses up to "
            "two cores; the last row pins that run to one core with `taskset -c 0`.", "",
            "| workload | --jobs 1 | --jobs 2 | speed-up |", "|---|---|---|---|",
            row(f"SMA sweep, {jobs_points:,} points, run + store (no report)", walls["1"], walls["2"]),
            f"| SMA sweep, {jobs_points:,} points, simulation alone | {sims[1]:.3f} | {sims[2]:.3f} | {sims[1] / sims[2]:.2f}× |",
            row(f"momentum_rotation, {m_assets:,} synthetic assets × 10 years, 32 points, full engine, run + store (no report)",
                mwalls[1], mwalls[2]),
            f"| momentum_rotation, {m_assets:,} synthetic assets × 10 years, 32 points, full engine, simulation alone | "
            f"{msim[1]:.3f} | {msim[2]:.3f} | {msim[1] / msim[2]:.2f}× |",
            row(f"SMA sweep, {jobs_points:,} points, run + store (no report): one core (`taskset -c 0 … --jobs 1`) against two (`--jobs 2`)",
                walls["1core"], walls["2"]), ""]
    remove_db(db)

    # Assets and memory.
    out += ["### Runs/s and memory against assets (momentum_rotation, synthetic market × 10 years, 32 points, full engine, `--jobs 2`)", "",
            "| assets | panel raw bytes (MB) | panel allocated (MB) | allocated ÷ raw | sweep run (s) | runs/s | simulation alone (s) | peak RSS (MB) |",
            "|---|---|---|---|---|---|---|---|"]
    for assets in [n for n in (10, 100, 1000, 5000) if n <= a.max_assets]:
        yaml = os.path.join(work, f"momentum-{assets}.yaml")
        momentum_sweep(yaml, assets)
        db = os.path.join(work, f"momentum-{assets}.sqlite")
        wall, _, rss = measured([a.bin, "sweep", "run", yaml, "--db", db, "--report-dir", os.path.join(work, "reports"), "--quiet", "--jobs", "2"])
        js = json.loads(run([a.bin, "sweep", "time", yaml, "--jobs", "2", "--repeat", "3", "--json"])[1])
        raw, alloc = js["panel_bytes"], js["panel_allocated_bytes"]
        out.append(f"| {assets:,} | {raw / 1e6:.1f} | {alloc / 1e6:.1f} | {alloc / raw:.3f} | {wall:.2f} | {32 / wall:.1f} | "
                   f"{js['simulate_s_min']:.3f} | {rss / 1e6:.0f} |")
        remove_db(db)

    # Merge throughput: two shards of the 10,000-point sweep.
    db10, yaml10 = os.path.join(work, "sma-10000.sqlite"), os.path.join(work, "sma-10000.yaml")
    # Written here too: the points study skips 10,000 points below --max-points 10000.
    shutil.copy(goog, db10)
    sma_sweep(yaml10, db10, 10_000, equity=False)
    shards = []
    for i in (1, 2):
        s = os.path.join(work, f"shard-{i}.sqlite")
        shutil.copy(goog, s)
        run([a.bin, "sweep", "run", yaml10, "--db", s, "--shard", f"{i}/2", "--no-report", "--quiet"])
        shards.append(s)
    merged = os.path.join(work, "merged.sqlite")
    merge_wall = run([a.bin, "sweep", "merge", "--into", merged] + shards)[0]
    out += ["", f"Merge: `hindsight sweep merge` of two 5,000-point shards took {merge_wall:.2f} s "
            f"({10_000 / merge_wall:,.0f} points/s, including copying the market data once).", ""]
    out.append("<!-- /scaling -->")
    shutil.rmtree(work, ignore_errors=True)

    old = open(a.results).read() if os.path.exists(a.results) else ""
    head = old[:old.index("<!-- scaling -->")] if "<!-- scaling -->" in old else old
    tail = old[old.index("<!-- /scaling -->") + len("<!-- /scaling -->"):] if "<!-- /scaling -->" in old else "\n"
    with open(a.results, "w") as fh:
        fh.write(head + "\n".join(out) + tail)
    print("\n".join(out))


if __name__ == "__main__":
    main()
