#!/usr/bin/env python3
"""Reference daily equity curves for Hindsight's engine, from independent implementations.

Creates .venv-fixtures (if missing) with vectorbt 1.2.0 and backtesting 0.6.6, then writes
Tests/EngineTests/Fixtures/:
 - vectorbt-sma-goog.csv: SMA crossovers on ../shared/data/goog-2004-2013.csv with
   vbt.Portfolio.from_signals(close, entries, exits, init_cash=10000, fees=0.001): fill at close, fractional.
 - backtestingpy-sma-goog.csv: the same crossovers in backtesting.py (trade_on_close=False: fill at the next
   open; whole shares; commission=0.001 on entry and exit; `buy()` when flat, `position.close()` on the
   opposite cross).
 - momentum-us-equities.csv: monthly top-10 momentum (252/21) on the stocks of ../shared/data/us-equities (the
   profiles' ETFs left out, as `universe: {all: true}` does) with zero costs,
   written in plain NumPy from the README's rebalance arithmetic (independent of the Swift code).
 - vectorbt-momentum-rotation-us.csv: the `momentum_rotation` grid (lookback × top_n × rebalance_every) on the
   118 stocks of ../shared/data/us-equities with vectorbt from_orders (targetpercent, cash sharing,
   call_seq='auto', fees 0.1%): total return, Sharpe (√252, per-bar returns from the initial cash) and orders.
"""
import os, subprocess, sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VENV = os.path.join(ROOT, ".venv-fixtures")
OUT = os.path.join(ROOT, "Tests", "EngineTests", "Fixtures")
SHARED = os.path.join(os.path.dirname(ROOT), "shared", "data")

if sys.prefix != VENV:
    if not os.path.exists(VENV):
        subprocess.check_call([sys.executable, "-m", "venv", VENV])
    py = os.path.join(VENV, "bin", "python")
    subprocess.check_call([py, "-m", "pip", "install", "-q", "vectorbt==1.2.0", "backtesting==0.6.6"])
    os.execv(py, [py, os.path.abspath(__file__)])

import warnings  # noqa: E402
warnings.filterwarnings("ignore")
os.environ.setdefault("TQDM_DISABLE", "1")
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

PAIRS = [(10, 30), (20, 50), (5, 100), (50, 200)]


def goog():
    df = pd.read_csv(os.path.join(SHARED, "goog-2004-2013.csv"), index_col=0, parse_dates=True)
    df.index.name = "Date"
    return df


def vectorbt_curves(df):
    import vectorbt as vbt
    close = df["Close"]
    cols = {}
    for f, s in PAIRS:
        fast = vbt.MA.run(close, window=f)
        slow = vbt.MA.run(close, window=s)
        pf = vbt.Portfolio.from_signals(close, fast.ma_crossed_above(slow), fast.ma_crossed_below(slow),
                                        init_cash=10_000.0, fees=0.001, slippage=0.0, freq="1D")
        cols[f"sma_{f}_{s}"] = pf.value().values
    return pd.DataFrame(cols, index=df.index)


def backtesting_curves(df):
    from backtesting import Backtest, Strategy
    from backtesting.lib import crossover

    def SMA(values, n):
        return pd.Series(values).rolling(n).mean()

    class SmaCross(Strategy):
        n1 = 10
        n2 = 30

        def init(self):
            self.sma1 = self.I(SMA, self.data.Close, self.n1)
            self.sma2 = self.I(SMA, self.data.Close, self.n2)

        def next(self):
            if crossover(self.sma1, self.sma2):
                if not self.position:
                    self.buy()
            elif crossover(self.sma2, self.sma1):
                self.position.close()

    cols = {}
    for f, s in PAIRS:
        bt = Backtest(df, SmaCross, cash=10_000, commission=0.001, trade_on_close=False, exclusive_orders=False)
        st = bt.run(n1=f, n2=s)
        cols[f"sma_{f}_{s}"] = st._equity_curve["Equity"].values
    return pd.DataFrame(cols, index=df.index)


def momentum_curve():
    p = pd.read_csv(os.path.join(SHARED, "us-equities", "prices.csv.gz"))
    # `universe: {all: true}` leaves out what the profiles call an ETF or index (the engine never trades them
    # through a universe rule).
    prof = pd.read_csv(os.path.join(SHARED, "us-equities", "profiles.csv"))
    p = p[p.ticker.isin(prof[~prof.kind.isin(["etf", "index"])].ticker)]
    close = p.pivot(index="date", columns="ticker", values="close").sort_index()
    close = close[sorted(close.columns)]
    dates = list(close.index)
    px = close.values
    T, N = px.shape
    L, S, K = 252, 21, 10
    start = dates.index(next(d for d in dates if d >= "2006-03-01"))
    cash, shares = 1_000_000.0, np.zeros(N)
    last = np.full(N, np.nan)
    equity = []
    for t in range(T):
        ok = np.isfinite(px[t])
        last[ok] = px[t][ok]
        if t < start:
            continue
        held = shares != 0
        e = cash + float(np.sum(shares[held] * last[held]))
        rebalance = t == start or dates[t][:7] != dates[t - 1][:7]
        if rebalance:
            mom = np.full(N, np.nan)
            valid = ok & np.isfinite(px[t - S]) & np.isfinite(px[t - L])
            mom[valid] = px[t - S][valid] / px[t - L][valid] - 1
            idx = np.flatnonzero(np.isfinite(mom))
            top = idx[np.argsort(-mom[idx], kind="stable")[:K]]
            w = np.zeros(N)
            w[top] = 1.0 / K
            target = np.where(ok, w * e / np.where(ok, px[t], 1.0), shares)
            delta = target - shares
            for side in (-1, 1):  # sells before buys
                for a in range(N):
                    if ok[a] and delta[a] * side > 0 and not (w[a] == 0 and shares[a] == 0):
                        q = -shares[a] if w[a] == 0 else delta[a]
                        cash -= q * px[t][a]
                        shares[a] += q
        held = shares != 0
        equity.append((dates[t], cash + float(np.sum(shares[held] * last[held]))))
    return pd.DataFrame(equity, columns=["date", "equity"])


def momentum_rotation_grid():
    import vectorbt as vbt
    df = pd.read_csv(os.path.join(SHARED, "us-equities", "prices.csv.gz"))
    prof = pd.read_csv(os.path.join(SHARED, "us-equities", "profiles.csv"))
    stocks = sorted(prof[prof.kind == "stock"].ticker)
    close = df[df.ticker.isin(stocks)].pivot(index="date", columns="ticker", values="close").sort_index()
    close.index = pd.DatetimeIndex(close.index)
    px = close.values
    rows = []
    for lb in (21, 63, 126, 252):
        for k in (10, 25, 50, 100):
            for reb in (5, 21):
                T, N = px.shape
                past = np.full_like(px, np.nan)
                past[lb:] = px[:-lb]
                with np.errstate(invalid="ignore", divide="ignore"):
                    mom = px / past - 1.0
                w = np.full((T, N), np.nan)
                for t in range(lb, T, 1):
                    if t % reb:
                        continue
                    idx = np.flatnonzero(np.isfinite(mom[t]))
                    top = idx[np.argsort(-mom[t][idx], kind="stable")[:k]]
                    row = np.zeros(N)
                    row[top] = 1.0 / k
                    row[~np.isfinite(px[t])] = np.nan
                    w[t] = row
                pf = vbt.Portfolio.from_orders(close, w, size_type="targetpercent", group_by=True, cash_sharing=True,
                                               call_seq="auto", fees=0.001, init_cash=1e6, freq="1D")
                rows.append((lb, k, reb, float(pf.total_return()), float(pf.sharpe_ratio()) * np.sqrt(252 / 365),
                             int(pf.orders.count())))
    return pd.DataFrame(rows, columns=["lookback", "top_n", "rebalance_every", "total_return", "sharpe_252", "orders"])


def main():
    os.makedirs(OUT, exist_ok=True)
    df = goog()
    v = vectorbt_curves(df)
    v.index = v.index.strftime("%Y-%m-%d")
    v.to_csv(os.path.join(OUT, "vectorbt-sma-goog.csv"), float_format="%.17g", index_label="date")
    b = backtesting_curves(df)
    b.index = b.index.strftime("%Y-%m-%d")
    b.to_csv(os.path.join(OUT, "backtestingpy-sma-goog.csv"), float_format="%.17g", index_label="date")
    m = momentum_curve()
    m.to_csv(os.path.join(OUT, "momentum-us-equities.csv"), float_format="%.17g", index=False)
    momentum_rotation_grid().to_csv(os.path.join(OUT, "vectorbt-momentum-rotation-us.csv"), float_format="%.17g", index=False)
    print("wrote", OUT)


if __name__ == "__main__":
    main()
