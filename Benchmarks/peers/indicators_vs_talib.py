#!/usr/bin/env python3
"""Indicator kernels side by side: ta-lib (C, through its Python package) and Hindsight's Swift kernels.

Times TA-Lib's SMA(20), EMA(20) and RSI(14) on a 1,000,000-bar random walk (the shape the package benchmark
`Signals: ...` uses), --runs times each, and prints bars per second. Then runs the Hindsight package benchmark for
the same three (`swift package benchmark --filter Signals`, from Benchmarks/) unless --no-swift, and prints the
ratio of the medians. Creates .venv-fixtures with ta-lib if needed.
"""
import argparse, json, os, re, statistics, subprocess, sys, time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from peerenv import ROOT, ensure_venv  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--no-swift", action="store_true")
    a = ap.parse_args()
    import numpy as np, talib
    rng = np.random.default_rng(5)
    close = 100 * np.cumprod(1 + 0.01 * (rng.random(1_000_000) - 0.5))
    cases = {"sma(close, 20)": lambda: talib.SMA(close, 20), "ema(close, 20)": lambda: talib.EMA(close, 20),
             "rsi(close, 14)": lambda: talib.RSI(close, 14)}
    talib_ns = {}
    for name, f in cases.items():
        f()
        ts = []
        for _ in range(a.runs):
            t = time.perf_counter_ns(); f(); ts.append(time.perf_counter_ns() - t)
        talib_ns[name] = statistics.median(ts)
        print(f"ta-lib {name}: median {talib_ns[name] / 1e6:.2f} ms, {1e6 / (talib_ns[name] / 1e9) / 1e6:.0f} M bars/s")
    if a.no_swift:
        return
    p = subprocess.run(["swift", "package", "--disable-sandbox", "benchmark", "--filter", "Signals", "--format", "jmh",
                        "--no-progress"], cwd=os.path.join(ROOT, "Benchmarks"), capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit(p.stdout[-2000:] + p.stderr[-2000:])
    out = json.load(open(os.path.join(ROOT, "Benchmarks", "Current_run.jmh.json")))
    for r in out:
        m = re.search(r"Signals: (.*), 1,000,000 bars", r["benchmark"])
        if not m or "Wall" not in r["benchmark"]:
            continue
        name = m.group(1)
        ns = r["primaryMetric"]["score"]  # median wall clock, in the benchmark's unit (ns)
        print(f"Hindsight {name}: median {ns / 1e6:.2f} ms, {1e6 / (ns / 1e9) / 1e6:.0f} M bars/s, "
              f"{talib_ns[name] / ns:.2f}x ta-lib")


if __name__ == "__main__":
    ensure_venv(__file__, ["ta-lib==0.8.2", "numpy"])
    main()
