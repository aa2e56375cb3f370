"""The sweep files the peer harness and the scaling study write (standard library only)."""

LOOKBACKS, TOP_NS, REBALANCES = [21, 63, 126, 252], [10, 25, 50, 100], [5, 21]


def sma_goog(name, data, fast, slow, constraint=False, equity=False, top=20, trades="none"):
    """SMA crossover on GOOG (fill at the close, 0.1% fees); `fast`/`slow` are inclusive (start, end) ranges."""
    return f"""sweep: {name}
base:
  data: {data}
  calendar: data
  start: 2004-08-19
  end: 2013-03-01
  initial_cash: 10000
  fractional_shares: true
  universe: {{tickers: [GOOG]}}
  strategy: {{kind: sma_crossover, params: {{fast: 10, slow: 30}}}}
  execution: {{fill: close, commission: {{model: bps, bps: 10}}}}
grid:
  strategy.params.fast: {{range: [{fast[0]}, {fast[1]}, 1]}}
  strategy.params.slow: {{range: [{slow[0]}, {slow[1]}, 1]}}
{'constraints: ["strategy.params.fast < strategy.params.slow"]' + chr(10) if constraint else ''}rank_by: sharpe_ratio
store: {{equity: {'all' if equity else 'none'}, trades: {trades}}}
report: {{top: {top}, heatmaps: true}}
"""


def momentum(name, data, universe, start, end, extra="", trades="none"):
    """The 32-point momentum_rotation grid (target-percent, 0.1% fees, fill at the close)."""
    return f"""sweep: {name}
base:
  data: {data}
{extra}  start: {start}
  end: {end}
  initial_cash: 1000000
  fractional_shares: true
  universe: {universe}
  strategy: {{kind: momentum_rotation, params: {{lookback: 21, top_n: 10, rebalance_every: 5}}}}
  execution: {{fill: close, commission: {{model: bps, bps: 10}}}}
grid:
  strategy.params.lookback: {LOOKBACKS}
  strategy.params.top_n: {TOP_NS}
  strategy.params.rebalance_every: {REBALANCES}
rank_by: sharpe_ratio
store: {{equity: none, trades: {trades}}}
report: {{top: 10, heatmaps: true}}
"""


SIGNAL_TICKERS = ["AAPL", "MSFT", "JPM", "XOM", "JNJ", "PG", "KO", "WMT", "INTC", "CSCO",
                  "GE", "PFE", "MRK", "HD", "T", "VZ", "IBM", "ORCL", "C", "BAC"]

# Signal grids on the 20 stocks: (family, params in grid order, entry, exit, grid values).
SIGNAL_GRIDS = {
    "rsi": (["n", "lo", "hi"], "rsi(close, n) < lo", "rsi(close, n) > hi",
            {"n": [5, 7, 10, 14, 21, 28], "lo": [20, 25, 30, 35], "hi": [60, 65, 70, 75, 80]}),
    "bbands": (["n", "k"], "close < bbands_lower(close, n, k)", "close > bbands_middle(close, n, k)",
               {"n": [5, 10, 15, 20, 25, 30, 35, 40, 45, 50], "k": [1.0, 1.5, 2.0, 2.5, 3.0]}),
    "sma": (["fast", "slow"], "crossover(sma(close, fast), sma(close, slow))",
            "crossunder(sma(close, fast), sma(close, slow))",
            {"fast": [5, 10, 15, 20, 25, 30], "slow": list(range(40, 240, 7))}),
}


def _signals_base(data, strategy, start, end, extra=""):
    """The base of the 20-stock signal sweeps: equal sleeves of 100,000, 0.1% fees, fill at the close."""
    return f"""base:
  data: {data}
  calendar: data
  start: {start}
  end: {end}
  initial_cash: 100000
  fractional_shares: true
  universe: {{tickers: [{', '.join(SIGNAL_TICKERS)}]}}
  strategy: {strategy}
  execution: {{fill: close, commission: {{model: bps, bps: 10}}}}
{extra}"""


def signals(name, data, family, start="2005-02-25", end="2017-11-10"):
    """A `kind: signals` grid on the 20 stocks (equal sleeves of 100,000, 0.1% fees, fill at the close)."""
    keys, entry, exit_, grid = SIGNAL_GRIDS[family]
    params = ", ".join(f"{k}: {grid[k][0]}" for k in keys)
    lines = "".join(f"  strategy.params.{k}: {grid[k]}\n" for k in keys)
    strategy = f'{{kind: signals, params: {{{params}}}, entry: "{entry}", exit: "{exit_}"}}'
    return f"""sweep: {name}
{_signals_base(data, strategy, start, end)}grid:
{lines}rank_by: sharpe_ratio
store: {{equity: none, trades: none}}
report: {{top: 10, heatmaps: true}}
"""


# The stop grid on the 20 stocks: SMA-crossover entries and exits with a stop-loss and a take-profit (300 points).
STOP_GRID = {"fast": [5, 10, 20, 30], "slow": [50, 100, 150], "stop_loss": [0.02, 0.04, 0.06, 0.08, 0.1],
             "take_profit": [0.05, 0.1, 0.15, 0.2, 0.3]}


def stops(name, data, start="2005-02-25", end="2017-11-10"):
    """SMA crossovers on the 20 stocks with `stops:` swept (equal sleeves of 100,000, 0.1% fees, fill at the close)."""
    g = STOP_GRID
    strategy = ('{kind: signals, params: {fast: 10, slow: 50}, entry: "crossover(sma(close, fast), sma(close, slow))", '
                'exit: "crossunder(sma(close, fast), sma(close, slow))"}')
    base = _signals_base(data, strategy, start, end, extra="  stops: {stop_loss: 0.05, take_profit: 0.1}\n")
    return f"""sweep: {name}
{base}grid:
  strategy.params.fast: {g["fast"]}
  strategy.params.slow: {g["slow"]}
  stops.stop_loss: {g["stop_loss"]}
  stops.take_profit: {g["take_profit"]}
rank_by: sharpe_ratio
store: {{equity: none, trades: none}}
report: {{top: 10, heatmaps: true}}
"""


def sma_goog_expression(name, data, fast, slow):
    """The GOOG SMA grid written as an expression (`kind: signals`)."""
    body = sma_goog(name, data, fast, slow, constraint=True)
    return body.replace(
        "strategy: {kind: sma_crossover, params: {fast: 10, slow: 30}}",
        'strategy: {kind: signals, params: {fast: 10, slow: 30}, entry: "crossover(sma(close, fast), sma(close, slow))", '
        'exit: "crossunder(sma(close, fast), sma(close, slow))"}')


def synthetic_export(run, binary, work, stem, assets, start, end):
    """`hindsight data synth --seed 7` over [start-01-02, end-12-31] exported to `<stem>-prices.csv` in `work`;
    `run` runs a command. Returns (the CSV's path, its tickers sorted)."""
    import os
    prices = os.path.join(work, stem + "-prices.csv")
    run([binary, "data", "synth", "--db", os.path.join(work, stem + "-source.sqlite"), "--replace", "--assets",
         str(assets), "--start", f"{start}-01-02", "--end", f"{end}-12-31", "--seed", "7", "--export-prices", prices])
    with open(prices) as fh:
        next(fh)
        tickers = sorted({line.split(",", 2)[1] for line in fh})
    return prices, tickers
