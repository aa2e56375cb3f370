#!/usr/bin/env python3
"""Golden values for Hindsight's analytics from empyrical-reloaded, quantstats and statsmodels.

Creates .venv-fixtures (if missing) with those packages, computes every metric that has a reference on
 - an embedded synthetic series (stored in the fixture, so the Swift test always runs), and
 - real series from ../shared/data (the Swift test rebuilds them the same way, or skips without the folder),
and writes Tests/AnalyticsTests/Fixtures/analytics-golden.json.
"""
import json, math, os, subprocess, sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VENV = os.path.join(ROOT, ".venv-fixtures")
OUT = os.path.join(ROOT, "Tests", "AnalyticsTests", "Fixtures", "analytics-golden.json")
SHARED = os.path.join(os.path.dirname(ROOT), "shared", "data")

if sys.prefix != VENV:
    if not os.path.exists(VENV):
        subprocess.check_call([sys.executable, "-m", "venv", VENV])
    py = os.path.join(VENV, "bin", "python")
    subprocess.check_call([py, "-m", "pip", "install", "-q", "empyrical-reloaded", "quantstats", "statsmodels"])
    os.execv(py, [py, os.path.abspath(__file__)])

import warnings  # noqa: E402
warnings.filterwarnings("ignore")
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import empyrical as ep  # noqa: E402
import quantstats as qs  # noqa: E402
import statsmodels.api as sm  # noqa: E402
import statsmodels  # noqa: E402


def f(x):
    x = float(x)
    return None if not math.isfinite(x) else x


def metrics(dates, r, bench=None, factors=None, factor_names=None, rf=None, hac_lags=None, rolling=False):
    idx = pd.to_datetime(dates)
    s = pd.Series(r, index=idx)
    out = {
        "total_return": f(ep.cum_returns_final(r)),
        "cagr": f(ep.annual_return(r)),
        "annual_volatility": f(ep.annual_volatility(r)),
        "sharpe_ratio": f(ep.sharpe_ratio(r)),
        "sortino_ratio": f(ep.sortino_ratio(r)),
        "calmar_ratio": f(ep.calmar_ratio(r)),
        "omega_ratio": f(ep.omega_ratio(r)),
        "stability_of_timeseries": f(ep.stability_of_timeseries(r)),
        "max_drawdown": f(ep.max_drawdown(r)),
        "tail_ratio": f(ep.tail_ratio(r)),
        "value_at_risk": f(ep.value_at_risk(r, 0.05)),
        "value_at_risk_99": f(ep.value_at_risk(r, 0.01)),
        "conditional_value_at_risk": f(ep.conditional_value_at_risk(r, 0.05)),
        "conditional_value_at_risk_99": f(ep.conditional_value_at_risk(r, 0.01)),
        "best_day": f(np.max(r)),
        "worst_day": f(np.min(r)),
        "win_rate": f(qs.stats.win_rate(s)),
        "profit_factor": f(qs.stats.profit_factor(s)),
        "payoff_ratio": f(qs.stats.payoff_ratio(s)),
        "skew": f(qs.stats.skew(s)),
        "kurtosis": f(qs.stats.kurtosis(s)),
        "ulcer_index": f(qs.stats.ulcer_index(s)),
        "common_sense_ratio": f(qs.stats.common_sense_ratio(s)),
        "value_at_risk_parametric_95": f(qs.stats.value_at_risk(s, confidence=0.95)),
        "value_at_risk_parametric_99": f(qs.stats.value_at_risk(s, confidence=0.99)),
        "conditional_value_at_risk_parametric_95": f(qs.stats.conditional_value_at_risk(s, confidence=0.95, method="parametric")),
        "conditional_value_at_risk_parametric_99": f(qs.stats.conditional_value_at_risk(s, confidence=0.99, method="parametric")),
        "monthly_returns": [f(v) for v in ep.aggregate_returns(s, "monthly").values],
        "yearly_returns": [f(v) for v in ep.aggregate_returns(s, "yearly").values],
    }
    if rolling:
        out["rolling_sharpe_63"] = [f(v) for v in np.asarray(ep.roll_sharpe_ratio(r, window=63))]
    if bench is not None:
        b = np.asarray(bench)
        bs = pd.Series(b, index=idx)
        out.update({
            "information_ratio": f(qs.stats.information_ratio(s, bs)),
            "excess_sharpe": f(ep.excess_sharpe(r, b)),
            "alpha": f(ep.alpha(r, b)),
            "beta": f(ep.beta(r, b)),
            "up_capture": f(ep.up_capture(r, b)),
            "down_capture": f(ep.down_capture(r, b)),
        })
        if rolling:
            out["rolling_beta_63"] = [f(v) for v in np.asarray(ep.roll_beta(r, b, window=63))]
    if factors is not None:
        y = np.asarray(r) - (np.asarray(rf) if rf is not None else 0)
        X = sm.add_constant(np.column_stack(factors))
        ols = sm.OLS(y, X).fit()
        hac = sm.OLS(y, X).fit(cov_type="HAC", cov_kwds={"maxlags": hac_lags})
        names = ["const"] + factor_names
        out["factor_regression"] = {
            "coefficients": dict(zip(names, map(f, ols.params))),
            "std_errors": dict(zip(names, map(f, ols.bse))),
            "t_stats": dict(zip(names, map(f, ols.tvalues))),
            "hac_std_errors": dict(zip(names, map(f, hac.bse))),
            "hac_t_stats": dict(zip(names, map(f, hac.tvalues))),
            "r_squared": f(ols.rsquared),
            "adj_r_squared": f(ols.rsquared_adj),
            "n_obs": int(ols.nobs),
            "hac_lags": hac_lags,
        }
    return out


def newey_west_lags(n):
    return int(math.floor(4 * (n / 100) ** (2 / 9)))


cases = {}

# 1. Embedded synthetic series: fat-tailed returns with a benchmark and three factors.
rng = np.random.default_rng(20261125)
n = 600
dates = pd.bdate_range("2018-01-01", periods=n).strftime("%Y-%m-%d").tolist()
fac = rng.standard_t(5, size=(n, 3)) * np.array([0.010, 0.005, 0.004])
rf = np.full(n, 0.00008)
r = rf + 0.0002 + fac @ np.array([1.1, 0.4, -0.3]) + rng.standard_t(4, size=n) * 0.006
bench = fac[:, 0] + rf
r = np.round(r, 12); bench = np.round(bench, 12); fac = np.round(fac, 12)
emb = metrics(dates, r, bench, [fac[:, j] for j in range(3)], ["f1", "f2", "f3"], rf, newey_west_lags(n), rolling=True)
cases["embedded"] = {"input": {"dates": dates, "returns": r.tolist(), "benchmark": bench.tolist(),
                               "factors": {"f1": fac[:, 0].tolist(), "f2": fac[:, 1].tolist(), "f3": fac[:, 2].tolist()},
                               "rf": rf.tolist()},
                     "metrics": emb}

# 2. Real series from ../shared/data (rebuilt by the Swift test from the same files).
if os.path.exists(SHARED):
    prices = pd.read_csv(os.path.join(SHARED, "us-equities", "prices.csv.gz"))
    ff = pd.read_csv(os.path.join(SHARED, "ff3-daily-percent.csv"))
    ff["date"] = ff["date"].astype(str)
    ffi = ff.set_index("date") / 100.0

    def closes(t):
        p = prices[prices.ticker == t].sort_values("date")
        return p["date"].tolist(), p["close"].to_numpy()

    spy_d, spy_c = closes("SPY")
    spy_r = spy_c[1:] / spy_c[:-1] - 1
    spy_dates = spy_d[1:]
    for t in ["SPY", "AAPL", "XOM", "JPM"]:
        d, c = closes(t)
        rr = c[1:] / c[:-1] - 1
        dd = d[1:]
        common = [x for x in dd if x in set(spy_dates) and x in ffi.index]
        pos = {x: i for i, x in enumerate(dd)}
        spos = {x: i for i, x in enumerate(spy_dates)}
        ra = np.array([rr[pos[x]] for x in common])
        ba = np.array([spy_r[spos[x]] for x in common])
        fa = ffi.loc[common]
        m = metrics(common, ra, None if t == "SPY" else ba,
                    [fa[c].to_numpy() for c in ["mkt_rf", "smb", "hml"]], ["mkt_rf", "smb", "hml"],
                    fa["rf"].to_numpy(), newey_west_lags(len(common)))
        cases[t] = {"input": {"source": "us-equities/prices.csv.gz", "ticker": t, "benchmark": None if t == "SPY" else "SPY",
                              "factors": "ff3-daily-percent.csv", "dates": [common[0], common[-1]], "n": len(common)},
                    "metrics": m}
    sp = pd.read_csv(os.path.join(SHARED, "sp500-index-1999-2018.csv"))
    c = sp["close"].to_numpy()
    rr = c[1:] / c[:-1] - 1
    cases["SPX"] = {"input": {"source": "sp500-index-1999-2018.csv", "n": len(rr)},
                    "metrics": metrics(sp["date"].tolist()[1:], rr)}

# 3. Edge cases.
zd = pd.bdate_range("2020-01-01", periods=10).strftime("%Y-%m-%d").tolist()
cases["zeros"] = {"input": {"dates": zd, "returns": [0.0] * 10}, "metrics": {
    "total_return": f(ep.cum_returns_final(np.zeros(10))), "max_drawdown": f(ep.max_drawdown(np.zeros(10))),
    "sharpe_ratio": f(ep.sharpe_ratio(np.zeros(10))), "annual_volatility": f(ep.annual_volatility(np.zeros(10)))}}

versions = {"empyrical-reloaded": ep.__version__ if hasattr(ep, "__version__") else "?", "quantstats": qs.__version__,
            "statsmodels": statsmodels.__version__, "numpy": np.__version__, "pandas": pd.__version__}
with open(OUT, "w") as fh:
    json.dump({"generated_by": "scripts/make_analytics_fixtures.py", "versions": versions, "cases": cases}, fh, separators=(",", ":"))
print(f"wrote {OUT}: {', '.join(cases)}; {os.path.getsize(OUT)} bytes")
