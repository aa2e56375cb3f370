#!/usr/bin/env python3
"""Reference optimal block lengths for Hindsight's bootstrap, from `arch` (PyPI).

Creates .venv-fixtures (if missing) with arch, then writes Tests/AnalyticsTests/Fixtures/arch-optimal-block.csv:
one row per series (`series,value` rows follow in arch-block-inputs.csv, so the test reads exactly the values
arch saw): arch.bootstrap.optimal_block_length's stationary and circular lengths, for
 - goog: daily close-to-close returns of ../shared/data/goog-2004-2013.csv,
 - sp500-abs: absolute daily returns of ../shared/data/sp500-index-1999-2018.csv (adj close; strong clustering),
 - ff3-mkt: Fama-French daily market excess returns 2000-2020 (percent / 100),
 - ar1: 1,500 draws of an AR(1) with phi = 0.6 (numpy default_rng(3)).
"""
import os, subprocess, sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VENV = os.path.join(ROOT, ".venv-fixtures")
OUT = os.path.join(ROOT, "Tests", "AnalyticsTests", "Fixtures")
SHARED = os.path.join(os.path.dirname(ROOT), "shared", "data")

if sys.prefix != VENV:
    if not os.path.exists(VENV):
        subprocess.check_call([sys.executable, "-m", "venv", VENV])
    py = os.path.join(VENV, "bin", "python")
    subprocess.check_call([py, "-m", "pip", "install", "-q", "arch==8.0.0"])
    os.execv(py, [py, os.path.abspath(__file__)])

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from arch.bootstrap import optimal_block_length  # noqa: E402


def main():
    series = {}
    g = pd.read_csv(os.path.join(SHARED, "goog-2004-2013.csv"))
    series["goog"] = g["Close"].pct_change().dropna().values
    s = pd.read_csv(os.path.join(SHARED, "sp500-index-1999-2018.csv"))
    series["sp500-abs"] = np.abs(s["adj_close"].pct_change().dropna().values)
    f = pd.read_csv(os.path.join(SHARED, "ff3-daily-percent.csv"))
    f = f[(f.date >= "2000-01-01") & (f.date <= "2020-12-31")]
    series["ff3-mkt"] = f["mkt_rf"].values / 100
    rng = np.random.default_rng(3)
    e = rng.standard_normal(1500)
    x = np.zeros(1500)
    for t in range(1, 1500):
        x[t] = 0.6 * x[t - 1] + e[t]
    series["ar1"] = x
    rows, inputs = [], []
    for name, v in series.items():
        b = optimal_block_length(v)
        rows.append((name, len(v), float(b["stationary"].iloc[0]), float(b["circular"].iloc[0])))
        inputs += [(name, repr(float(y))) for y in v]
    pd.DataFrame(rows, columns=["series", "n", "stationary", "circular"]).to_csv(
        os.path.join(OUT, "arch-optimal-block.csv"), float_format="%.17g", index=False)
    with open(os.path.join(OUT, "arch-block-inputs.csv"), "w") as fh:
        fh.write("series,value\n")
        for name, y in inputs:
            fh.write(f"{name},{y}\n")


if __name__ == "__main__":
    main()
