#!/usr/bin/env python3
"""Side by side: Hindsight's matrix metrics against empyrical-reloaded/quantstats-style pandas on the same matrix.

Usage: Benchmarks/peers/analytics_vs_empyrical.py [--rows 2520] [--columns 10000] [--runs 3]
Writes the matrix as raw float64, times `hindsight analytics matrix` (compute time it reports) and the Python
reference on the same array in one run, checks a few metrics agree at 1e-9, and prints the ratios.
"""
import argparse, json, os, statistics, subprocess, sys, tempfile, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from peerenv import ROOT, ensure_venv  # noqa: E402

ensure_venv(__file__, ["empyrical-reloaded", "quantstats", "statsmodels"])

import warnings  # noqa: E402
warnings.filterwarnings("ignore")
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import empyrical as ep  # noqa: E402

ap = argparse.ArgumentParser()
ap.add_argument("--rows", type=int, default=2520)
ap.add_argument("--columns", type=int, default=10000)
ap.add_argument("--runs", type=int, default=3)
ap.add_argument("--json", action="store_true", help="also print one JSON line with the timings")
ap.add_argument("--bin", default=os.path.join(ROOT, ".build", "release", "hindsight"))
a = ap.parse_args()

rng = np.random.default_rng(7)
m = (rng.standard_t(5, size=(a.rows, a.columns)) * 0.01 + 0.0003)  # rows × columns
path = os.path.join(tempfile.gettempdir(), f"hindsight-matrix-{a.rows}x{a.columns}.f64")
np.asfortranarray(m).T.astype("<f8").tofile(path)  # column-major: each column contiguous


def empyrical_all(x):
    out = {}
    out["total_return"] = ep.cum_returns_final(x)
    out["cagr"] = ep.annual_return(x)
    out["annual_volatility"] = ep.annual_volatility(x)
    out["sharpe_ratio"] = ep.sharpe_ratio(x)
    out["sortino_ratio"] = ep.sortino_ratio(x)
    out["max_drawdown"] = ep.max_drawdown(x)
    cols = range(x.shape[1])
    out["calmar_ratio"] = np.array([ep.calmar_ratio(x[:, j]) for j in cols])
    out["omega_ratio"] = np.array([ep.omega_ratio(x[:, j]) for j in cols])
    out["stability_of_timeseries"] = np.array([ep.stability_of_timeseries(x[:, j]) for j in cols])
    out["tail_ratio"] = np.array([ep.tail_ratio(x[:, j]) for j in cols])
    out["value_at_risk"] = np.array([ep.value_at_risk(x[:, j]) for j in cols])
    out["conditional_value_at_risk"] = np.array([ep.conditional_value_at_risk(x[:, j]) for j in cols])
    df = pd.DataFrame(x)
    out["skew"] = df.skew().to_numpy()
    out["kurtosis"] = df.kurtosis().to_numpy()
    out["best_day"] = x.max(axis=0)
    out["worst_day"] = x.min(axis=0)
    out["win_rate"] = (x > 0).sum(axis=0) / (x != 0).sum(axis=0)
    out["profit_factor"] = np.where(x >= 0, x, 0).sum(axis=0) / np.abs(np.where(x < 0, x, 0).sum(axis=0))
    return out


py_times = []
for _ in range(a.runs):
    t0 = time.perf_counter()
    ref = empyrical_all(m)
    py_times.append(time.perf_counter() - t0)

hs_times, hs = [], None
for _ in range(a.runs):
    p = subprocess.run([a.bin, "analytics", "matrix", "--f64", path, "--rows", str(a.rows), "--blocks", "0", "--json"],
                       check=True, capture_output=True, text=True)
    hs = json.loads(p.stdout)
    hs_times.append(hs["timing_seconds"]["metrics"])

worst = 0.0
for k, v in ref.items():
    ours = np.array([np.nan if z is None else z for z in hs["metrics"][k]], dtype=float)
    v = np.asarray(v, dtype=float)
    ok = np.isfinite(v) & np.isfinite(ours)
    rel = np.max(np.abs(ours[ok] - v[ok]) / np.maximum(np.abs(v[ok]), 1e-300)) if ok.any() else 0.0
    worst = max(worst, rel)
    if rel > 1e-9:
        print(f"MISMATCH {k}: max relative difference {rel:.3g}")
print(f"agreement: {len(ref)} metrics, worst relative difference {worst:.2e}")
print(f"matrix {a.rows} x {a.columns}, {len(ref)} metrics ({a.runs} runs each)")
print(f"  empyrical/pandas: min {min(py_times):.3f} s, median {sorted(py_times)[len(py_times)//2]:.3f} s")
print(f"  hindsight:        min {min(hs_times):.3f} s, median {sorted(hs_times)[len(hs_times)//2]:.3f} s  (22 metrics incl. PSR, DSR, ulcer, drawdown duration)")
print(f"  ratio (min/min):  {min(py_times)/min(hs_times):.1f}x")
if a.json:
    print(json.dumps(dict(metrics=len(ref), worst_relative_difference=worst, rows=a.rows, columns=a.columns,
                          hindsight_min_s=min(hs_times), hindsight_median_s=statistics.median(hs_times),
                          peer_min_s=min(py_times), peer_median_s=statistics.median(py_times))))
os.remove(path)
