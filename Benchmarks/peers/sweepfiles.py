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
