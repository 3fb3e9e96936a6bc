# Build, run and test Chorus. `make test` is what CI runs (through .ci/run).

SHELL := /bin/bash
.DEFAULT_GOAL := build

# Swift lives in /opt/swift on the project's machines; use it when swift is not on PATH.
ifeq ($(shell command -v swift),)
export PATH := /opt/swift/usr/bin:$(PATH)
endif

PYTHON := .venv/bin/python
CHORUS := .build/release/chorus
# Extra arguments: `make run SERVE_ARGS='--http-port 8080'`, `make test-interop PYTEST_ARGS='-k chromium'`.
SERVE_ARGS ?=
PYTEST_ARGS ?=

# Interop tests run in a private network namespace with only loopback up, so no packet
# leaves the machine. As non-root, a user namespace provides the rights unshare needs.
NETNS := $(if $(filter 0,$(shell id -u)),unshare -n,unshare -r -n)
INTEROP := $(NETNS) sh -c 'ip link set lo up && exec $(PYTHON) -m pytest -v $(PYTEST_ARGS) tests/interop'

.PHONY: deps build run test test-unit test-interop

deps:
	bash scripts/install-deps.sh

build: deps
	swift build -c release

run: build
	$(CHORUS) serve --dev $(SERVE_ARGS)

test: deps
	swift build
	swift test
	$(MAKE) --no-print-directory fuzz-smoke
	swift build -c release
	$(INTEROP)

test-unit: deps
	swift build
	swift test

test-interop: build
	$(INTEROP)

# libFuzzer targets in Fuzz/, one per parser, built with -sanitize=fuzzer,address. Each runs for
# FUZZ_SECONDS from its seed corpus in Fuzz/corpus/<name>; `make fuzz FUZZ_SECONDS=600 FUZZERS=sdp`
# runs one longer. fuzz-smoke is the 30-second run that `make test` includes.
FUZZ_SECONDS ?= 60
FUZZERS ?= rtp rtcp stun sdp dtls

.PHONY: fuzz fuzz-smoke bench

fuzz: deps
	bash Fuzz/run.sh $(FUZZ_SECONDS) $(FUZZERS)

fuzz-smoke: deps
	bash Fuzz/run.sh 30

# Allocations and nanoseconds per parsed packet of the hot-path parsers (Benchmarks/).
bench: deps
	cd Benchmarks && swift run -c release chorus-bench

# Load test: chorus-load runs loadtest/scenarios/large.json against a dev server that loadtest/run-load.sh
# starts in a private network namespace (loopback only); the report, PNG plots and server log go to
# test-output/load/. Extra chorus-load options: `make load LOAD_ARGS='--duration 20s'`.
LOAD_ARGS ?=

.PHONY: load
load: build
	$(NETNS) bash loadtest/run-load.sh $(LOAD_ARGS)
