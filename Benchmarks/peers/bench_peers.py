#!/usr/bin/env python3
"""`make bench-peers`: Hindsight side by side with vectorbt, backtrader and empyrical on identical workloads.

Creates .venv-fixtures with the peers, builds nothing (run `make build` first; the Makefile does), then for each
workload checks that the results agree before timing, runs each side --runs times one after the other, prints a
table of ratios and writes Benchmarks/RESULTS.md (machine, versions, commands, min/median, ratios).

Workloads (see Benchmarks/RESULTS.md for the exact semantics):
  sma        SMA crossover grid on GOOG, fast 2..100 × slow 2..200, fast < slow (14,751), fees 0.1%, fill at close
  momentum   momentum_rotation on the 118 stocks of ../shared/data/us-equities: lookback {21,63,126,252} ×
             top-n {10,25,50,100} × rebalance {5,21}, target-percent, fees 0.1% (vectorbt from_orders)
  synthetic  the same momentum sweep on a 2,000-asset × 20-year synthetic market exported to CSV
  single     one SMA(10,30) backtest on GOOG against backtrader
  analytics  22 metrics for 10,000 return series against empyrical

End to end means process start to stored results: Hindsight imports the CSV into SQLite, runs the sweep, stores
every point and writes the Markdown report; the vectorbt process reads the same CSV, simulates, computes total
return and Sharpe and writes them to CSV. Simulation alone: `hindsight sweep time` (no metrics, nothing stored)
against the time vectorbt spends in Portfolio.from_signals / from_orders.

Usage: Benchmarks/peers/bench_peers.py [--runs 5] [--only sma,momentum,synthetic,single,analytics]
       [--synthetic-assets 2000] [--synthetic-years 20] [--results Benchmarks/RESULTS.md]
"""
import argparse, csv, json, os, platform, re, shutil, sqlite3, statistics, subprocess, sys, tempfile, time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from peerenv import ROOT, ensure_venv  # noqa: E402
import sweepfiles  # noqa: E402
from sweepfiles import LOOKBACKS, TOP_NS, REBALANCES  # noqa: E402

PEERS = ["vectorbt==1.2.0", "backtesting==0.6.6", "backtrader", "empyrical-reloaded", "quantstats", "statsmodels", "ta-lib==0.8.2"]
SHARED = os.path.join(os.path.dirname(ROOT), "shared")
GOOG = os.path.join(SHARED, "data", "goog-2004-2013.csv")
US = os.path.join(SHARED, "data", "us-equities", "prices.csv.gz")
PROFILES = os.path.join(SHARED, "data", "us-equities", "profiles.csv")
EXACT = os.path.join(SHARED, "peers", "sma_grid_exact.csv")
os.environ.setdefault("NUMBA_CACHE_DIR", os.path.join(HERE, ".numba_cache"))
os.environ.setdefault("TQDM_DISABLE", "1")



# ---------------------------------------------------------------------------------------------------------------
# Peer workers: each runs in its own process so its wall time is "process start to stored results".

def worker_vbt_sma(out_csv):
    t0 = time.perf_counter()
    import warnings
    warnings.filterwarnings("ignore")
    import numpy as np, pandas as pd, vectorbt as vbt
    t_import = time.perf_counter()
    close = pd.read_csv(GOOG, index_col=0, parse_dates=True)["Close"]
    fast, slow = zip(*[(f, s) for f in range(2, 101) for s in range(f + 1, 201)])
    # Load the compiled functions (numba cache) on a tiny grid first, so "simulation" is simulation only.
    tiny = vbt.MA.run(close[:100], window=[2, 3], short_name="fast"), vbt.MA.run(close[:100], window=[5, 6], short_name="slow")
    pf = vbt.Portfolio.from_signals(close[:100], tiny[0].ma_crossed_above(tiny[1]), tiny[0].ma_crossed_below(tiny[1]), init_cash=10_000.0, fees=0.001, freq="1D")
    pf.total_return(), pf.sharpe_ratio()
    a = time.perf_counter()
    fma = vbt.MA.run(close, window=list(fast), short_name="fast")
    sma = vbt.MA.run(close, window=list(slow), short_name="slow")
    entries, exits = fma.ma_crossed_above(sma), fma.ma_crossed_below(sma)
    b = time.perf_counter()
    pf = vbt.Portfolio.from_signals(close, entries, exits, init_cash=10_000.0, fees=0.001, slippage=0.0, freq="1D")
    c = time.perf_counter()
    tr, sh = pf.total_return().values, pf.sharpe_ratio().values * np.sqrt(252 / 365)
    d = time.perf_counter()
    pd.DataFrame({"fast": fast, "slow": slow, "total_return": tr, "sharpe_252": sh}).to_csv(out_csv, index=False, float_format="%.17g")
    print(json.dumps(dict(import_s=t_import - t0, indicators_s=b - a, simulation_s=c - b, metrics_s=d - c,
                          bar_evaluations=len(fast) * len(close))))


def momentum_weights(np, px, lb, top_n, reb):
    T, N = px.shape
    past = np.full_like(px, np.nan)
    past[lb:] = px[:-lb]
    with np.errstate(invalid="ignore", divide="ignore"):
        mom = px / past - 1.0
    w = np.full((T, N), np.nan)
    for t in range(lb, T):
        if t % reb:
            continue
        r = mom[t]
        idx = np.flatnonzero(np.isfinite(r))
        top = idx[np.argsort(-r[idx], kind="stable")[:top_n]]
        row = np.zeros(N)
        row[top] = 1.0 / top_n
        row[~np.isfinite(px[t])] = np.nan
        w[t] = row
    return w


def worker_vbt_momentum(prices_csv, tickers_file, out_csv):
    t0 = time.perf_counter()
    import warnings
    warnings.filterwarnings("ignore")
    import numpy as np, pandas as pd, vectorbt as vbt
    t_import = time.perf_counter()
    tickers = open(tickers_file).read().split()
    df = pd.read_csv(prices_csv, usecols=["date", "ticker", "close"])
    df = df[df.ticker.isin(set(tickers))]
    close = df.pivot(index="date", columns="ticker", values="close").sort_index()
    close.index = pd.DatetimeIndex(close.index)
    px = close.values
    t_load = time.perf_counter()
    w = momentum_weights(np, px[:60, :5], 5, 2, 5)
    pf = vbt.Portfolio.from_orders(close.iloc[:60, :5], w, size_type="targetpercent", group_by=True, cash_sharing=True,
                                   call_seq="auto", fees=0.001, init_cash=1e6, freq="1D")
    pf.total_return(), pf.sharpe_ratio()  # loads the compiled functions (numba cache) before timing
    rows, sim, weights, metrics = [], 0.0, 0.0, 0.0
    for lb in LOOKBACKS:
        for k in TOP_NS:
            for reb in REBALANCES:
                a = time.perf_counter()
                w = momentum_weights(np, px, lb, k, reb)
                b = time.perf_counter()
                pf = vbt.Portfolio.from_orders(close, w, size_type="targetpercent", group_by=True, cash_sharing=True,
                                               call_seq="auto", fees=0.001, init_cash=1e6, freq="1D")
                c = time.perf_counter()
                rows.append((lb, k, reb, float(pf.total_return()), float(pf.sharpe_ratio()) * np.sqrt(252 / 365)))
                d = time.perf_counter()
                weights += b - a; sim += c - b; metrics += d - c
    pd.DataFrame(rows, columns=["lookback", "top_n", "rebalance_every", "total_return", "sharpe_252"]).to_csv(
        out_csv, index=False, float_format="%.17g")
    print(json.dumps(dict(import_s=t_import - t0, load_s=t_load - t_import, weights_s=weights, simulation_s=sim,
                          metrics_s=metrics, bar_evaluations=len(rows) * px.shape[0] * px.shape[1],
                          days=px.shape[0], assets=px.shape[1])))


# ---------------------------------------------------------------------------------------------------------------
# Harness helpers.

def worker_vbt_signals(family, out_csv):
    """One signal grid on the 20 stocks: TA-Lib indicators, vectorbt from_signals (each stock its own column with
    an equal share of 100,000, no cash sharing), per-point final value summed over the stocks."""
    t0 = time.perf_counter()
    import itertools, warnings
    warnings.filterwarnings("ignore")
    import numpy as np, pandas as pd, talib, vectorbt as vbt
    from sweepfiles import SIGNAL_GRIDS, SIGNAL_TICKERS
    t_import = time.perf_counter()
    df = pd.read_csv(US, usecols=["date", "ticker", "close"])
    close = df[df.ticker.isin(SIGNAL_TICKERS)].pivot(index="date", columns="ticker", values="close")[SIGNAL_TICKERS]
    close.index = pd.to_datetime(close.index)
    keys, _, _, grid = SIGNAL_GRIDS[family]
    points = list(itertools.product(*[grid[k] for k in keys]))
    tiny = close.iloc[:60, :2]
    vbt.Portfolio.from_signals(tiny, tiny > tiny.shift(1), tiny < tiny.shift(1), init_cash=1.0, fees=0.001, freq="1D").value()
    a = time.perf_counter()
    px = {t: close[t].values for t in SIGNAL_TICKERS}
    memo = {}
    def ind(kind, t, *args):
        k = (kind, t) + args
        if k not in memo:
            if kind == "rsi": memo[k] = talib.RSI(px[t], args[0])
            elif kind == "bb": memo[k] = talib.BBANDS(px[t], args[0], args[1], args[1])
            else: memo[k] = talib.SMA(px[t], args[0])
        return memo[k]
    ent, ex = {}, {}
    for p in points:
        for t in SIGNAL_TICKERS:
            c = px[t]
            if family == "rsi":
                r = ind("rsi", t, p[0]); e, x = r < p[1], r > p[2]
            elif family == "bbands":
                up, mid, lo = ind("bb", t, p[0], p[1]); e, x = c < lo, c > mid
            else:
                f, s_ = ind("sma", t, p[0]), ind("sma", t, p[1])
                pf_, ps_ = np.roll(f, 1), np.roll(s_, 1)
                e = (f > s_) & (pf_ <= ps_); x = (f < s_) & (pf_ >= ps_); e[0] = x[0] = False
            ent[(p, t)], ex[(p, t)] = e, x
    cols = pd.MultiIndex.from_tuples(list(ent.keys()))
    entries = pd.DataFrame(np.column_stack(list(ent.values())), index=close.index, columns=cols)
    exits = pd.DataFrame(np.column_stack(list(ex.values())), index=close.index, columns=cols)
    wide = pd.DataFrame(np.column_stack([px[t] for _, t in ent.keys()]), index=close.index, columns=cols)
    b = time.perf_counter()
    pf = vbt.Portfolio.from_signals(wide, entries, exits, init_cash=100_000 / len(SIGNAL_TICKERS), fees=0.001, freq="1D")
    c = time.perf_counter()
    finals = pf.value().iloc[-1].values.reshape(len(points), len(SIGNAL_TICKERS)).sum(axis=1)
    d = time.perf_counter()
    with open(out_csv, "w") as fh:
        fh.write(",".join(keys) + ",final_value\n")
        for p, v in zip(points, finals):
            fh.write(",".join(str(x) for x in p) + f",{float(v)!r}\n")
    print(json.dumps(dict(import_s=t_import - t0, indicators_s=b - a, simulation_s=c - b, metrics_s=d - c)))


def worker_vbt_stops(out_csv):
    """The stop grid on the 20 stocks: TA-Lib SMA crossovers, vectorbt from_signals with open/high/low, sl_stop and
    tp_stop per column (each stock its own column with an equal share of 100,000), per-point final value."""
    t0 = time.perf_counter()
    import itertools, warnings
    warnings.filterwarnings("ignore")
    import numpy as np, pandas as pd, talib, vectorbt as vbt
    from sweepfiles import STOP_GRID, SIGNAL_TICKERS
    t_import = time.perf_counter()
    df = pd.read_csv(US, usecols=["date", "ticker", "open", "high", "low", "close"])
    df = df[df.ticker.isin(SIGNAL_TICKERS)]
    frames = {k: df.pivot(index="date", columns="ticker", values=k)[SIGNAL_TICKERS] for k in ("open", "high", "low", "close")}
    for f in frames.values():
        f.index = pd.to_datetime(f.index)
    close = frames["close"]
    keys = ["fast", "slow", "stop_loss", "take_profit"]
    points = list(itertools.product(*[STOP_GRID[k] for k in keys]))
    tiny = close.iloc[:60, :2]
    vbt.Portfolio.from_signals(tiny, tiny > tiny.shift(1), tiny < tiny.shift(1), open=tiny, high=tiny, low=tiny,
                               sl_stop=0.05, tp_stop=0.1, init_cash=1.0, fees=0.001, freq="1D").value()
    a = time.perf_counter()
    px = {k: {t: frames[k][t].values for t in SIGNAL_TICKERS} for k in frames}
    sma = {}
    def cross(x, y):
        out = (x > y) & (np.roll(x, 1) <= np.roll(y, 1)); out[0] = False
        return out
    ent, ex, sl, tp, cols = [], [], [], [], []
    for p in points:
        for t in SIGNAL_TICKERS:
            for n in (p[0], p[1]):
                if (t, n) not in sma: sma[(t, n)] = talib.SMA(px["close"][t], n)
            f, s_ = sma[(t, p[0])], sma[(t, p[1])]
            ent.append(cross(f, s_)); ex.append(cross(s_, f)); sl.append(p[2]); tp.append(p[3]); cols.append(p + (t,))
    idx = close.index
    mi = pd.MultiIndex.from_tuples(cols)
    wide = {k: pd.DataFrame(np.column_stack([px[k][c[-1]] for c in cols]), index=idx, columns=mi) for k in px}
    entries = pd.DataFrame(np.column_stack(ent), index=idx, columns=mi)
    exits = pd.DataFrame(np.column_stack(ex), index=idx, columns=mi)
    b = time.perf_counter()
    pf = vbt.Portfolio.from_signals(wide["close"], entries, exits, open=wide["open"], high=wide["high"], low=wide["low"],
                                    sl_stop=np.array(sl)[None, :], tp_stop=np.array(tp)[None, :],
                                    init_cash=100_000 / len(SIGNAL_TICKERS), fees=0.001, freq="1D")
    c = time.perf_counter()
    finals = pf.value().iloc[-1].values.reshape(len(points), len(SIGNAL_TICKERS)).sum(axis=1)
    d = time.perf_counter()
    with open(out_csv, "w") as fh:
        fh.write(",".join(keys) + ",final_value\n")
        for p, v in zip(points, finals):
            fh.write(",".join(str(x) for x in p) + f",{float(v)!r}\n")
    print(json.dumps(dict(import_s=t_import - t0, indicators_s=b - a, simulation_s=c - b, metrics_s=d - c)))


def run(cmd, **kw):
    p = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if p.returncode != 0:
        sys.exit(f"command failed ({p.returncode}): {' '.join(cmd)}\n{p.stdout[-2000:]}\n{p.stderr[-2000:]}")
    return p


def timed(cmd):
    t = time.perf_counter()
    p = run(cmd)
    return time.perf_counter() - t, p


def mm(xs):
    return min(xs), statistics.median(xs)


def peer_worker(name, *args):
    """Runs a worker in a fresh interpreter; returns (wall seconds, its JSON)."""
    t = time.perf_counter()
    p = run([sys.executable, os.path.abspath(__file__), "--worker", name, *args])
    return time.perf_counter() - t, json.loads(p.stdout.strip().splitlines()[-1])


def hindsight_points(db, keys):
    """Per point: params tuple → (total_return, sharpe_ratio) from the results database."""
    out = {}
    con = sqlite3.connect(db)
    for params, metrics in con.execute("SELECT p.params_json, r.metrics_json FROM sweep_points p JOIN backtest_runs r ON r.run_id = p.run_id"):
        p, m = json.loads(params), json.loads(metrics)
        out[tuple(p[k] for k in keys)] = (m["total_return"], m["sharpe_ratio"])
    con.close()
    return out


class Sweep:
    """One Hindsight sweep file in a scratch folder that reads its price CSV directly, timed end to end."""

    def __init__(self, bin, work, name, body):
        self.bin, self.work, self.name = bin, work, name
        self.db = os.path.join(work, name + ".sqlite")
        self.yaml = os.path.join(work, name + ".yaml")
        with open(self.yaml, "w") as fh:
            fh.write(body)

    def end_to_end(self):
        """Process start to stored results and report; returns (wall seconds, load seconds)."""
        for s in ("", "-wal", "-shm"):
            if os.path.exists(self.db + s):
                os.remove(self.db + s)
        shutil.rmtree(os.path.join(self.work, "reports"), ignore_errors=True)
        t = time.perf_counter()
        p = run([self.bin, "sweep", "run", self.yaml, "--db", self.db, "--report-dir", os.path.join(self.work, "reports"), "--quiet", "--timings"])
        total = time.perf_counter() - t
        if not os.path.exists(os.path.join(self.work, "reports", self.name, "README.md")):
            sys.exit(f"{self.name}: no report written")
        load = float(re.search(r"load ([0-9.]+) s", p.stdout).group(1))
        return total, load

    def simulate(self, jobs, runs):
        p = run([self.bin, "sweep", "time", self.yaml, "--jobs", str(jobs), "--repeat", str(runs), "--json"])
        return json.loads(p.stdout)


def momentum_yaml(name, prices, tickers, start, end):
    return sweepfiles.momentum(name, f"{{csv: {prices}}}", f"{{tickers: [{', '.join(tickers)}]}}", start, end, extra="  calendar: data\n")


# ---------------------------------------------------------------------------------------------------------------
# Workloads. Each returns a dict for the results table.

def report_progress(r):
    print(f"{r['name']}: {'OK' if r['ok'] else 'DISAGREES'}", flush=True)
    for label, (hmin, hmed), (pmin, pmed) in r["rows"]:
        print(f"  {label}: Hindsight {hmin:.4g}/{hmed:.4g} s, peer {pmin:.4g}/{pmed:.4g} s, ratio {pmin / hmin:.1f}x / {pmed / hmed:.1f}x", flush=True)


def workload_sma(a, work):
    body = sweepfiles.sma_goog("sma-goog-grid", f"{{csv: {GOOG}, ticker: GOOG}}", (2, 100), (2, 200), constraint=True)
    sweep = Sweep(a.bin, work, "sma-goog-grid", body)
    vb_csv = os.path.join(work, "vbt-sma.csv")
    peer_worker("vbt-sma", vb_csv)  # warms the numba cache; untimed
    h_e2e, v_e2e, v_sim = [], [], []
    for _ in range(a.runs):
        h_e2e.append(sweep.end_to_end()[0])
        wall, js = peer_worker("vbt-sma", vb_csv)
        v_e2e.append(wall); v_sim.append(js["simulation_s"])
    h1, h2 = sweep.simulate(1, a.runs), sweep.simulate(2, a.runs)
    # Agreement: Hindsight against the exact-crossing truth and against vectorbt.
    ours = hindsight_points(sweep.db, ["strategy.params.fast", "strategy.params.slow"])
    exact = {(int(r["fast"]), int(r["slow"])): (float(r["total_return"]), float(r["sharpe"])) for r in csv.DictReader(open(EXACT))}
    vb = {(int(r["fast"]), int(r["slow"])): (float(r["total_return"]), float(r["sharpe_252"])) for r in csv.DictReader(open(vb_csv))}
    vs_exact = [k for k in exact if abs(ours[k][0] - exact[k][0]) > 1e-9 * max(1, abs(exact[k][0]))]
    ties = sorted(k for k in vb if abs(vb[k][0] - exact[k][0]) > 1e-9 * max(1, abs(exact[k][0])))
    vs_vbt = sorted(k for k in vb if abs(ours[k][0] - vb[k][0]) > 1e-9)
    sharpe_bad = [k for k in vb if k not in ties and abs(ours[k][1] - vb[k][1]) > 1e-9]
    return dict(
        name="SMA grid on GOOG (14,751 points × 2,148 bars)", points=len(ours),
        agreement=(f"total return: {len(ours) - len(vs_exact)}/{len(exact)} points equal the exact-crossing reference at 1e-9; "
                   f"{len(vb) - len(vs_vbt)}/{len(vb)} equal vectorbt at 1e-9, the {len(vs_vbt)} others are exactly the "
                   f"{len(ties)} combos where vectorbt's float SMAs tie ({'same set' if vs_vbt == ties else 'DIFFERENT set'}); "
                   f"Sharpe (√252, per-bar returns from the initial cash, ddof 1) equal at 1e-9 on "
                   f"{len(vb) - len(ties) - len(sharpe_bad)}/{len(vb) - len(ties)} non-tie points"),
        ok=not vs_exact and vs_vbt == ties and not sharpe_bad,
        ties=[f"{f}/{s}" for f, s in ties],
        rows=[("end to end (process start → stored results + report)", mm(h_e2e), mm(v_e2e)),
              ("simulation alone, 2 threads", (h2["simulate_s_min"], h2["simulate_s_median"]), mm(v_sim)),
              ("simulation alone, 1 thread", (h1["simulate_s_min"], h1["simulate_s_median"]), mm(v_sim))],
        rates=f"Hindsight simulation {h1['bar_evaluations_per_s'] / 1e6:.0f} M bar-evaluations/s on one thread, "
              f"{h2['bar_evaluations_per_s'] / 1e6:.0f} M on two; vectorbt {h1['bar_evaluations'] / min(v_sim) / 1e6:.1f} M",
        peer="vectorbt 1.2.0 from_signals")


def workload_signals(a, work, family, title):
    """A `kind: signals` grid on 20 stocks, reading the whole 133-ticker price file, against vectorbt + TA-Lib."""
    name = f"signals-{family}"
    sweep = Sweep(a.bin, work, name, sweepfiles.signals(name, f"{{csv: {US}}}", family))
    vb_csv = os.path.join(work, name + "-vbt.csv")
    peer_worker("vbt-signals", family, vb_csv)  # warms the numba cache; untimed
    h_e2e, v_e2e, v_sim, v_sig = [], [], [], []
    for _ in range(a.runs):
        h_e2e.append(sweep.end_to_end()[0])
        wall, js = peer_worker("vbt-signals", family, vb_csv)
        v_e2e.append(wall); v_sim.append(js["simulation_s"]); v_sig.append(js["indicators_s"] + js["simulation_s"])
    h2 = sweep.simulate(2, a.runs)
    keys = sweepfiles.SIGNAL_GRIDS[family][0]
    con = sqlite3.connect(sweep.db)
    ours = {}
    for params, metrics in con.execute("SELECT p.params_json, r.metrics_json FROM sweep_points p JOIN backtest_runs r ON r.run_id = p.run_id"):
        pj, m = json.loads(params), json.loads(metrics)
        ours[tuple(float(pj["strategy.params." + k]) for k in keys)] = m["final_equity"]
    con.close()
    vb = {tuple(float(r[k]) for k in keys): float(r["final_value"]) for r in csv.DictReader(open(vb_csv))}
    bad = [k for k in vb if k not in ours or abs(ours[k] - vb[k]) > 1e-9 * abs(vb[k])]
    return dict(
        name=title, points=len(ours),
        agreement=f"final value: {len(vb) - len(bad)}/{len(vb)} points equal vectorbt + TA-Lib at 1e-9",
        ok=not bad and len(ours) == len(vb),
        rows=[("end to end (process start → stored results + report)", mm(h_e2e), mm(v_e2e)),
              ("simulation alone, 2 threads (Hindsight: signals and fills; vectorbt: from_signals only)",
               (h2["simulate_s_min"], h2["simulate_s_median"]), mm(v_sim)),
              ("signals and simulation, 2 threads (vectorbt: TA-Lib indicators, entry/exit arrays, from_signals)",
               (h2["simulate_s_min"], h2["simulate_s_median"]), mm(v_sig))],
        rates="", peer="vectorbt 1.2.0 from_signals with ta-lib 0.8.2 indicators")


def workload_stops(a, work):
    """The 300-point stop grid on 20 stocks (engine path: stops fill inside bars), against vectorbt + TA-Lib."""
    name = "stops-sma"
    sweep = Sweep(a.bin, work, name, sweepfiles.stops(name, f"{{csv: {US}}}"))
    vb_csv = os.path.join(work, name + "-vbt.csv")
    peer_worker("vbt-stops", vb_csv)  # warms the numba cache; untimed
    h_e2e, v_e2e, v_sim, v_sig = [], [], [], []
    for _ in range(a.runs):
        h_e2e.append(sweep.end_to_end()[0])
        wall, js = peer_worker("vbt-stops", vb_csv)
        v_e2e.append(wall); v_sim.append(js["simulation_s"]); v_sig.append(js["indicators_s"] + js["simulation_s"])
    h2 = sweep.simulate(2, a.runs)
    paths = ["strategy.params.fast", "strategy.params.slow", "stops.stop_loss", "stops.take_profit"]
    con = sqlite3.connect(sweep.db)
    ours = {}
    for params, metrics in con.execute("SELECT p.params_json, r.metrics_json FROM sweep_points p JOIN backtest_runs r ON r.run_id = p.run_id"):
        pj, m = json.loads(params), json.loads(metrics)
        ours[tuple(float(pj[k]) for k in paths)] = m["final_equity"]
    con.close()
    keys = ["fast", "slow", "stop_loss", "take_profit"]
    vb = {tuple(float(r[k]) for k in keys): float(r["final_value"]) for r in csv.DictReader(open(vb_csv))}
    bad = [k for k in vb if k not in ours or abs(ours[k] - vb[k]) > 1e-9 * abs(vb[k])]
    return dict(
        name="Stop grid (SMA entries × stop-loss × take-profit), 20 of 133 stocks × 3,202 days, 300 points",
        points=len(ours),
        agreement=f"final value: {len(vb) - len(bad)}/{len(vb)} points equal vectorbt from_signals (sl_stop, tp_stop, open/high/low) at 1e-9",
        ok=not bad and len(ours) == len(vb),
        rows=[("end to end (process start → stored results + report)", mm(h_e2e), mm(v_e2e)),
              ("simulation alone, 2 threads (Hindsight: signals, stops and fills; vectorbt: from_signals only)",
               (h2["simulate_s_min"], h2["simulate_s_median"]), mm(v_sim)),
              ("signals and simulation, 2 threads (vectorbt: TA-Lib SMAs, entry/exit arrays, from_signals)",
               (h2["simulate_s_min"], h2["simulate_s_median"]), mm(v_sig))],
        rates="", peer="vectorbt 1.2.0 from_signals with sl_stop/tp_stop and ta-lib 0.8.2 SMA")


def workload_sma_expression(a, work):
    """The GOOG SMA grid as an expression against the built-in `sma_crossover`, both Hindsight, end to end."""
    data = f"{{csv: {GOOG}, ticker: GOOG}}"
    builtin = Sweep(a.bin, work, "sma-goog-builtin", sweepfiles.sma_goog("sma-goog-builtin", data, (2, 100), (2, 200), constraint=True))
    expr = Sweep(a.bin, work, "sma-goog-expression", sweepfiles.sma_goog_expression("sma-goog-expression", data, (2, 100), (2, 200)))
    b, e = [], []
    for _ in range(a.runs):
        b.append(builtin.end_to_end()[0]); e.append(expr.end_to_end()[0])
    x = hindsight_points(builtin.db, ["strategy.params.fast", "strategy.params.slow"])
    y = hindsight_points(expr.db, ["strategy.params.fast", "strategy.params.slow"])
    same = sum(1 for k in x if y.get(k) == x[k])
    return dict(
        name="SMA grid on GOOG as an expression vs sma_crossover (14,751 points)", points=len(y),
        agreement=f"total return and Sharpe: {same}/{len(x)} points identical to sma_crossover",
        ok=same == len(x), rows=[("end to end, expression (peer column: sma_crossover)", mm(e), mm(b))],
        rates="", peer="Hindsight sma_crossover (the exact kernel)")


def workload_momentum(a, work, name, prices, tickers, start, end, title, warm=True):
    tick_file = os.path.join(work, name + "-tickers.txt")
    with open(tick_file, "w") as fh:
        fh.write("\n".join(tickers) + "\n")
    sweep = Sweep(a.bin, work, name, momentum_yaml(name, prices, tickers, start, end))
    vb_csv = os.path.join(work, name + "-vbt.csv")
    if warm:
        peer_worker("vbt-momentum", prices, tick_file, vb_csv)  # warms the numba cache; untimed
    h_e2e, h_imp, v_e2e, v_sim, v_load = [], [], [], [], []
    for _ in range(a.runs):
        total, imp = sweep.end_to_end()
        h_e2e.append(total); h_imp.append(imp)
        wall, js = peer_worker("vbt-momentum", prices, tick_file, vb_csv)
        v_e2e.append(wall); v_sim.append(js["simulation_s"]); v_load.append(js["load_s"])
    h1, h2 = sweep.simulate(1, a.runs), sweep.simulate(2, a.runs)
    ours = hindsight_points(sweep.db, ["strategy.params.lookback", "strategy.params.top_n", "strategy.params.rebalance_every"])
    vb = {(int(r["lookback"]), int(r["top_n"]), int(r["rebalance_every"])): (float(r["total_return"]), float(r["sharpe_252"]))
          for r in csv.DictReader(open(vb_csv))}
    tr_worst = max(abs(ours[k][0] - vb[k][0]) for k in vb)
    sh_worst = max(abs(ours[k][1] - vb[k][1]) for k in vb)
    return dict(
        name=title, points=len(ours),
        agreement=f"all {len(vb)} points: total return max |Δ| {tr_worst:.1e}, Sharpe max |Δ| {sh_worst:.1e} (tolerance 1e-9)",
        ok=tr_worst <= 1e-9 and sh_worst <= 1e-9 and len(ours) == len(vb) == 32,
        rows=[("end to end (process start → stored results + report)", mm(h_e2e), mm(v_e2e)),
              ("data load (Hindsight: CSV → panel; vectorbt: read_csv + pivot)", mm(h_imp), mm(v_load)),
              ("simulation alone, 2 threads", (h2["simulate_s_min"], h2["simulate_s_median"]), mm(v_sim)),
              ("simulation alone, 1 thread", (h1["simulate_s_min"], h1["simulate_s_median"]), mm(v_sim))],
        rates=f"Hindsight simulation {h1['bar_evaluations_per_s'] / 1e6:.0f} M asset-bar evaluations/s on one thread; "
              f"vectorbt {h1['bar_evaluations'] / min(v_sim) / 1e6:.1f} M",
        peer="vectorbt 1.2.0 from_orders (targetpercent, cash sharing, call_seq auto)")


def workload_single(a):
    p = run([sys.executable, os.path.join(HERE, "engine_vs_backtrader.py"), "--repeats", str(max(5, a.runs)), "--bin", a.bin])
    js = json.loads(p.stdout.strip().splitlines()[-1])
    return dict(
        name="One SMA(10,30) backtest on GOOG (2,148 bars)", points=1,
        agreement=f"final values differ by {js['final_values_relative_difference']:.1e} (relative)",
        ok=js["final_values_relative_difference"] < 1e-6,
        rows=[("one backtest (engine alone; bars/s)", (js["hindsight_engine_s_min"], js["hindsight_engine_s_median"]),
               (js["backtrader_run_s_min"], js["backtrader_run_s_median"]))],
        rates=f"Hindsight {js['hindsight_bars_per_s']:,} bars/s, backtrader {js['backtrader_bars_per_s']:,} bars/s (medians)",
        peer=f"backtrader {js['backtrader_version']}")


def workload_analytics(a):
    p = run([sys.executable, os.path.join(HERE, "analytics_vs_empyrical.py"), "--runs", str(a.runs), "--bin", a.bin, "--json"])
    js = json.loads(p.stdout.strip().splitlines()[-1])
    return dict(
        name="22 metrics for 10,000 return series × 2,520 days", points=10_000,
        agreement=f"{js['metrics']} metrics, worst relative difference {js['worst_relative_difference']:.1e}",
        ok=js["worst_relative_difference"] < 1e-9,
        rows=[("metrics on the whole matrix", (js["hindsight_min_s"], js["hindsight_median_s"]), (js["peer_min_s"], js["peer_median_s"]))],
        rates="", peer="empyrical-reloaded + pandas")


# ---------------------------------------------------------------------------------------------------------------

def versions():
    import importlib.metadata as md
    v = {}
    for pkg in ["vectorbt", "backtesting", "backtrader", "empyrical-reloaded", "numba", "numpy", "pandas"]:
        try:
            v[pkg] = md.version(pkg)
        except md.PackageNotFoundError:
            v[pkg] = "-"
    return v


def machine():
    cpu = "?"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = "?"
    try:
        kb = int(re.search(r"MemTotal:\s+(\d+)", open("/proc/meminfo").read()).group(1))
        mem = f"{kb / 1024 / 1024:.0f} GiB"
    except (OSError, AttributeError):
        pass
    return f"{platform.system()} {platform.release()}, {cpu}, {os.cpu_count()} cores, {mem}"


def write_results(a, results, started, wall):
    swift = subprocess.run(["swift", "--version"], capture_output=True, text=True).stdout.strip().splitlines()
    git = ["git", "-C", ROOT]
    commit = subprocess.run(git + ["rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip() or "unknown"
    dirty = subprocess.run(git + ["status", "--porcelain", "--untracked-files=no"], capture_output=True, text=True).stdout.strip()
    hv = f"commit {commit}{' with uncommitted changes' if dirty else ''}"
    v = versions()
    lines = ["# Hindsight side by side with vectorbt, backtrader and empyrical", "",
             f"Measured {started} by `make bench-peers` (`python3 Benchmarks/peers/bench_peers.py --runs {a.runs}`), "
             f"all workloads one after the other in one run ({wall / 60:.1f} min).", "",
             f"- Machine: {machine()}",
             f"- Hindsight {hv}, {swift[0] if swift else 'swift ?'}, release build",
             f"- Python {platform.python_version()}; " + ", ".join(f"{k} {x}" for k, x in v.items()), "",
             "Times are seconds, min / median of the runs (each side runs --runs times, alternating). Ratio = peer ÷ Hindsight, "
             "on the minima and on the medians. Agreement is checked on the same data before any timing is reported.", ""]
    lines += ["| workload | measure | Hindsight min / median | peer min / median | ratio (min) | ratio (median) |",
              "|---|---|---|---|---|---|"]
    for r in results:
        for label, (hmin, hmed), (pmin, pmed) in r["rows"]:
            lines.append(f"| {r['name']}{' (' + str(r['runs']) + ' run' + ('s' if r['runs'] > 1 else '') + ')' if 'runs' in r else ''} | {label} | {hmin:.4g} / {hmed:.4g} | {pmin:.4g} / {pmed:.4g} | "
                         f"**{pmin / hmin:.1f}×** | {pmed / hmed:.1f}× |")
    lines += ["", "## Agreement and rates", ""]
    for r in results:
        lines.append(f"- **{r['name']}** against {r['peer']}: {'OK' if r['ok'] else 'DISAGREES'}: {r['agreement']}."
                     + (f" {r['rates']}." if r["rates"] else ""))
        if r.get("ties"):
            lines.append(f"  Tie combos (fast/slow): {', '.join(r['ties'])}.")
    lines += ["", "## Commands", "",
              "- Hindsight end to end: `hindsight sweep run <sweep.yaml> --db X --quiet --timings`, the sweep reading the "
              "same CSV (`data: {csv: ...}`), storing every point's run row and 22 metrics in SQLite (`store: {equity: none, "
              "trades: none}`: like the vectorbt side, no trade log) and writing the Markdown report with its charts.",
              "- Hindsight simulation alone: `hindsight sweep time <sweep.yaml> --jobs 1|2 --repeat N --json`.",
              "- vectorbt: `bench_peers.py --worker vbt-sma|vbt-momentum ...` in a fresh interpreter each run "
              "(numba cache warmed by one untimed run).",
              "- Single backtest: `Benchmarks/peers/engine_vs_backtrader.py`; analytics: `Benchmarks/peers/analytics_vs_empyrical.py`.", ""]
    marker = "<!-- scaling -->"
    old = open(a.results).read() if os.path.exists(a.results) else ""
    tail = old[old.index(marker):] if marker in old else marker + "\n"
    with open(a.results, "w") as fh:
        fh.write("\n".join(lines) + "\n" + tail)


def main():
    if len(sys.argv) > 2 and sys.argv[1] == "--worker":
        {"vbt-sma": worker_vbt_sma, "vbt-momentum": worker_vbt_momentum, "vbt-signals": worker_vbt_signals,
         "vbt-stops": worker_vbt_stops}[sys.argv[2]](*sys.argv[3:])
        return
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--only", default="sma,momentum,signals,stops,expression,synthetic,single,analytics")
    ap.add_argument("--synthetic-runs", type=int, default=None, help="runs for the synthetic workload (default: --runs); "
                    "vectorbt needs about 5 minutes per run there")
    ap.add_argument("--synthetic-assets", type=int, default=2000)
    ap.add_argument("--synthetic-years", type=int, default=20)
    ap.add_argument("--bin", default=os.path.join(ROOT, ".build", "release", "hindsight"))
    ap.add_argument("--results", default=os.path.join(ROOT, "Benchmarks", "RESULTS.md"))
    ap.add_argument("--work", default=None, help="scratch folder (default: a temporary one, removed at the end)")
    a = ap.parse_args()
    if a.runs < 1:
        sys.exit("--runs must be ≥ 1")
    if not os.path.exists(a.bin):
        sys.exit(f"{a.bin} not found: run `make build` first")
    if not os.path.exists(GOOG):
        sys.exit(f"{GOOG} not found: the peer workloads need ../shared/data")
    only = set(a.only.split(","))
    work = a.work or tempfile.mkdtemp(prefix="hindsight-peers-")
    os.makedirs(work, exist_ok=True)
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    t0 = time.perf_counter()
    results = []
    # The short single-process workloads first: after the peers' multi-GB processes exit, the kernel reclaims their
    # memory for a while, which slows whatever runs next (both sides of a workload alike, but not evenly).
    if "single" in only:
        results.append(workload_single(a))
        report_progress(results[-1])
    if "analytics" in only:
        results.append(workload_analytics(a))
        report_progress(results[-1])
    if "sma" in only:
        results.append(workload_sma(a, work))
        report_progress(results[-1])
    if "signals" in only:
        for family, title in [("rsi", "RSI mean-reversion grid, 20 of 133 stocks × 3,202 days, 120 points"),
                              ("bbands", "Bollinger grid, 20 of 133 stocks × 3,202 days, 50 points"),
                              ("sma", "SMA crossover portfolio grid, 20 of 133 stocks × 3,202 days, 174 points")]:
            results.append(workload_signals(a, work, family, title))
            report_progress(results[-1])
    if "stops" in only:
        results.append(workload_stops(a, work))
        report_progress(results[-1])
    if "expression" in only:
        results.append(workload_sma_expression(a, work))
        report_progress(results[-1])
    if "momentum" in only:
        stocks = sorted(r["ticker"] for r in csv.DictReader(open(PROFILES)) if r["kind"] == "stock")
        results.append(workload_momentum(a, work, "momentum-us-equities", US, stocks, "2005-02-25", "2017-11-10",
                                         "Momentum sweep, 118 US stocks × 3,202 days, 32 configs"))
        report_progress(results[-1])
    if "synthetic" in only:
        start, end = 1998, 1998 + a.synthetic_years - 1
        prices, tickers = sweepfiles.synthetic_export(run, a.bin, work, "synthetic", a.synthetic_assets, start, end)
        runs, a.runs = a.runs, a.synthetic_runs or a.runs
        results.append(workload_momentum(a, work, "momentum-synthetic", prices, tickers, f"{start}-01-02", f"{end}-12-31",
                                         f"Momentum sweep, synthetic {len(tickers):,} assets × {a.synthetic_years} years, 32 configs",
                                         warm="momentum" not in only))
        results[-1]["runs"], a.runs = a.runs, runs
        report_progress(results[-1])
    wall = time.perf_counter() - t0
    print(f"{'workload':<58} {'measure':<44} {'ratio(min)':>10} {'ratio(med)':>10}")
    for r in results:
        for label, (hmin, hmed), (pmin, pmed) in r["rows"]:
            print(f"{r['name'][:58]:<58} {label[:44]:<44} {pmin / hmin:>9.1f}x {pmed / hmed:>9.1f}x")
        print(f"  agreement: {'OK' if r['ok'] else 'DISAGREES'}: {r['agreement']}")
    write_results(a, results, started, wall)
    print(f"wrote {a.results}")
    if not a.work:
        shutil.rmtree(work, ignore_errors=True)
    if not all(r["ok"] for r in results):
        sys.exit("some workloads disagree with their peer (see above)")


if __name__ == "__main__":
    if not (len(sys.argv) > 2 and sys.argv[1] == "--worker"):
        ensure_venv(__file__, PEERS)
    main()
