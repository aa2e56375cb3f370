#!/usr/bin/env python3
"""CSV → panel: Hindsight against pandas `read_csv` + `pivot` on the synthetic market's long CSV export.

Exports `hindsight data synth --assets N` over `--years` to one long CSV (date,ticker,open,high,low,close,volume),
then times, alternately and each in a fresh process:
  - Hindsight: `hindsight sweep time` of a one-point momentum sweep over the file (`load_s`: read, parse and check
    every field of every row, build the panel of all five fields, and the technicals the engine reads);
  - pandas, narrow: `read_csv(usecols=[date, ticker, close])` + `pivot` of the close (what vectorbt needs);
  - pandas, full: `read_csv` of every column + one `pivot` per field (open, high, low, close, volume), the same panel
    Hindsight builds, without its row checks.
Agreement: pandas' close panel holds every exported close (its sum equals the file's); Hindsight refuses a file it
cannot read whole, and its run's checksum is printed.

Usage: Benchmarks/peers/load_vs_pandas.py [--assets 500] [--years 20] [--runs 5] [--bin .build/release/hindsight]
(creates .venv-fixtures with pandas on first use)
"""
import argparse, json, os, statistics, subprocess, sys, tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from peerenv import ensure_venv, ROOT  # noqa: E402

ensure_venv(__file__, ["pandas", "numpy"])
import sweepfiles  # noqa: E402

PANDAS = r"""
import json, sys, time
import pandas as pd
path, kind = sys.argv[1], sys.argv[2]
t = time.perf_counter()
if kind == "narrow":
    df = pd.read_csv(path, usecols=["date", "ticker", "close"])
    close = df.pivot(index="date", columns="ticker", values="close").sort_index()
else:
    df = pd.read_csv(path)
    panels = {k: df.pivot(index="date", columns="ticker", values=k).sort_index()
              for k in ("open", "high", "low", "close", "volume")}
    close = panels["close"]
s = time.perf_counter() - t
print(json.dumps(dict(seconds=s, close_sum=float(close.sum().sum()), shape=list(close.shape), pandas=pd.__version__)))
"""


def run(cmd):
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit(f"command failed ({p.returncode}): {' '.join(cmd)}\n{p.stdout[-2000:]}\n{p.stderr[-2000:]}")
    return p.stdout


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--assets", type=int, default=500)
    ap.add_argument("--years", type=int, default=20)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--bin", default=os.path.join(ROOT, ".build", "release", "hindsight"))
    a = ap.parse_args()
    work = tempfile.mkdtemp(prefix="hindsight-load-")
    start, end = 1998, 1998 + a.years - 1
    prices, tickers = sweepfiles.synthetic_export(run, a.bin, work, "synthetic", a.assets, start, end)
    sweep = os.path.join(work, "load.yaml")
    body = sweepfiles.momentum("load", f"{{csv: {prices}}}", f"{{tickers: [{', '.join(tickers)}]}}",
                               f"{start}-01-02", f"{end}-12-31", extra="  calendar: data\n")
    # One point: the load is what is timed.
    for key, values in (("lookback", sweepfiles.LOOKBACKS), ("top_n", sweepfiles.TOP_NS),
                        ("rebalance_every", sweepfiles.REBALANCES)):
        body = body.replace(f"strategy.params.{key}: {values}", f"strategy.params.{key}: [{values[0]}]")
    with open(sweep, "w") as fh:
        fh.write(body)
    script = os.path.join(work, "pandas_load.py")
    with open(script, "w") as fh:
        fh.write(PANDAS)
    size = os.path.getsize(prices)
    rows = sum(1 for _ in open(prices)) - 1
    hs, narrow, full = [], [], []
    for _ in range(a.runs):
        out = json.loads(run([a.bin, "sweep", "time", sweep, "--repeat", "1", "--json"]))
        hs.append(out["load_s"])
        checksum = out["checksum"]
        narrow.append(json.loads(run([sys.executable, script, prices, "narrow"])))
        full.append(json.loads(run([sys.executable, script, prices, "full"])))
    # Agreement: every exported close is in pandas' panel (its sum over the panel equals the file's).
    file_sum = 0.0
    with open(prices) as fh:
        next(fh)
        for line in fh:
            file_sum += float(line.split(",")[5])
    ok = all(abs(r["close_sum"] - file_sum) <= 1e-9 * abs(file_sum) for r in narrow + full)
    mm = lambda xs: (min(xs), statistics.median(xs))
    h, n, f = mm(hs), mm([r["seconds"] for r in narrow]), mm([r["seconds"] for r in full])
    print(f"file: {a.assets} assets x {a.years} years, {rows:,} rows, {size / 1e6:.0f} MB; pandas {narrow[0]['pandas']}, "
          f"{a.runs} alternating runs, each in a fresh process")
    print(f"Hindsight CSV -> panel (load_s):         min {h[0]:.3f} s, median {h[1]:.3f} s")
    print(f"pandas read_csv(3 columns) + pivot:      min {n[0]:.3f} s, median {n[1]:.3f} s  -> {n[0] / h[0]:.2f}x (min), {n[1] / h[1]:.2f}x (median)")
    print(f"pandas read_csv(all) + 5 pivots:         min {f[0]:.3f} s, median {f[1]:.3f} s  -> {f[0] / h[0]:.2f}x (min), {f[1] / h[1]:.2f}x (median)")
    print(f"Hindsight run checksum: {checksum!r}")
    print(f"agreement: pandas' close panel sums to the file's closes: {'OK' if ok else 'DISAGREES'}")
    subprocess.run(["rm", "-rf", work])
    if not ok:
        sys.exit("pandas' panel does not hold every close")


if __name__ == "__main__":
    main()
