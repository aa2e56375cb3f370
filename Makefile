# The two entry points: `make demo` and `make test`. Each installs what it needs and builds.
SHELL := /bin/bash
DEMO_DB ?= .hindsight/demo.sqlite
SWIFT_JOBS ?= $(shell nproc 2>/dev/null || echo 2)

.PHONY: deps build demo test lint bench bench-check bench-peers bench-analytics-peers bench-engine-peers bench-load-peers clean

deps:
	@bash scripts/install-deps.sh

build: deps
	swift build -c release --product hindsight -j $(SWIFT_JOBS)

demo: build
	@mkdir -p .hindsight
	@rm -f $(DEMO_DB) $(DEMO_DB)-wal $(DEMO_DB)-shm
	.build/release/hindsight sweep run sweeps/examples/quickstart.yaml --db $(DEMO_DB) --report-dir reports
	@# A daily book filled by VWAP on generated 5-minute bars, stops checked bar by bar.
	.build/release/hindsight backtest run configs/intraday-vwap.yaml --db $(DEMO_DB)
	@echo "Report: $(CURDIR)/reports/quickstart/README.md"

test:
	@bash scripts/install-deps.sh --test
	scripts/build-checked.sh --build-tests -j $(SWIFT_JOBS)
	swift test --skip-build

# House rules: the formatter's lint (see .swift-format) and a build with no warnings. CI runs both.
lint:
	swift format lint --strict --recursive --parallel Sources Tests Benchmarks/Benchmarks Package.swift Benchmarks/Package.swift $(wildcard Examples)

# Benchmarks (own package, so the main build stays lean). `bench-check` compares with the committed baseline.
bench: deps
	cd Benchmarks && swift package --disable-sandbox benchmark --no-progress

bench-check: deps
	cd Benchmarks && swift package --disable-sandbox benchmark baseline check default --no-progress

# Every workload side by side with vectorbt, backtrader and empyrical (creates .venv-fixtures); writes Benchmarks/RESULTS.md.
bench-peers: build
	python3 Benchmarks/peers/bench_peers.py --runs $(or $(RUNS),5) --synthetic-runs $(or $(SYNTHETIC_RUNS),1)

# Side-by-side with empyrical on the same 2520 x 10000 matrix (creates .venv-fixtures).
bench-analytics-peers: build
	python3 Benchmarks/peers/analytics_vs_empyrical.py --runs 5

# One SMA backtest on GOOG in backtrader and in Hindsight, side by side (creates .venv-fixtures).
bench-engine-peers: build
	python3 Benchmarks/peers/engine_vs_backtrader.py

# CSV → panel against pandas read_csv + pivot on the synthetic export (creates .venv-fixtures).
bench-load-peers: build
	python3 Benchmarks/peers/load_vs_pandas.py --assets $(or $(ASSETS),2000) --runs $(or $(RUNS),3)

clean:
	rm -rf .build .hindsight
