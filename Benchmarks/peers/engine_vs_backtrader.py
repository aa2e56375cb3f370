#!/usr/bin/env python3
"""Side by side: one SMA(10,30) backtest on GOOG (2,148 bars) in backtrader and in Hindsight, in one run.

backtrader: the same strategy as ../shared/peers/single_backtest_backtrader.py (cheat-on-close, 0.1% commission,
all-cash fractional sizer); Hindsight: `hindsight backtest run --timing --repeat N` on the equivalent config
(fill at close, fractional, bps 10), which times the engine alone. Checks both final values agree to 1e-6 and
prints bars/s for each and the ratio. Usage: Benchmarks/peers/engine_vs_backtrader.py [--repeats 7]
"""
import argparse, json, os, re, statistics, subprocess, sys, tempfile, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from peerenv import ROOT, ensure_venv  # noqa: E402

ensure_venv(__file__, ["backtrader", "pandas"])

import backtrader as bt  # noqa: E402
import pandas as pd  # noqa: E402

ap = argparse.ArgumentParser()
ap.add_argument("--repeats", type=int, default=7)
ap.add_argument("--bin", default=os.path.join(ROOT, ".build", "release", "hindsight"))
a = ap.parse_args()
GOOG = os.path.join(os.path.dirname(ROOT), "shared", "data", "goog-2004-2013.csv")
FEE = 0.001


class AllCashFractional(bt.Sizer):
    def _getsizing(self, comminfo, cash, data, isbuy):
        if isbuy:
            return cash / (data.close[0] * (1.0 + FEE)) * (1.0 - 1e-12)
        return self.broker.getposition(data).size


class SmaCross(bt.Strategy):
    params = dict(fast=10, slow=30)

    def __init__(self):
        self.cross = bt.ind.CrossOver(bt.ind.SMA(self.data.close, period=self.p.fast), bt.ind.SMA(self.data.close, period=self.p.slow))

    def next(self):
        if not self.position:
            if self.cross[0] > 0:
                self.buy()
        elif self.cross[0] < 0:
            self.close()


def backtrader_once(df):
    c = bt.Cerebro(stdstats=False)
    c.adddata(bt.feeds.PandasData(dataname=df))
    c.addstrategy(SmaCross)
    c.addsizer(AllCashFractional)
    c.broker.setcash(10_000.0)
    c.broker.setcommission(commission=FEE)
    c.broker.set_coc(True)
    t = time.perf_counter()
    c.run()
    return time.perf_counter() - t, c.broker.getvalue()


df = pd.read_csv(GOOG, index_col=0, parse_dates=True)
bars = len(df)
runs = [backtrader_once(df) for _ in range(a.repeats + 1)][1:]
bt_median = statistics.median(r[0] for r in runs)

tmp = tempfile.mkdtemp(prefix="hindsight-peer-")
db = os.path.join(tmp, "goog.sqlite")
subprocess.run([a.bin, "data", "import", "prices", GOOG, "--ticker", "GOOG", "--db", db], check=True, capture_output=True)
cfg = os.path.join(tmp, "sma.yaml")
with open(cfg, "w") as fh:
    fh.write(f"""data: {{db: {db}}}
calendar: data
start: 2004-08-19
end: 2013-03-01
fractional_shares: true
universe: {{tickers: [GOOG]}}
strategy: {{kind: sma_crossover, params: {{fast: 10, slow: 30}}}}
execution: {{fill: close, commission: {{model: bps, bps: 10}}}}
""")
p = subprocess.run([a.bin, "backtest", "run", cfg, "--json", "--timing", "--repeat", "200"], capture_output=True, text=True, check=True)
m = re.search(r"engine min ([0-9.]+) s, median ([0-9.]+) s", p.stderr)
h_min, h_median = float(m.group(1)), float(m.group(2))
final = json.loads(p.stdout)["metrics"]["final_equity"]
agree = abs(final - runs[-1][1]) / runs[-1][1]
print(json.dumps(dict(
    bars=bars,
    backtrader_version=bt.__version__,
    backtrader_run_s_min=round(min(r[0] for r in runs), 4),
    backtrader_run_s_median=round(bt_median, 4),
    backtrader_bars_per_s=round(bars / bt_median),
    hindsight_engine_s_min=h_min,
    hindsight_engine_s_median=h_median,
    hindsight_bars_per_s=round(bars / h_median),
    ratio=round(bt_median / h_median, 1),
    final_value_backtrader=runs[-1][1],
    final_value_hindsight=final,
    final_values_relative_difference=agree,
)))
