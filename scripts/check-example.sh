#!/usr/bin/env bash
# Builds Examples/SignalPlugin (a package on Hindsight's library product that adds an indicator and a strategy)
# and checks both from its own `my-hindsight` CLI: `hma` against independent arithmetic, and `channel_breakout`
# against the same rule written as a signals expression.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build --package-path Examples/SignalPlugin -j "${SWIFT_JOBS:-$(nproc 2>/dev/null || echo 2)}"
bin="$(swift build --package-path Examples/SignalPlugin --show-bin-path)/my-hindsight"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$bin" data synth --db "$tmp/s.sqlite" --assets 3 --start 2014-01-02 --end 2017-12-29 --seed 3 > /dev/null
"$bin" expr "hma(close, 9)" --db "$tmp/s.sqlite" --tickers MKT > "$tmp/hma.csv"
"$bin" expr "close" --db "$tmp/s.sqlite" --tickers MKT > "$tmp/close.csv"
python3 - "$tmp" <<'PY'
import csv, math, sys
d = sys.argv[1]
close = [float(r["value"]) for r in csv.DictReader(open(d + "/close.csv"))]
hma = [r["value"] for r in csv.DictReader(open(d + "/hma.csv"))]
def wma(x, n):
    w = list(range(1, n + 1)); out = [math.nan] * len(x)
    for t in range(len(x)):
        win = x[t - n + 1:t + 1] if t >= n - 1 else []
        if len(win) == n and not any(math.isnan(v) for v in win):
            out[t] = sum(a * b for a, b in zip(win, w)) / sum(w)
    return out
raw = [2 * a - b for a, b in zip(wma(close, 4), wma(close, 9))]
want = wma(raw, 3)
bad = [t for t in range(len(close)) if (hma[t] == "") != math.isnan(want[t])
       or (hma[t] != "" and abs(float(hma[t]) - want[t]) > 1e-9 * abs(want[t]))]
assert len(close) > 900 and not bad, f"hma differs from the independent WMA arithmetic at bars {bad[:5]}"
print(f"hma(close, 9): {len(close)} bars equal the independent arithmetic at 1e-9")
PY

for kind in swift expression; do
    if [ "$kind" = swift ]; then strategy='{kind: channel_breakout, params: {n: 20}}'
    else strategy='{kind: signals, params: {n: 20}, entry: "close > shift(highest(high, n), 1)", exit: "close < shift(lowest(low, n), 1)"}'; fi
    cat > "$tmp/$kind.yaml" <<YAML
data: {db: $tmp/s.sqlite}
start: 2015-01-02
end: 2017-12-29
initial_cash: 100000
fractional_shares: true
universe: {tickers: [MKT]}
strategy: $strategy
execution: {fill: close, commission: {model: bps, bps: 5}}
YAML
    "$bin" backtest run "$tmp/$kind.yaml" --db "$tmp/r.sqlite" --json > "$tmp/$kind.json"
done
python3 - "$tmp" <<'PY'
import json, sys
d = sys.argv[1]
a, b = (json.load(open(f"{d}/{k}.json"))["metrics"] for k in ("swift", "expression"))
assert a["trades"] > 2, a["trades"]
assert a["final_equity"] == b["final_equity"] and a["trades"] == b["trades"], (a["final_equity"], b["final_equity"])
print(f"channel_breakout: {a['trades']} fills, final equity {a['final_equity']:.2f}, equal to the expression")
PY
