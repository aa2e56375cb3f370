# The two entry points: `make demo` and `make test`. Each installs what it needs and builds.
SHELL := /bin/bash
DEMO_DB ?= .hindsight/demo.sqlite
SWIFT_JOBS ?= $(shell nproc 2>/dev/null || echo 2)

.PHONY: deps build demo test clean

deps:
	@bash scripts/install-deps.sh

build: deps
	swift build -c release --product hindsight -j $(SWIFT_JOBS)

demo: build
	@mkdir -p .hindsight
	@rm -f $(DEMO_DB) $(DEMO_DB)-wal $(DEMO_DB)-shm
	.build/release/hindsight data synth --db $(DEMO_DB) --assets 200 --start 2012-01-03 --end 2021-12-31 --seed 42 --calendar NYSE

test: deps
	swift build --build-tests -j $(SWIFT_JOBS)
	swift test --skip-build

clean:
	rm -rf .build .hindsight
